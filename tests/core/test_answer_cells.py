"""Export cells of answers: the compiled shortcuts give exactly what `answer_cell` gives, and never a formula."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from cml.core.answer_cells import AnswerCells, answer_cell, choice_labels
from cml.core.cells import DANGEROUS_PREFIXES
from cml.core.questionnaire import load_questionnaire

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini.json"

# Expected answers and everything a hand-edited or older row might hold instead.
ODD_VALUES: list[object] = [
    None, True, False, 0, -3, 2.5, float("inf"), "", "yes", "no", "dont_know", "rude", "pep", "plain", "Так",
    *(prefix + "HYPERLINK(1)" for prefix in DANGEROUS_PREFIXES),
    [], ["pep"], ["pep", "condoms"], ["=x"], ["-x", "pep"], ["pep", "=x"], [1, 2], [-3], [True], [None], [["pep"]], ["rude"],
    ["nope"], {"a": 1}, {"=": "x"},
]


@pytest.fixture(scope="module")
def mini():
    return load_questionnaire(MINI)


@pytest.mark.parametrize("language", [None, "en", "uk"])
def test_every_value_in_every_column_gives_the_plain_cell(mini, language) -> None:
    questions = list(mini.questions)
    compiled = AnswerCells(questions, mini, language)
    labels = {q.id: choice_labels(mini, q, language) if q.choices and language is not None else None for q in questions}
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
