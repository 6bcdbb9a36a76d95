"""The variables of a labelled raw export (SPSS, Stata, R): name, label, kind and value labels of each column.

The columns are those of the raw export with one column per choice of a multiple choice
(`cml.core.answer_cells.choice_columns`), in the same order. What each becomes:

- a single choice (and yes / no / don't know): the codes 1, 2, 3... in the order the
  questionnaire lists its choices, labelled with the choices' labels;
- each choice of a multiple choice: 1 chosen, 0 not, missing when the question was not
  answered (or not asked);
- numbers stay numbers (a rating's ends labelled when the questionnaire names them), dates
  are dates, the time received a date and time, anything else text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cml.core.question_types import QUESTION_KINDS
from cml.core.questionnaire.model import Question, Questionnaire
from cml.core.variable_names import variable_names

VariableKind = Literal["code", "flag", "whole", "number", "date", "moment", "text"]

LABEL_SET_ROOM = 4
"""pyreadstat names a Stata value label set after its variable with a counter after it (up to 4 digits):
names are kept that much under Stata's 32 characters, so the label set's name fits too."""


@dataclass(frozen=True)
class Variable:
    column: str
    """The raw export's column (its CSV header)."""
    name: str
    """A name Stata, SPSS and R accept (cml.core.variable_names)."""
    label: str
    kind: VariableKind
    choices: tuple[tuple[str, str], ...] = ()
    """A code's choices as (id, label), coded 1, 2, 3... in this order; a flag's one choice."""
    value_labels: tuple[tuple[int, str], ...] = ()
    """Labelled numbers: a code's 1, 2, 3..., a flag's 0 and 1, a rating's ends."""


def variables(questionnaire: Questionnaire, questions: Sequence[Question], language: str,
              fixed: Sequence[tuple[str, str, VariableKind]], flag_labels: tuple[str, str], limit: int = 32 - LABEL_SET_ROOM) -> list[Variable]:
    """The variables of the fixed columns (column, label, kind) then of the questions, labels in `language`.

    `flag_labels`: the labels of 0 and 1 in a choice's column (not chosen, chosen).
    """
    text = questionnaire.text
    unnamed: list[tuple[str, str, VariableKind, tuple[tuple[str, str], ...], tuple[tuple[int, str], ...]]] = [
        (column, label, kind, (), ()) for column, label, kind in fixed
    ]
    for question in questions:
        kind = QUESTION_KINDS[question.type]
        label = text(question.label, language)
        choices = tuple((c.id, text(c.label, language)) for c in question.choices)
        if kind.export == "codes":
            flags = ((0, flag_labels[0]), (1, flag_labels[1]))
            unnamed.extend((f"{question.id}/{choice_id}", f"{label}: {choice_label}", "flag", ((choice_id, choice_label),), flags)
                           for choice_id, choice_label in choices)
        elif kind.export == "code":
            unnamed.append((question.id, label, "code", choices, tuple((n, c[1]) for n, c in enumerate(choices, start=1))))
        elif kind.export == "number":
            unnamed.append((question.id, label, "number" if kind.answer == "decimal" else "whole", (), _ends(questionnaire, question, language)))
        else:
            unnamed.append((question.id, label, "date" if kind.answer == "date" else "text", (), ()))
    names = variable_names([column for column, *_ in unnamed], limit)
    return [Variable(column, name, label, kind, choices, labels) for name, (column, label, kind, choices, labels) in zip(names, unnamed, strict=True)]


def _ends(questionnaire: Questionnaire, question: Question, language: str) -> tuple[tuple[int, str], ...]:
    """A rating's lowest and highest points, labelled when the questionnaire names them."""
    ends: list[tuple[int, str]] = []
    for point, label in ((question.minimum, question.min_label), (question.maximum, question.max_label)):
        if point is not None and label is not None and float(point).is_integer():
            ends.append((int(point), questionnaire.text(label, language)))
    return tuple(ends)
