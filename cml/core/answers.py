"""Cleaning raw answers (form fields, CSV cells) into typed answers under skip logic.

Used by the web form, the paper-form import and the API alike, so a questionnaire's
rules are enforced the same way everywhere. Errors are codes with parameters, not
sentences: the caller words them in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from cml.core.questionnaire import Answer, Question, Questionnaire, Section, Text, evaluate, is_answered

RawValue = str | Sequence[str] | None

MAX_NUMBER_CHARS = 32


@dataclass(frozen=True)
class FieldError:
    """Why one answer was refused.

    `code` is one of: required, not_a_choice, too_many_choices, too_few_choices,
    not_an_integer, not_a_number, below_min, above_max, not_a_date, future_date,
    too_long, constraint, not_applicable_list.
    """

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    message: Text | None = None
    """For `constraint`: the questionnaire's own message."""


@dataclass(frozen=True)
class CleanedAnswers:
    answers: dict[str, Answer]
    """Typed answers to the questions that apply; skipped questions are absent."""
    errors: dict[str, FieldError]
    unknown: tuple[str, ...] = ()
    """Submitted keys that are not questions of this questionnaire."""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown


def applies(question: Question, questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> bool:
    """Whether `question` is asked, given the answers to earlier questions."""
    section = questionnaire.section_of(question.id)
    if section is not None and not section_applies(section, answers):
        return False
    return question.show_if is None or evaluate(question.show_if, answers)


def section_applies(section: Section, answers: Mapping[str, Answer]) -> bool:
    """Whether a section (page) is shown, given the answers to earlier sections."""
    return section.show_if is None or evaluate(section.show_if, answers)


def clean_answers(
    questionnaire: Questionnaire,
    raw: Mapping[str, RawValue],
    today: date,
    accept_labels: bool = False,
) -> CleanedAnswers:
    """Typed answers and per-question errors for raw string input.

    Questions are visited in order, so skip logic sees the cleaned earlier answers;
    answers to questions that do not apply are dropped and never required.

    :param accept_labels: also accept a choice's label in any language (paper import).
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, FieldError] = {}
    for question in questionnaire.questions:
        if not applies(question, questionnaire, answers):
            continue
        value, error = clean_one(question, raw.get(question.id), today, accept_labels)
        if error is None and value is None and question.required:
            error = FieldError("required")
        if error is None and value is not None:
            answers[question.id] = value
            if question.constraint is not None and not evaluate(question.constraint.condition, answers):
                error = FieldError("constraint", message=question.constraint.message)
                del answers[question.id]
        if error is not None:
            errors[question.id] = error
    known = {q.id for q in questionnaire.questions}
    unknown = tuple(sorted(key for key in raw if key not in known))
    return CleanedAnswers(answers, errors, unknown)


def clean_one(question: Question, raw: RawValue, today: date, accept_labels: bool = False) -> tuple[Answer, FieldError | None]:
    """One typed answer (None when blank) or the reason it is refused."""
    if question.type == "multiple_choice":
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return _clean_multiple(question, [i.strip() for i in items if i and i.strip()], accept_labels)
    if raw is not None and not isinstance(raw, str):
        values = [v for v in raw if v and v.strip()]
        if len(values) > 1:
            return None, FieldError("not_applicable_list")
        raw = values[0] if values else None
    text = (raw or "").strip()
    if not text:
        return None, None
    if question.type in ("single_choice", "yes_no_dk"):
        choice = _match_choice(question, text, accept_labels)
        return (choice, None) if choice else (None, FieldError("not_a_choice", {"value": text[:50]}))
    if question.type in ("integer", "rating", "decimal"):
        return _clean_number(question, text)
    if question.type == "date":
        return _clean_date(question, text, today)
    limit = question.max_length or 0
    if len(text) > limit:
        return None, FieldError("too_long", {"max": limit, "length": len(text)})
    return text, None


def _match_choice(question: Question, text: str, accept_labels: bool) -> str | None:
    if text in question.choice_ids:
        return text
    if accept_labels:
        folded = text.casefold()
        for choice in question.choices:
            if any(label.strip().casefold() == folded for label in choice.label.values()):
                return choice.id
    return None


def _clean_multiple(question: Question, items: list[str], accept_labels: bool) -> tuple[Answer, FieldError | None]:
    chosen: list[str] = []
    for item in items:
        choice = _match_choice(question, item, accept_labels)
        if choice is None:
            return None, FieldError("not_a_choice", {"value": item[:50]})
        if choice not in chosen:
            chosen.append(choice)
    if not chosen:
        return None, None
    # Keep the questionnaire's order so equal answers compare equal.
    chosen.sort(key=question.choice_ids.index)
    if question.max_selected is not None and len(chosen) > question.max_selected:
        return None, FieldError("too_many_choices", {"max": question.max_selected})
    if question.min_selected is not None and len(chosen) < question.min_selected:
        return None, FieldError("too_few_choices", {"min": question.min_selected})
    return chosen, None


def _clean_number(question: Question, text: str) -> tuple[Answer, FieldError | None]:
    if len(text) > MAX_NUMBER_CHARS:
        return None, FieldError("not_a_number")
    whole = question.type in ("integer", "rating")
    normalised = text.replace(",", ".").replace("\u00a0", "").replace(" ", "")
    try:
        number = Decimal(normalised)
    except InvalidOperation:
        return None, FieldError("not_an_integer" if whole else "not_a_number")
    if not number.is_finite():
        return None, FieldError("not_a_number")
    if whole and number != number.to_integral_value():
        return None, FieldError("not_an_integer")
    value: int | float = int(number) if whole else float(number)
    if not math.isfinite(value):
        return None, FieldError("not_a_number")
    if question.minimum is not None and value < question.minimum:
        return None, FieldError("below_min", {"min": _plain(question.minimum)})
    if question.maximum is not None and value > question.maximum:
        return None, FieldError("above_max", {"max": _plain(question.maximum)})
    return value, None


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _clean_date(question: Question, text: str, today: date) -> tuple[Answer, FieldError | None]:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None, FieldError("not_a_date")
    if len(text) != 10:
        return None, FieldError("not_a_date")
    if not question.allow_future and value > today:
        return None, FieldError("future_date")
    return value.isoformat(), None


def answers_as_raw(answers: Mapping[str, Answer]) -> dict[str, RawValue]:
    """Typed answers back to raw strings, e.g. to refill a form from a saved draft."""
    raw: dict[str, RawValue] = {}
    for key, value in answers.items():
        if isinstance(value, list):
            raw[key] = list(value)
        elif is_answered(value):
            raw[key] = str(_plain(value)) if isinstance(value, float) else str(value)
    return raw
