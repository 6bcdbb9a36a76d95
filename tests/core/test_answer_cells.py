"""Export cells of answers: the compiled shortcuts give exactly what `answer_cell` gives (and csv.writer writes), never a formula."""

from __future__ import annotations

import csv
import io
import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cml.core.answer_cells import FIELDS_PER_COLUMN, AnswerCells, AnswerFields, answer_cell, choice_labels
from cml.core.cells import DANGEROUS_PREFIXES, csv_field
from cml.core.questionnaire import load_questionnaire

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini.json"

# Expected answers and everything a hand-edited or older row might hold instead.
ODD_VALUES: list[object] = [
    None, True, False, 0, -3, 2.5, float("inf"), "", "yes", "no", "dont_know", "rude", "pep", "plain", "Так",
    *(prefix + "HYPERLINK(1)" for prefix in DANGEROUS_PREFIXES),
    [], ["pep"], ["pep", "condoms"], ["=x"], ["-x", "pep"], ["pep", "=x"], [1, 2], [-3], [True], [None], [["pep"]], ["rude"],
    ["nope"], {"a": 1}, {"=": "x"},
]


def plain_labels(questionnaire, questions, language):
    """What the plain `answer_cell` is given per question: choice labels in `language`, or None for codes."""
    return {q.id: choice_labels(questionnaire, q, language) if q.choices and language is not None else None for q in questions}


@pytest.fixture(scope="module")
def mini():
    return load_questionnaire(MINI)


@pytest.mark.parametrize("language", [None, "en", "uk"])
def test_every_value_in_every_column_gives_the_plain_cell(mini, language) -> None:
    questions = list(mini.questions)
    compiled = AnswerCells(questions, mini, language)
    labels = plain_labels(mini, questions, language)
    rng = random.Random(8)
    rows = [dict.fromkeys((q.id for q in questions), value) for value in ODD_VALUES]
    rows += [{q.id: rng.choice(ODD_VALUES) for q in questions if rng.random() < 0.8} for _ in range(2000)]
    for answers in rows:
        expected = [answer_cell(q, answers.get(q.id), labels[q.id]) for q in questions]
        got = compiled.cells(answers)
        assert got == expected and [type(c) for c in got] == [type(c) for c in expected], answers
        assert not any(isinstance(cell, str) and cell.startswith(DANGEROUS_PREFIXES) for cell in got)


def test_answer_cell_joins_codes_and_labels(mini) -> None:
    services, attitude = mini.question("services"), mini.question("attitude")
    assert answer_cell(services, ["pep", "condoms"], None) == "pep|condoms"
    assert answer_cell(services, ["pep", "condoms"], choice_labels(mini, services, "en")) == "PEP; Condoms"
    assert answer_cell(attitude, "rude", choice_labels(mini, attitude, "uk")) == "Грубе"
    assert answer_cell(attitude, "=1", None) == "'=1" and answer_cell(attitude, True, None) == "true"


def test_unexpected_values_of_every_pair_of_columns(mini) -> None:
    questions = list(mini.questions)
    compiled = AnswerCells(questions, mini, None)
    for first, second in itertools.combinations(questions, 2):
        for value in ("=x", ["=x"], True, -1):
            answers = {first.id: value, second.id: "yes"}
            assert compiled.cells(answers) == [answer_cell(q, answers.get(q.id), None) for q in questions]


# What a CSV writer must quote or a spreadsheet would run, in every place a text can be.
CSV_TEXTS: list[object] = [
    "a,b", 'say "hi"', '"', ",", "line\nbreak", "cr\rlf\r\n", " lead", "trail ", "=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx",
    "Київ, «Так»", "日本語", "emoji 😀", "\u2028", "", "x" * 300, "=" + "y" * 300,
]
CSV_VALUES: list[object] = [
    *ODD_VALUES, *CSV_TEXTS, [*CSV_TEXTS[:3]], ["pep", "a,b"], ["pep", 'q"'], ["=x", "\n"], 0.0, -0.0, 1, 1.0, 40.0, 40, 2**70,
    -(2**63), 1e16, 1e-7, float("nan"), float("-inf"), ["pep", 1], ["pep", True], [1.0], ["condoms", "pep"], ["pep", "pep"],
]


def written(cells: list[object]) -> str:
    """What csv.writer writes for a row of these cells (without the line end)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()[:-2]


@pytest.mark.parametrize("language", [None, "en", "uk"])
def test_answer_fields_are_what_csv_writer_writes_for_the_plain_cells(mini, language) -> None:
    questions = list(mini.questions)
    compiled = AnswerFields(questions, mini, language)
    labels = plain_labels(mini, questions, language)
    rng = random.Random(9)
    rows = [dict.fromkeys((q.id for q in questions), value) for value in CSV_VALUES]
    # Each row twice, in random order: the second sight of a value comes from the column's table.
    rows += [{q.id: rng.choice(CSV_VALUES) for q in questions if rng.random() < 0.8} for _ in range(3000)]
    rows += [dict(row) for row in rows]
    rng.shuffle(rows)
    for answers in rows:
        expected = written([answer_cell(q, answers.get(q.id), labels[q.id]) for q in questions])
        assert compiled.line(answers) == expected, answers


def test_equal_keys_of_other_types_keep_their_own_text(mini) -> None:
    """True == 1 == 1.0 and 0.0 == -0.0 in a dict: each must still give its own cell."""
    questions = list(mini.questions)
    compiled = AnswerFields(questions, mini, None)
    for column in ("wait", "cost", "rating", "attitude", "services", "story"):
        for value in (1, True, 1.0, "1", 0, False, 0.0, -0.0, [1], [True], ["1"]):  # JSON has no tuples
            answers = {column: value}
            expected = written([answer_cell(q, answers.get(q.id), None) for q in questions])
            assert compiled.line(answers) == expected, answers


def test_a_column_keeps_a_bounded_number_of_values(mini) -> None:
    compiled = AnswerFields(list(mini.questions), mini, None)
    for number in range(FIELDS_PER_COLUMN + 500):
        compiled.line({"wait": number, "clinic_name_seen": f"text {number}", "story": "long " * 100})
    assert all(len(table) <= FIELDS_PER_COLUMN for table in compiled._tables)
    assert len(compiled._tables[[q.id for q in mini.questions].index("story")]) == 1  # only None: long texts are not kept


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.none(), st.text(), st.integers(), st.floats()))
def test_csv_field_is_what_csv_writer_writes(cell) -> None:
    assert csv_field(cell) == written([cell, "after"])[: -len(",after")]
