"""An import row's cells become the same cleaned answers as before the cells were left to
the cleaner to strip (each cell once trimmed and split by the importer itself)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from cml.core.answers import RawValue, clean_answers
from cml.core.questionnaire import Questionnaire, load_questionnaire
from cml.services.imports import _RowCheck
from tests.conftest import FIXTURES

TODAY = date(2026, 2, 10)
CELLS = ["", " ", "yes", " no ", "ТАК", "condoms", " condoms | pep ", "condoms;pep", "pep|", "|", " ; ", "ПКП|condoms",
         "condoms|bogus", "40", " 12 ", "1,5", "2026-01-01", "respectful", "  Грубе ", "a;b|c"]


def trimmed_and_split(check: _RowCheck, questionnaire: Questionnaire, row: list[str]) -> dict[str, RawValue]:
    """How the importer made raw answers before: every cell stripped, choices split and stripped."""
    position = {column: i for i, column in enumerate(check.header)}
    raw: dict[str, RawValue] = {}
    for question in questionnaire.questions:
        at = position.get(question.id)
        cell = row[at].strip() if at is not None else ""
        if question.type != "multiple_choice":
            raw[question.id] = cell
        elif not any(separator in cell for separator in check.separators):
            raw[question.id] = [cell] if cell else []
        else:
            parts = [cell]
            for separator in check.separators:
                parts = [p for part in parts for p in part.split(separator)]
            raw[question.id] = [p.strip() for p in parts if p.strip()]
    return raw


@pytest.mark.parametrize("separators", [("|", ";"), ("|",)])
def test_cells_clean_as_when_trimmed_by_the_importer(separators: tuple[str, ...]) -> None:
    questionnaire = load_questionnaire(FIXTURES / "mini.json")
    header = ["region", "facility", "date", *(q.id for q in questionnaire.questions if q.id != "story")]  # one question without a column
    check = _RowCheck(header, questionnaire, None, separators, lambda error: error.code, TODAY, None)  # type: ignore[arg-type]
    rows = 0
    for combination in itertools.islice(itertools.product(CELLS, repeat=3), 0, None, 7):
        for shift in range(len(header) - 3):
            cells = [combination[(i + shift) % 3] for i in range(len(header) - 3)]
            row = ["r", "f", "2026-01-01", *cells]
            expected = clean_answers(questionnaire, trimmed_and_split(check, questionnaire, row), TODAY, accept_labels=True)
            assert clean_answers(questionnaire, check._raw(row), TODAY, accept_labels=True) == expected, row
            rows += 1
    assert rows > 1000
