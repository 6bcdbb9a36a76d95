"""The analysts' files' columns: compact numbers, codes for every value, and nothing dropped when a value is of another type."""

from __future__ import annotations

import math

from cml.core.labelled import Variable
from cml.services.analyst_files import _Column, _cut


def filled(variable: Variable, cells) -> _Column:
    turned: list[_Column] = []
    column = _Column(variable, turned)
    for cell in cells:
        column.add(cell)
    return column


def test_codes_follow_the_choices_and_an_unknown_value_gets_the_next_code_labelled_with_itself() -> None:
    variable = Variable("tested", "tested", "Tested?", "code", (("yes", "Yes"), ("no", "No")), ((1, "Yes"), (2, "No")))
    column = filled(variable, ["no", None, "yes", "maybe", "maybe"])
    assert column.numbers is not None
    assert [None if math.isnan(n) else n for n in column.numbers] == [2.0, None, 1.0, 3.0, 3.0]
    assert column.extra_labels == {3: "maybe"}


def test_a_value_a_number_column_cannot_hold_turns_it_into_text_and_keeps_every_value() -> None:
    column = filled(Variable("wait", "wait", "Wait", "whole"), [10, None, 2.5, "a lot", 7])
    assert column.numbers is None and column.texts == ["10", None, "2.5", "a lot", "7"]
    assert filled(Variable("cost", "cost", "Cost", "number"), [1.5, float("inf"), float("nan")]).texts == ["1.5", "inf", "nan"]
    day = filled(Variable("visit_date", "visit_date", "Visit", "date"), ["2026-08-30", "last week", None])
    assert day.texts == ["2026-08-30", "last week", None]
    moment = filled(Variable("received_at", "received_at", "Received", "moment"), ["2026-09-01T10:11:12+02:00", "soon"])
    assert moment.texts == ["2026-09-01T08:11:12", "soon"]  # in UTC, as the file's other times


def test_labels_are_cut_at_a_character_within_the_limit() -> None:
    assert _cut("Вам запропонували тест?", 10, in_bytes=True) == "Вам…" and len("Вам…".encode()) <= 10
    assert _cut("abcdef", 4, in_bytes=False) == "abc…"
    assert _cut("short", 80, in_bytes=False) == "short"
