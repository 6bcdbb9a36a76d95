"""Bounds on every input: 64-bit numbers, date ranges, storable text, strict JSON."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from cml.core.answers import clean_answers
from cml.core.bounds import parse_id, plain_text
from cml.core.questionnaire import check_bytes, load_questionnaire
from cml.core.strict_json import strict_loads

MINI = load_questionnaire(Path(__file__).resolve().parent.parent / "fixtures" / "mini.json")
TODAY = date(2026, 10, 15)


def _clean(**raw: object) -> tuple[dict, dict]:
    cleaned = clean_answers(MINI, {"tested": "yes", **raw}, TODAY)  # type: ignore[arg-type]
    return cleaned.answers, {k: (e.code, dict(e.params)) for k, e in cleaned.errors.items()}


@pytest.mark.parametrize("text", [str(2**63), "9" * 31, "1e30", "-1e19", "9223372036854775808.0"])
def test_a_number_past_64_bits_is_refused_even_without_a_maximum(text: str) -> None:
    answers, errors = _clean(cost=text)  # `cost` has a minimum of 0 and no maximum
    assert "cost" not in answers
    assert errors["cost"][0] in ("above_max", "below_min", "not_a_number")


def test_the_largest_64_bit_number_and_the_questions_own_bounds() -> None:
    assert _clean(cost="9007199254740992")[0]["cost"] == 2.0**53  # large, still inside 64 bits
    assert _clean(wait="601")[1]["wait"] == ("above_max", {"max": 600})
    assert _clean(wait="9" * 5000)[1]["wait"][0] in ("not_an_integer", "not_a_number")


@pytest.mark.parametrize(("text", "code"), [("1e400", "above_max"), ("-1e400", "below_min"), ("1e999999999", "above_max"), ("1e999999999999999999", "above_max")])
def test_a_whole_number_with_a_vast_exponent_is_refused_at_once(text: str, code: str) -> None:
    # int() of such a Decimal overflowed a float (a 500) or ran for minutes (a worker held).
    started = time.perf_counter()
    assert _clean(wait=text)[1]["wait"][0] == code
    assert _clean(rating=text)[1]["rating"][0] == code
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(("text", "code"), [("0001-01-01", "below_min"), ("1899-12-31", "below_min"), ("9999-12-31", "future_date")])
def test_far_dates_are_refused(text: str, code: str) -> None:
    assert _clean(visit_date=text)[1]["visit_date"][0] == code


def test_nul_and_lone_surrogates_never_reach_an_answer() -> None:
    answers, errors = _clean(clinic_name_seen="a\x00b\ud800c", story="\udfff")
    assert answers["clinic_name_seen"] == "ab\ufffdc" and answers["story"] == "\ufffd"
    json.dumps(answers, ensure_ascii=False).encode("utf-8")  # storable as UTF-8
    assert not errors
    assert plain_text("plain") == "plain"


def test_ids_are_positive_64_bit_numbers() -> None:
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    for bad in ("0", "-1", str(2**63), "1e3", "٣", "", None, "9" * 5000):
        assert parse_id(bad) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"a": 1, "a": 2}', 'key "a" appears twice'),
        ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),
        ('{"a": ' + "9" * 40 + "}", "64 bits"),
        ('{"a": NaN}', "not valid JSON"),
        ('{"a": ["\\ud800"]}', "lone surrogate"),
        ('{"a\\u0000": 1}', "NUL"),
    ],
)
def test_strict_json_refuses_what_plain_json_lets_through(text: str, words: str) -> None:
    value, problem = strict_loads(text)
    assert value is None and problem is not None and words in problem[1]


def test_a_questionnaire_with_a_duplicate_key_is_a_clear_problem() -> None:
    source = (Path(__file__).resolve().parent.parent / "fixtures" / "mini.json").read_text("utf-8")
    doubled = source.replace('"id": "mini",', '"id": "mini", "id": "other",', 1)
    questionnaire, problems = check_bytes(doubled.encode())
    assert questionnaire is None and "appears twice" in problems[0].message


def test_export_cells_carry_no_nul_or_lone_surrogate() -> None:
    from cml.core.answer_cells import AnswerCells, answer_cell
    from cml.core.cells import safe_cell

    story = MINI.question("story")
    assert safe_cell("=a\x00\ud800") == "'=a\ufffd"
    assert answer_cell(story, "x\x00y\udfff", None) == "xy\ufffd"
    assert AnswerCells([story], MINI, None).cells({"story": "-\x00\ud800"}) == ["'-\ufffd"]
