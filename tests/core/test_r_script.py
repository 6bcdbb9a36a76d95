"""The R script's string literals: ASCII only, every character kept (as an escape), nothing that ends the string early."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from cml.core.labelled import Variable
from cml.core.r_script import r_script, r_string

ESCAPES = re.compile(r'\\u([0-9a-f]{4})|\\U\{([0-9a-f]{8})\}|\\(["\\])|([ -~])')


def unescaped(literal: str) -> str:
    """What R reads from the literal (for the escapes r_string writes)."""
    assert literal[0] == literal[-1] == '"'
    body, out, at = literal[1:-1], [], 0
    while at < len(body):
        match = ESCAPES.match(body, at)
        assert match, body[at:]
        short, long, quoted, plain = match.groups()
        out.append(chr(int(short or long, 16)) if short or long else quoted or plain)
        at = match.end()
    return "".join(out)


@given(st.text())
def test_a_string_literal_is_ascii_and_reads_back_as_the_text(text) -> None:
    literal = r_string(text)
    assert literal.isascii() and "\n" not in literal
    expected = "".join("\ufffd" if 0xD800 <= ord(c) < 0xE000 else c for c in text if c != "\0")
    assert unescaped(literal) == expected


def test_the_script_names_every_variable_with_its_kind() -> None:
    variables = [
        Variable("interview_date", "interview_date", "Date", "date"),
        Variable("tested", "tested", "Тест?", "code", (("yes", "Так"), ("no", "Ні")), ((1, "Так"), (2, "Ні"))),
        Variable("services/pep", "services_pep", "Services: PEP", "flag", (("pep", "PEP"),), ((0, "no"), (1, "yes"))),
        Variable("wait", "wait", "Wait", "whole"),
        Variable("note", "note", 'He said "hi"\nthen left', "text"),
    ]
    script = r_script(variables, "export.csv", ["A title"])
    assert script.startswith("# A title\n")
    assert 'csv_file <- if (length(args) > 0) args[1] else "export.csv"' in script
    assert 'cml$interview_date <- labelled(as_day(column("interview_date")), "Date")' in script
    assert 'cml$tested <- labelled(as_choice(column("tested"), c("yes", "no"), c("\\u0422\\u0430\\u043a", "\\u041d\\u0456")), "\\u0422\\u0435\\u0441\\u0442?")  # Тест?' in script
    assert 'cml$services_pep <- labelled(as_flag("services", "pep", "PEP"), "Services: PEP")' in script
    assert 'cml$wait <- labelled(as_number(column("wait")), "Wait")' in script
    assert 'cml$note <- labelled(column("note"), "He said \\"hi\\"\\u000athen left")  # He said "hi" then left' in script
