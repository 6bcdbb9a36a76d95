"""Malformed or unsupported XLSForms: each problem at its sheet, row and column, never an exception."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cml.core.xlsform import XlsformProblem, read_xlsform
from tests.core.xlsform.workbooks import (
    BASE_CHOICES,
    BASE_SETTINGS,
    BASE_SURVEY,
    EN,
    SURVEY_HEADERS,
    UK,
    survey,
    workbook,
)


def with_row(index: int, row: list[str], rows: list[list[str]] | None = None) -> list[list[str]]:
    """The base survey with `row` inserted before list index `index` (spreadsheet row index + 1)."""
    base = [list(r) for r in (rows or BASE_SURVEY)]
    return base[:index] + [row] + base[index:]


def replaced(index: int, row: list[str]) -> list[list[str]]:
    base = [list(r) for r in BASE_SURVEY]
    base[index] = row
    return base


@dataclass(frozen=True)
class Case:
    name: str
    data: Callable[[], bytes]
    sheet: str
    row: int | None
    column: str | None
    message: str


CASES = [
    Case("not a workbook", lambda: b"type,name,label\ntext,q,Q\n", "", None, None, "not an .xlsx workbook"),
    Case("geopoint type", lambda: workbook(with_row(4, ["geopoint", "where", "Where?", "Де?"])), "survey", 5, "type", "no question type \"geopoint\""),
    Case("calculate type", lambda: workbook(with_row(4, ["calculate", "total", "Total", "Сума"])), "survey", 5, "type", "no question type \"calculate\""),
    Case("repeat", lambda: workbook(with_row(1, ["begin repeat", "people", "People", "Люди"])), "survey", 2, "type", "CML has no repeats"),
    Case("nested group", lambda: workbook(with_row(2, ["begin group", "inner", "Inner", "Внутрішня"])), "survey", 3, "type", "a group inside a group"),
    Case(
        "unsupported function in relevant",
        lambda: workbook(replaced(4, ["select_multiple services", "services", "Services", "Послуги", "today() > date('2024-01-01')"])),
        "survey", 5, "relevant", "the function today() is not supported",
    ),
    Case(
        "relevant looks forward",
        lambda: workbook(replaced(2, ["select_one reason", "reason", "Why?", "Чому?", "${age} >= 18"])),
        "survey", 3, "relevant", "${age} is not an earlier question",
    ),
    Case(
        "relevant names no question",
        lambda: workbook(replaced(4, ["select_multiple services", "services", "Services", "Послуги", "${reasons} = 'test'"])),
        "survey", 5, "relevant", "there is no question ${reasons}",
    ),
    Case(
        "= on a select_multiple",
        lambda: workbook(with_row(5, ["text", "which", "Which?", "Яка?", "${services} = 'hiv'"])),
        "survey", 6, "relevant", "use selected(${services}, 'choice')",
    ),
    Case(
        "arithmetic in a constraint",
        lambda: workbook(replaced(3, ["integer", "age", "Age", "Вік", "", ". * 2 < 200", "Too old", "Завелике"])),
        "survey", 4, "constraint", "arithmetic \"*\"",
    ),
    Case(
        "constraint without message",
        lambda: workbook(replaced(3, ["integer", "age", "Age", "Вік", "", ". >= 16"])),
        "survey", 4, "constraint", "needs a constraint_message",
    ),
    Case(
        "missing translation",
        lambda: workbook(replaced(2, ["select_one reason", "reason", "Why?", ""])),
        "survey", 3, UK, "no text in \"uk\"",
    ),
    Case("unknown list", lambda: workbook(replaced(2, ["select_one why", "reason", "Why?", "Чому?"])), "survey", 3, "type", "there is no list \"why\""),
    Case("or_other", lambda: workbook(replaced(2, ["select_one reason or_other", "reason", "Why?", "Чому?"])), "survey", 3, "type", "CML has no or_other"),
    Case(
        "choice_filter expression",
        lambda: workbook(with_row(
            5, ["select_one reason", "again", "Again?", "Знову?", "", "", "", "", "", "starts-with(name, ${reason})"],
            [[*SURVEY_HEADERS, "choice_filter"], *BASE_SURVEY[1:]],
        )),
        "survey", 6, "choice_filter", "only as filter=${question}",
    ),
    Case("bad name", lambda: workbook(replaced(3, ["integer", "Age-1", "Age", "Вік"])), "survey", 4, "name", "\"Age-1\" cannot be a CML id"),
    Case(
        "required expression",
        lambda: workbook(replaced(3, ["integer", "age", "Age", "Вік", "", "", "", "", "${reason} = 'test'"])),
        "survey", 4, "required", "CML's required is yes or no",
    ),
    Case(
        "calculation column",
        lambda: workbook([[*SURVEY_HEADERS, "calculation"], *BASE_SURVEY[1:3], [*BASE_SURVEY[3], "${age} * 2"], *BASE_SURVEY[4:]]),
        "survey", 4, "calculation", "CML does not use the column \"calculation\"",
    ),
    Case(
        "duplicate choice",
        lambda: workbook(choices=[*BASE_CHOICES, ["reason", "test", "Test again", "Ще раз"]]),
        "choices", 6, "name", "already has a choice \"test\" (row 2)",
    ),
    Case(
        "language not recognised",
        lambda: workbook(survey(*BASE_SURVEY[1:], headers=["type", "name", EN, "label::Klingon", *SURVEY_HEADERS[4:]])),
        "survey", 1, "label::Klingon", "cannot tell the language of \"Klingon\"",
    ),
    Case("version not a whole number", lambda: workbook(settings=[BASE_SETTINGS[0], ["mini_form", "2024.1", "Mini", "English (en)"]]), "settings", 2, "version", "whole numbers from 1"),
    Case("no settings sheet", lambda: workbook(settings=[]), "settings", None, None, "settings sheet needs a row"),
    Case(
        "range step",
        lambda: workbook([[*SURVEY_HEADERS, "parameters"], *BASE_SURVEY[1:4], ["range", "score", "Score", "Оцінка", "", "", "", "", "", "start=0 end=10 step=2"], BASE_SURVEY[-1]]),
        "survey", 5, "parameters", "steps of 1",
    ),
    Case("group never ended", lambda: workbook(BASE_SURVEY[:-1]), "survey", 2, "type", "begin group without an end group"),
    Case("group without label", lambda: workbook(replaced(1, ["begin group", "visit"])), "survey", 2, EN, "the group needs a label"),
    Case(
        "metadata row",
        lambda: workbook(with_row(1, ["start", "start"])),
        "survey", 2, "type", "is form metadata",
    ),
    Case(
        "min above max (the CML loader's check, placed in the sheet)",
        lambda: workbook([[*SURVEY_HEADERS, "min", "max"], *BASE_SURVEY[1:3], [*BASE_SURVEY[3], "", "", "", "", "", "", "", "", "", "", "", "", "", ""][:9] + ["100", "5"], *BASE_SURVEY[4:]]),
        "survey", 4, "min", "min 100 is greater than max 5",
    ),
    Case(
        "free text opted out of sensitive without a reason",
        lambda: workbook([[*SURVEY_HEADERS, "sensitive"], *BASE_SURVEY[1:4], ["text", "comment", "Comment", "Коментар", "", "", "", "", "", "no"], BASE_SURVEY[-1]]),
        "survey", 5, "sensitive", "free text is sensitive",
    ),
    Case(
        "indicator condition",
        lambda: workbook(indicators=[["id", "type", EN, UK, "numerator", "denominator"], ["tested", "proportion", "Tested", "Протестовано", "selected(${services}, 'hiv')", "${services} != '' and pulldata('x')"]]),
        "indicators", 2, "denominator", "the function pulldata() is not supported",
    ),
    Case(
        "mean of a choice question (the CML loader's check)",
        lambda: workbook(indicators=[["id", "type", EN, UK, "question"], ["mean_reason", "mean", "Reason", "Причина", "${reason}"]]),
        "indicators", 2, "question", "a mean needs a number or rating",
    ),
    Case(
        "duplicate header",
        lambda: workbook(survey(*BASE_SURVEY[1:], headers=["type", "name", EN, UK, "relevant", "relevant"])),
        "survey", 1, None, "Duplicate column header",
    ),
    Case(
        "a filter naming no choice of the deciding question (the CML loader's check)",
        lambda: workbook(
            [["type", "name", EN, UK, "choice_filter"], BASE_SURVEY[1], BASE_SURVEY[2], ["select_one services", "service", "Service", "Послуга", "filter=${reason}"], BASE_SURVEY[-1]],
            choices=[[*BASE_CHOICES[0], "filter"], *BASE_CHOICES[1:3], [*BASE_CHOICES[3], "test"], [*BASE_CHOICES[4], "tests"]],
        ),
        "choices", 5, "filter", "\"tests\" is not a choice of \"reason\"",
    ),
    Case(
        "form_title and the label columns disagree",
        lambda: workbook(settings=[["form_id", "version", "form_title", EN, UK], ["mini_form", "1", "Mini", "Mini form", "Міні"]]),
        "settings", 2, "form_title", "differs from the title in the label columns",
    ),
    Case(
        "choices from a file",
        lambda: workbook(with_row(4, ["select_one_from_file places.csv", "place", "Place", "Місце"])),
        "survey", 5, "type", "no \"select_one_from_file\" questions",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_malformed_xlsform_gives_the_problem_at_its_place(case: Case) -> None:
    result = read_xlsform(case.data())
    assert result.questionnaire is None
    found = [(p.sheet, p.row, p.column) for p in result.problems if case.message in p.message]
    assert found == [(case.sheet, case.row, case.column)], [p.format() for p in result.problems]


def test_there_are_at_least_fifteen_malformed_cases() -> None:
    assert len(CASES) >= 15


def test_the_base_workbook_is_valid() -> None:
    result = read_xlsform(workbook())
    assert result.problems == []
    assert result.questionnaire is not None


def test_every_problem_is_reported_at_once() -> None:
    rows = [list(r) for r in BASE_SURVEY]
    rows[2] = ["select_one reason", "reason", "Why?", ""]  # missing Ukrainian label
    rows[4] = ["select_multiple services", "services", "Services", "Послуги", "${reason} = 'test' and once-upon()"]
    result = read_xlsform(workbook(rows, settings=[BASE_SETTINGS[0], ["Mini", "x", "Mini", "English (en)"]]))
    assert [p.format() for p in result.problems] == [
        "settings, row 2, column form_id: \"Mini\" cannot be a CML id: use lower-case letters, digits and _, starting with a letter (at most 64 characters)",
        "settings, row 2, column version: CML versions are whole numbers from 1 (1, 2, 3 …), not \"x\"",
        "survey, row 3, column label::Українська (uk): the label has no text in \"uk\"; every text needs all the questionnaire's languages (en, uk)",
        "survey, row 5, column relevant: the function once-upon() is not supported; CML conditions compare answers with values, "
        "selected(), string-length() and count-selected() (in \"${reason} = 'test' and once-upon()\")",
    ]


def test_problem_format() -> None:
    assert XlsformProblem("survey", 7, "relevant", "bad").format() == "survey, row 7, column relevant: bad"
    assert XlsformProblem("settings", None, None, "bad").format() == "settings: bad"
    assert XlsformProblem("", None, None, "bad").format() == "bad"


CELL = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from([
        "begin group", "end group", "select_one reason", "select_multiple services", "integer", "range", "note", "text",
        "${age}", ". >= 1", "selected(${services}, 'hiv')", "yes", "filter=${reason}", "((", "${", "'", "1e9", "not(",
    ]),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
HEADERS = st.lists(
    st.sampled_from([
        "type", "name", EN, UK, "label", "relevant", "constraint", "constraint_message::English (en)", "required", "hint::en",
        "choice_filter", "parameters", "min", "max", "appearance", "list_name", "filter", "calculation", "label::xx (zz)", "sensitive",
    ]),
    min_size=1, max_size=8, unique=True,
)


@settings(max_examples=120, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(
    headers=HEADERS,
    rows=st.lists(st.lists(CELL, max_size=8), max_size=8),
    choice_rows=st.lists(st.lists(CELL, max_size=4), max_size=4),
    settings_row=st.lists(CELL, max_size=4),
)
def test_random_cells_never_raise_only_give_problems(headers, rows, choice_rows, settings_row) -> None:
    data = workbook(
        [headers, *rows],
        choices=[["list_name", "name", EN, "filter"], *choice_rows],
        settings=[["form_id", "version", "form_title", "default_language"], settings_row],
    )
    result = read_xlsform(data)
    assert (result.questionnaire is None) == bool(result.problems)
    for problem in result.problems:
        assert problem.sheet in ("", "survey", "choices", "settings", "indicators")
        assert problem.row is None or problem.row >= 1
        assert problem.message


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=300))
def test_random_bytes_give_a_problem_not_an_exception(data: bytes) -> None:
    result = read_xlsform(data)
    assert result.questionnaire is None and result.problems


def test_the_cml_checks_run_alongside_the_sheets_own_problems() -> None:
    rows = [[*SURVEY_HEADERS, "min", "max"], *[list(r) for r in BASE_SURVEY[1:]]]
    rows[2] = ["select_one reason", "reason", "Why?", "Чому?", "bogus("]  # a problem of the sheet
    rows[3] = [*rows[3], "", "", "", "", "", "", "", "", "", "", "", ""][:9] + ["100", "5"]  # one only the CML check finds
    result = read_xlsform(workbook(rows))
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("survey", 3, "relevant"), ("survey", 4, "min")]


def test_no_echoes_of_a_row_already_reported() -> None:
    # The type of row 3 cannot be read: row 5's skip logic on it, and the CML check's view of it, stay quiet.
    for bad_type in ("select_one reason or_other", "select_one why"):
        result = read_xlsform(workbook(replaced(2, [bad_type, "reason", "Why?", "Чому?"])))
        assert [(p.sheet, p.row, p.column) for p in result.problems] == [("survey", 3, "type")], [p.format() for p in result.problems]


def test_a_workbook_that_unpacks_to_too_much_is_refused_unopened() -> None:
    import zipfile
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>")
    assert len(buffer.getvalue()) < 200_000
    result = read_xlsform(buffer.getvalue())
    assert result.questionnaire is None
    assert [p.message.split(";")[0] for p in result.problems] == ["the workbook unpacks to 62,914,567 bytes"]


def test_an_indicator_on_a_question_of_an_unsupported_type_is_not_a_second_problem() -> None:
    """The row of the unsupported type is the problem; the indicator naming that question is its echo."""
    rows = replaced(3, ["geopoint", "age", "Where?", "Де?"])
    indicators = [["id", "type", EN, UK, "question"], ["mean_age", "mean", "Age", "Вік", "${age}"]]
    problems = read_xlsform(workbook(rows, indicators=indicators)).problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [("survey", 4, "type")]
    assert "geopoint" in problems[0].message
