"""What every layer needs to know about one question type, in one value.

Each layer (the questionnaire check, answer cleaning, conditions, the web and offline
forms, exports, demo data) reads a type's entry here instead of keeping its own list of
types, so a new type is declared once. The layers dispatch on small vocabularies (an
answer kind, a widget kind, an export kind, a demo kind) and a test holds every layer to
every kind the registry uses (tests/core/test_question_types.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AnswerKind = Literal["choice", "choices", "whole", "decimal", "date", "time", "text"]
"""How a raw answer is cleaned and what a condition compares it with."""
WidgetKind = Literal["radio", "checkboxes", "scale", "number", "date", "time", "line", "box", "note"]
"""How the web form and the offline app draw the question."""
ExportKind = Literal["code", "codes", "number", "text"]
"""What an exported cell holds: a choice id, several, a number, or text."""
DemoKind = Literal["weighted_choice", "several_choices", "rating", "number", "recent_date", "time_of_day", "free_text"]
"""How demo data (cml.core.synthetic) draw an answer."""
ChoiceSource = Literal["list", "yes_no_dk", "scale"]
"""Where the options come from: the question's "choices", the built-in yes/no/don't know, or the rating scale."""

ALL_OPERATORS = frozenset({"equals", "in", "includes", "at_least", "at_most", "answered"})


@dataclass(frozen=True)
class QuestionKind:
    """One question type. A type with no `answer` (a note) is text shown, never an answer."""

    name: str
    keys: frozenset[str]
    """The JSON keys only this type accepts (beyond id, type, label, hint, required, show_if...)."""
    widget: WidgetKind
    answer: AnswerKind | None = None
    operators: frozenset[str] = frozenset()
    """The condition operators that may look at this type's answers."""
    export: ExportKind | None = None
    demo: DemoKind | None = None
    choices: ChoiceSource | None = None
    free_text: bool = False
    """Free text can name someone: sensitive unless the questionnaire says why not."""
    max_length: int | None = None
    """For free text: the longest answer a questionnaire may allow (and the default)."""

    @property
    def answers(self) -> bool:
        """Whether the question takes an answer (a note does not)."""
        return self.answer is not None

    @property
    def ordered(self) -> bool:
        """Whether answers compare as at least / at most."""
        return "at_least" in self.operators

    @property
    def several(self) -> bool:
        """Whether the answer is a list (of choice ids)."""
        return self.answer == "choices"
