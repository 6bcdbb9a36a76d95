"""The questionnaire as immutable values, built only from a file that passed every check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from cml.core.question_types import QUESTION_KINDS, names_where
from cml.core.question_types.text import LONG_TEXT_MAX_LENGTH as LONG_TEXT_MAX_LENGTH
from cml.core.question_types.text import TEXT_MAX_LENGTH as TEXT_MAX_LENGTH
from cml.core.questionnaire.conditions import Condition

Text = Mapping[str, str]
"""A text in every language of the questionnaire: {"en": ..., "uk": ..., "ru": ...}."""

QuestionType = Literal[
    "single_choice",
    "multiple_choice",
    "yes_no_dk",
    "integer",
    "decimal",
    "rating",
    "date",
    "time",
    "text",
    "long_text",
    "note",
]
"""The names in cml.core.question_types (a test holds the two equal)."""
QUESTION_TYPES: tuple[QuestionType, ...] = tuple(QUESTION_KINDS)  # type: ignore[arg-type]
CHOICE_TYPES = names_where(choices="list") | names_where(choices="yes_no_dk")
NUMERIC_TYPES = names_where(export="number")
"""Types a mean may average."""
ORDERED_TYPES = frozenset(name for name, kind in QUESTION_KINDS.items() if kind.ordered)

YES_NO_DK_IDS = ("yes", "no", "dont_know")
BUILTIN_YES_NO_DK: Mapping[str, Text] = {
    "yes": {"en": "Yes", "uk": "Так", "ru": "Да"},
    "no": {"en": "No", "uk": "Ні", "ru": "Нет"},
    "dont_know": {"en": "Don't know", "uk": "Не знаю", "ru": "Не знаю"},
}


def translate(text: Text, language: str, fallback: str) -> str:
    """The text in `language`, else in the questionnaire's default language."""
    return text.get(language) or text.get(fallback) or next(iter(text.values()), "")


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text
    filter: tuple[str, ...] | None = None
    """With a choice filter: the earlier question's answers under which this choice is offered (None: always)."""


@dataclass(frozen=True)
class Constraint:
    condition: Condition
    message: Text


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    label: Text
    section_id: str
    position: int
    """Order in the whole questionnaire; skip logic may only look at lower positions."""
    hint: Text | None = None
    required: bool = False
    sensitive: bool = False
    show_if: Condition | None = None
    constraint: Constraint | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: Text | None = None
    min_selected: int | None = None
    max_selected: int | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    max_length: int | None = None
    allow_future: bool = False
    earliest: str | None = None
    """A time question's earliest answer, "HH:MM"."""
    latest: str | None = None
    """A time question's latest answer, "HH:MM"."""
    choice_filter: str | None = None
    """A single choice's earlier question whose answer decides which choices are offered."""

    @property
    def answers(self) -> bool:
        """Whether the question takes an answer (a note is only text shown)."""
        return QUESTION_KINDS[self.type].answers

    @property
    def widget(self) -> str:
        """How forms draw it (cml.core.question_types.WidgetKind)."""
        return QUESTION_KINDS[self.type].widget

    def offered(self, answers: Mapping[str, object]) -> tuple[Choice, ...]:
        """The choices offered given the earlier answers (all of them without a choice filter)."""
        if self.choice_filter is None:
            return self.choices
        decider = answers.get(self.choice_filter)
        return tuple(c for c in self.choices if c.filter is None or decider in c.filter)

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(choice.id for choice in self.choices)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    questions: tuple[Question, ...]
    show_if: Condition | None = None


IndicatorType = Literal["proportion", "mean"]


@dataclass(frozen=True)
class Indicator:
    id: str
    label: Text
    type: IndicatorType
    numerator: Condition | None = None
    denominator: Condition | None = None
    question: str | None = None
    """For a mean: the numeric or rating question averaged."""
    target: float | None = None
    """Percentage (0-100) for a proportion; the question's units for a mean."""
    better: Literal["higher", "lower"] | None = None


REVIEW_STATES = ("received", "approved", "has_issues", "rejected")
"""A response's review state: it starts as received; a reviewer approves it, flags issues or rejects it."""
COUNTED_BY_DEFAULT = ("received", "approved", "has_issues")
"""The states whose responses count in the indicators unless the questionnaire says otherwise."""


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    languages: tuple[str, ...]
    default_language: str
    title: Text
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...] = ()
    description: Text | None = None
    disclosure: Literal["sensitive", "standard"] = "sensitive"
    """Which small cells advocates' outputs withhold: "sensitive" (default) those with fewer
    than k people or 1 to k-1 on either side of a proportion; "standard" (answers that expose
    nobody, e.g. training evaluations) only those with fewer than k people."""
    sampling: Literal["monitored", "sampled"] = "monitored"
    """How the facilities were chosen ("sampling": {"facilities": ...} in the file): "monitored"
    (default) a chosen set, each a stratum of the estimates; "sampled" drawn at random, each a
    cluster, with regions as strata for figures over several regions."""
    subject: Literal["facility", "region", "event"] = "facility"
    """What a response belongs to: a facility (default; e.g. a clinic exit interview), a region
    (e.g. an incident, wherever it happened: the place is a question), or an event held in a
    region (e.g. a training, on the response's date)."""
    counted_states: tuple[str, ...] = COUNTED_BY_DEFAULT
    """The review states whose responses count in the indicators (the latest version's decide)."""
    _questions_by_id: Mapping[str, Question] = field(default_factory=dict, compare=False, repr=False)

    @property
    def at_facility(self) -> bool:
        """Whether a response names a facility (else its region's "no facility" stands in)."""
        return self.subject == "facility"

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    def question(self, question_id: str) -> Question | None:
        if not self._questions_by_id:
            return next((q for q in self.questions if q.id == question_id), None)
        return self._questions_by_id.get(question_id)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def text(self, text: Text | None, language: str) -> str:
        """`text` in `language`, falling back to the default language."""
        if text is None:
            return ""
        return translate(text, language, self.default_language)

    def section_of(self, question_id: str) -> Section | None:
        return self._sections_by_question.get(question_id)

    @cached_property
    def plain_ids(self) -> frozenset[str]:
        """Questions whose answers may be stored unencrypted: the ones not sensitive."""
        return frozenset(q.id for q in self.questions if not q.sensitive)

    @cached_property
    def _sections_by_question(self) -> Mapping[str, Section]:
        # Looked up for every question of every cleaned response: built once per questionnaire.
        return {q.id: s for s in self.sections for q in s.questions}
