"""A response's answers as export cells, formula-safe, compiled once per export.

A raw export writes up to a million rows of a few dozen answers, so the work per cell
decides its speed. `AnswerCells` is built once from the exported questions. Choice ids
that are their own safe cell (all of them: the format allows only `[a-z][a-z0-9_]*`) and
numbers cannot carry a formula, so for those columns a row only checks, in bulk, that
every value is one the question allows; other columns are converted one by one with a
shortcut for their expected type. A value of any other type (an older version's answer,
a hand-edited row) goes through `answer_cell`, the plain definition: the shortcuts give
exactly its result, only sooner (tests/core/test_answer_cells.py compares them).

A CSV export goes one step further with `AnswerFields`: the CSV text of a column's
value is looked up, made once per distinct value, so a row is a dict lookup per cell and
one join.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import getitem, itemgetter
from typing import Any

from cml.core.bounds import plain_text
from cml.core.cells import DANGEROUS_PREFIXES, Cell, csv_field, safe_cell
from cml.core.question_types import names_where
from cml.core.questionnaire.model import Question, Questionnaire

_NUMBER_TYPES = frozenset({int, float, type(None)})
# Columns by the type's export kind (cml.core.question_types): the fast paths below rely on it.
_CODE_TYPES = names_where(export="code")
NUMERIC_TYPES = names_where(export="number")
_SEVERAL_TYPES = names_where(export="codes")

Convert = Callable[[Any], Cell]


def answer_cell(question: Question, value: object, labels: Mapping[str, str] | None) -> Cell:
    """One answer as a cell: choice labels when `labels` (choice id -> label) is given, lists joined, text made safe."""
    if value is None:
        return None
    if question.choices and labels is not None:
        chosen = value if isinstance(value, list) else [value]
        return safe_cell("; ".join(labels.get(str(v), str(v)) for v in chosen))
    if isinstance(value, list):
        return safe_cell("|".join(str(v) for v in value))
    return safe_cell(value)


def choice_labels(questionnaire: Questionnaire, question: Question, language: str) -> dict[str, str]:
    """Choice id -> label in `language` (the questionnaire's default language where missing)."""
    return {c.id: questionnaire.text(c.label, language) for c in question.choices}


class AnswerCells:
    """Turns a response's answers into the cells of the exported questions, in order."""

    def __init__(self, questions: Sequence[Question], questionnaire: Questionnaire, language: str | None) -> None:
        """`language`: None exports choice ids (codes), else choice labels in that language."""
        self.keys = tuple(q.id for q in questions)
        self._codes: list[int] = []
        """Columns of single choices as codes: a value in `_code_values` is its own cell."""
        self._numbers: list[int] = []
        """Numeric columns: an int or a float is its own cell."""
        self._each: list[tuple[int, Convert]] = []
        self._plain: list[Convert] = []
        code_values: set[object] = {None}
        for index, question in enumerate(questions):
            labels = choice_labels(questionnaire, question, language) if question.choices and language is not None else None
            self._plain.append(_plain(question, labels))
            if question.type in _CODE_TYPES and labels is None:
                self._codes.append(index)
                code_values.update(_unchanged_ids(question))
            elif question.type in NUMERIC_TYPES and not question.choices:
                self._numbers.append(index)
            else:
                self._each.append((index, _converter(question, labels)))
        self._code_values = frozenset(code_values)

    def cells(self, answers: Mapping[str, Any]) -> list[Cell]:
        """The cells of one response's answers (a decoded JSON object)."""
        values: list[Any] = list(map(answers.get, self.keys))
        for index, convert in self._each:
            values[index] = convert(values[index])
        try:
            codes_fine = self._code_values.issuperset(map(values.__getitem__, self._codes))
        except TypeError:  # a list where one id belongs
            codes_fine = False
        if not codes_fine:
            self._convert(self._codes, values)
        if not _NUMBER_TYPES.issuperset(map(type, map(values.__getitem__, self._numbers))):
            self._convert(self._numbers, values)
        return values

    def plain(self, index: int) -> Convert:
        """The plain conversion (`answer_cell`) of one column's value."""
        return self._plain[index]

    def _convert(self, columns: list[int], values: list[Any]) -> None:
        for index in columns:
            values[index] = self._plain[index](values[index])


def choice_columns(questions: Sequence[Question], cells: Callable[[Mapping[str, Any]], list[Cell]]) -> tuple[list[str], Callable[[Mapping[str, Any]], list[Cell]]]:
    """Multiple choice as one column per choice (`question/choice`: 1 chosen, 0 not, empty unanswered):
    the header, and the cells of a row from those of `cells` (whose multiple-choice columns it replaces)."""
    header: list[str] = []
    spread: list[tuple[int, str, tuple[str, ...]]] = []
    for index, question in enumerate(questions):
        if question.type in _SEVERAL_TYPES:
            spread.append((index, question.id, question.choice_ids))
            header.extend(f"{question.id}/{choice}" for choice in question.choice_ids)
        else:
            header.append(question.id)

    def spread_cells(answers: Mapping[str, Any]) -> list[Cell]:
        values = cells(answers)
        for index, question_id, choices in reversed(spread):  # from the right: earlier indexes stay put
            chosen = answers.get(question_id)
            if isinstance(chosen, str):
                chosen = [chosen]
            flags: list[Cell] = [None] * len(choices) if not isinstance(chosen, list) else [int(choice in chosen) for choice in choices]
            values[index:index + 1] = flags
        return values

    return header, spread_cells


def _unchanged_ids(question: Question) -> frozenset[object]:
    """The question's choice ids that are their own safe cell."""
    return frozenset(choice for choice in question.choice_ids if safe_cell(choice) == choice)


def _plain(question: Question, labels: Mapping[str, str] | None) -> Convert:
    return lambda value: answer_cell(question, value, labels)


def _converter(question: Question, labels: Mapping[str, str] | None) -> Convert:
    """The cell of one column's value: a shortcut for the expected type, `answer_cell` for anything else."""
    plain = _plain(question, labels)
    if labels is None:
        def text(value: Any) -> Cell:
            """Text as `safe_cell` makes it; a list of texts joined first, as `answer_cell` does."""
            if type(value) is str:
                cell: str = value
            elif value is None:
                return None
            elif type(value) is list:
                try:
                    cell = "|".join(value)
                except TypeError:  # not only texts
                    return plain(value)
            else:
                return plain(value)
            cell = plain_text(cell)  # as safe_text: no NUL or lone surrogate reaches a file
            return "'" + cell if cell.startswith(DANGEROUS_PREFIXES) else cell
        return text
    table: dict[object, Cell] = {choice: safe_cell(label) for choice, label in labels.items()}
    table[None] = None
    if question.type in _SEVERAL_TYPES:
        allowed = _unchanged_ids(question)

        def chosen(value: Any) -> Cell:
            if type(value) is not list:
                one = value
            elif len(value) == 1 and type(value[0]) is str:
                one = value[0]  # one label needs no joining
            else:
                try:
                    if allowed.issuperset(value):
                        return safe_cell("; ".join(map(labels.__getitem__, value)))
                except TypeError:  # a list inside the list
                    pass
                return plain(value)
            try:
                return table[one]
            except (KeyError, TypeError):
                return plain(value)
        return chosen

    def label(value: Any) -> Cell:
        try:
            return table[value]
        except (KeyError, TypeError):
            return plain(value)
    return label


FIELDS_PER_COLUMN = 1024
"""Distinct values whose CSV text a column keeps (choices and numbers: a few dozen; at most ~200 KB a column): memory stays flat."""
LONGEST_KEPT = 100
"""Longer texts (free answers, hardly ever repeated) are converted every time and not kept."""


class AnswerFields:
    """A response's answer cells as CSV text: what `csv.writer` writes for `AnswerCells.cells`, comma-separated.

    Each column keeps a table of value -> CSV text, filled as values come. A dict finds a
    value by equality, and `True == 1 == 1.0` while their cells differ ("true", "1",
    "1.0"); so a table keeps only the type its column holds (texts and lists of texts;
    ints in integer and rating columns, non-zero floats in decimal ones: -0.0 == 0.0),
    and a row whose number columns hold anything else is converted cell by cell.
    """

    def __init__(self, questions: Sequence[Question], questionnaire: Questionnaire, language: str | None) -> None:
        """`language`: None exports choice ids (codes), else choice labels in that language."""
        self._cells = AnswerCells(questions, questionnaire, language)
        self.keys = self._cells.keys
        self._tables: list[_Fields] = []
        self._lists: list[int] = []
        """Multiple-choice columns: a list of ids becomes a tuple, which a dict can look up."""
        ints: list[int] = []
        floats: list[int] = []
        for index, question in enumerate(questions):
            number = question.type in NUMERIC_TYPES and not question.choices
            kept: type = (float if question.type == "decimal" else int) if number else str
            self._tables.append(_Fields(self._cells.plain(index), kept))
            if question.type in _SEVERAL_TYPES:
                self._lists.append(index)
            if number:
                (floats if kept is float else ints).append(index)
        self._ints, self._floats = _picker(ints), _picker(floats)

    def line(self, answers: Mapping[str, Any]) -> str:
        """The CSV text of one response's answer cells (a decoded JSON object), without a line end."""
        values: list[Any] = list(map(answers.get, self.keys))
        for index in self._lists:
            value = values[index]
            if type(value) is list:
                values[index] = tuple(value)
        if _INT_TYPES.issuperset(map(type, self._ints(values))) and _FLOAT_TYPES.issuperset(map(type, self._floats(values))):
            try:
                return ",".join(map(getitem, self._tables, values))
            except TypeError:  # unhashable: a list in a column that takes one answer, a list inside a list, an object
                pass
        return ",".join(map(csv_field, self._cells.cells(answers)))


_INT_TYPES = frozenset({int, type(None)})
_FLOAT_TYPES = frozenset({float, type(None)})


class _Fields(dict[Any, str]):
    """One column's value -> CSV text, filled on first sight of each value of the column's own type."""

    def __init__(self, cell: Convert, kept: type) -> None:
        super().__init__({None: ""})
        self.cell = cell
        self.kept = kept

    def __missing__(self, value: Any) -> str:
        field = csv_field(self.cell(list(value) if type(value) is tuple else value))
        if len(self) < FIELDS_PER_COLUMN and self._keeps(value):
            self[value] = field
        return field

    def _keeps(self, value: Any) -> bool:
        if type(value) is tuple:  # a list of ids (only texts: no number or True among them)
            return all(type(v) is str for v in value) and sum(map(len, value)) <= LONGEST_KEPT
        if type(value) is not self.kept:
            return False
        if type(value) is str:
            return len(value) <= LONGEST_KEPT
        return value != 0 or type(value) is int  # 0.0 and -0.0 are equal keys with different texts


def _picker(indices: list[int]) -> Callable[[list[Any]], Sequence[Any]]:
    """The values of these columns, as a sequence."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        only = indices[0]
        return lambda values: (values[only],)
    return lambda values: ()
