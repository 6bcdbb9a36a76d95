"""Cleaning raw answers (form fields, CSV cells) into typed answers under skip logic.

Used by the web form, the paper-form import and the API alike, so a questionnaire's
rules are enforced the same way everywhere. Errors are codes with parameters, not
sentences: the caller words them in the reader's language.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from cml.core.bounds import EARLIEST_ANSWER_DATE, INT64_MAX, INT64_MIN, latest_answer_date, plain_text
from cml.core.question_types import AnswerKind, kind_of
from cml.core.questionnaire import Answer, Question, Questionnaire, Section, Text, evaluate, is_answered
from cml.core.questionnaire.conditions import Condition

RawValue = str | Sequence[str] | None

MAX_NUMBER_CHARS = 32


@dataclass(frozen=True)
class FieldError:
    """Why one answer was refused.

    `code` is one of: required, not_a_choice, too_many_choices, too_few_choices,
    not_an_integer, not_a_number, below_min, above_max, not_a_date, future_date,
    not_a_time, too_long, constraint, not_applicable_list.
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
    return _plan_of(questionnaire, accept_labels).clean(raw, today)


def clean_one(question: Question, raw: RawValue, today: date, accept_labels: bool = False) -> tuple[Answer, FieldError | None]:
    """One typed answer (None when blank) or the reason it is refused."""
    return _cleaner(question, accept_labels)(raw, today)


Cleaner = Callable[[RawValue, date], tuple[Answer, FieldError | None]]
Shown = Callable[[Mapping[str, Answer]], bool]
Offered = Callable[[Mapping[str, Answer], Answer], bool]


class _Plan:
    """A questionnaire's checks prepared once (conditions as functions, choice sets, label
    lookups), so cleaning a response does no more than the answers require: a paper import
    cleans thousands of rows with the same questionnaire."""

    def __init__(self, questionnaire: Questionnaire, accept_labels: bool) -> None:
        self.steps: list[tuple[str, Shown | None, Cleaner, bool, Shown | None, Text | None, Offered | None]] = []
        for section in questionnaire.sections:
            for question in section.questions:
                if not question.answers:  # a note: text shown, nothing to clean
                    continue
                constraint = question.constraint
                self.steps.append((
                    question.id,
                    _shown(section.show_if, question.show_if),
                    _cleaner(question, accept_labels),
                    question.required,
                    constraint.condition.test if constraint is not None else None,
                    constraint.message if constraint is not None else None,
                    _offered(question),
                ))
        self.known = frozenset(step[0] for step in self.steps)

    def clean(self, raw: Mapping[str, RawValue], today: date) -> CleanedAnswers:
        answers: dict[str, Answer] = {}
        errors: dict[str, FieldError] = {}
        for question_id, shown, cleaner, required, constraint, message, offered in self.steps:
            if shown is not None and not shown(answers):
                continue
            given = raw.get(question_id)
            # Blank (None, "", []) is no answer to any type; a paper form leaves many blank.
            value, error = cleaner(given, today) if given else (None, None)
            if offered is not None and value is not None and not offered(answers, value):
                value, error = None, FieldError("not_a_choice", {"value": str(value)[:50]})
            if error is None and value is None and required:
                error = FieldError("required")
            if error is None and value is not None:
                answers[question_id] = value
                if constraint is not None and not constraint(answers):
                    error = FieldError("constraint", message=message)
                    del answers[question_id]
            if error is not None:
                errors[question_id] = error
        known = self.known
        unknown = () if known.issuperset(raw) else tuple(sorted(key for key in raw if key not in known))
        return CleanedAnswers(answers, errors, unknown)


# Plans by questionnaire identity; the weak reference lets a plan go with its questionnaire.
_PLANS: dict[tuple[int, bool], tuple[weakref.ref[Questionnaire], _Plan]] = {}


def _plan_of(questionnaire: Questionnaire, accept_labels: bool) -> _Plan:
    key = (id(questionnaire), accept_labels)
    found = _PLANS.get(key)
    if found is not None and found[0]() is questionnaire:
        return found[1]
    plan = _Plan(questionnaire, accept_labels)
    _PLANS[key] = (weakref.ref(questionnaire, lambda _gone: _PLANS.pop(key, None)), plan)
    return plan


def _shown(section_if: Condition | None, question_if: Condition | None) -> Shown | None:
    """The section's condition, then the question's (what `applies` checks), as one test."""
    if section_if is None:
        return question_if.test if question_if is not None else None
    section_test = section_if.test
    if question_if is None:
        return section_test
    question_test = question_if.test
    return lambda answers: section_test(answers) and question_test(answers)


def _offered(question: Question) -> Offered | None:
    """For a choice filter: whether a choice is offered, given the earlier answers."""
    decider = question.choice_filter
    if decider is None:
        return None
    only_when = {choice.id: choice.filter for choice in question.choices}

    def offered(answers: Mapping[str, Answer], value: Answer) -> bool:
        allowed = only_when.get(str(value))
        return allowed is None or answers.get(decider) in allowed

    return offered


def _cleaner(question: Question, accept_labels: bool) -> Cleaner:
    """The function that cleans one raw answer to `question`."""
    if kind_of(question.type).several:
        pick = _multiple(question, _matcher(question, accept_labels))

        def several(raw: RawValue, today: date) -> tuple[Answer, FieldError | None]:
            items = [raw] if isinstance(raw, str) else list(raw or [])
            return pick([plain_text(i.strip()) for i in items if i and i.strip()])

        return several
    typed = _typed(question, accept_labels)

    def one(raw: RawValue, today: date) -> tuple[Answer, FieldError | None]:
        if isinstance(raw, str):
            text = raw.strip()
        elif raw is None:
            return None, None
        else:
            values = [v for v in raw if v and v.strip()]
            if len(values) > 1:
                return None, FieldError("not_applicable_list")
            text = values[0].strip() if values else ""
        if not text:
            return None, None
        return typed(plain_text(text), today)

    return one


def _typed(question: Question, accept_labels: bool) -> Callable[[str, date], tuple[Answer, FieldError | None]]:
    """The check of a non-blank single answer, by the type's answer kind (cml.core.question_types)."""
    answer = kind_of(question.type).answer
    if answer is None:
        raise ValueError(f"a {question.type} takes no answer")
    return SINGLE_ANSWER_CHECKS[answer](question, accept_labels)


Check = Callable[[str, date], tuple[Answer, FieldError | None]]


def _choice_check(question: Question, accept_labels: bool) -> Check:
    match = _matcher(question, accept_labels)

    def choice(text: str, today: date) -> tuple[Answer, FieldError | None]:
        chosen = match(text)
        return (chosen, None) if chosen else (None, FieldError("not_a_choice", {"value": text[:50]}))

    return choice


def _text_check(question: Question, accept_labels: bool) -> Check:
    limit = question.max_length or 0

    def free_text(text: str, today: date) -> tuple[Answer, FieldError | None]:
        if len(text) > limit:
            return None, FieldError("too_long", {"max": limit, "length": len(text)})
        return text, None

    return free_text


def _several_check(question: Question, accept_labels: bool) -> Check:
    pick = _multiple(question, _matcher(question, accept_labels))
    return lambda text, today: pick([text])


SINGLE_ANSWER_CHECKS: Mapping[AnswerKind, Callable[[Question, bool], Check]] = {
    "choice": _choice_check,
    "choices": _several_check,
    "whole": lambda question, accept_labels: lambda text, today: _clean_number(question, text),
    "decimal": lambda question, accept_labels: lambda text, today: _clean_number(question, text),
    "date": lambda question, accept_labels: lambda text, today: _clean_date(question, text, today),
    "time": lambda question, accept_labels: lambda text, today: _clean_time(question, text),
    "text": _text_check,
}
"""One check per answer kind: a test holds it to every kind the registry uses."""


def _matcher(question: Question, accept_labels: bool) -> Callable[[str], str | None]:
    """A choice id by id or, with `accept_labels`, by its label in any language (any case)."""
    ids = frozenset(question.choice_ids)
    labels: dict[str, str] = {}
    if accept_labels:
        for c in question.choices:  # the first choice with the label wins, as in the questionnaire's order
            for label in c.label.values():
                labels.setdefault(label.strip().casefold(), c.id)

    def match(text: str) -> str | None:
        if text in ids:
            return text
        return labels.get(text.casefold()) if labels else None

    return match


def _multiple(question: Question, match: Callable[[str], str | None]) -> Callable[[list[str]], tuple[Answer, FieldError | None]]:
    order = {choice_id: i for i, choice_id in reversed(list(enumerate(question.choice_ids)))}
    most, least = question.max_selected, question.min_selected

    def pick(items: list[str]) -> tuple[Answer, FieldError | None]:
        chosen: list[str] = []
        for item in items:
            choice = match(item)
            if choice is None:
                return None, FieldError("not_a_choice", {"value": item[:50]})
            if choice not in chosen:
                chosen.append(choice)
        if not chosen:
            return None, None
        # Keep the questionnaire's order so equal answers compare equal.
        chosen.sort(key=order.__getitem__)
        if most is not None and len(chosen) > most:
            return None, FieldError("too_many_choices", {"max": most})
        if least is not None and len(chosen) < least:
            return None, FieldError("too_few_choices", {"min": least})
        return chosen, None

    return pick


def _clean_number(question: Question, text: str) -> tuple[Answer, FieldError | None]:
    if len(text) > MAX_NUMBER_CHARS:
        return None, FieldError("not_a_number")
    whole = kind_of(question.type).answer == "whole"
    value: int | float | Decimal
    if text.isascii() and text.isdigit():  # plain digits, most numbers: what Decimal would give, without it
        value = int(text) if whole else float(int(text))
    else:
        normalised = text.replace(",", ".").replace("\u00a0", "").replace(" ", "")
        try:
            number = Decimal(normalised)
        except InvalidOperation:
            return None, FieldError("not_an_integer" if whole else "not_a_number")
        if not number.is_finite():
            return None, FieldError("not_a_number")
        if whole and number != number.to_integral_value():
            return None, FieldError("not_an_integer")
        # A whole number is held to the bounds as the exact Decimal and made an int only
        # within them: int() of "1e999999999" would run for minutes (and "1e400" overflows a float).
        value = number if whole else float(number)
        if not whole and not math.isfinite(value):
            return None, FieldError("not_a_number")
    # The questionnaire's own bounds, else what the database stores (a 64-bit integer).
    low = question.minimum if question.minimum is not None else INT64_MIN
    high = question.maximum if question.maximum is not None else INT64_MAX
    if value < low:
        return None, FieldError("below_min", {"min": _plain(low)})
    if value > high:
        return None, FieldError("above_max", {"max": _plain(high)})
    return (int(value) if isinstance(value, Decimal) else value), None


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
    if value < EARLIEST_ANSWER_DATE:
        return None, FieldError("below_min", {"min": EARLIEST_ANSWER_DATE.isoformat()})
    latest = latest_answer_date(today)
    if value > latest:
        return None, FieldError("above_max", {"max": latest.isoformat()})
    return value.isoformat(), None


def _clean_time(question: Question, text: str) -> tuple[Answer, FieldError | None]:
    """A time of day as "HH:MM"; "7:05" (as a paper form or a spreadsheet writes it) reads as "07:05"."""
    hours, colon, minutes = text.partition(":")
    if not (colon and 1 <= len(hours) <= 2 and len(minutes) == 2 and (hours + minutes).isascii() and (hours + minutes).isdigit()):
        return None, FieldError("not_a_time")
    if int(hours) > 23 or int(minutes) > 59:
        return None, FieldError("not_a_time")
    value = f"{int(hours):02d}:{minutes}"
    if question.earliest is not None and value < question.earliest:
        return None, FieldError("below_min", {"min": question.earliest})
    if question.latest is not None and value > question.latest:
        return None, FieldError("above_max", {"max": question.latest})
    return value, None


def answers_as_raw(answers: Mapping[str, Answer]) -> dict[str, RawValue]:
    """Typed answers back to raw strings, e.g. to refill a form from a saved draft."""
    raw: dict[str, RawValue] = {}
    for key, value in answers.items():
        if isinstance(value, list):
            raw[key] = list(value)
        elif is_answered(value):
            raw[key] = str(_plain(value)) if isinstance(value, float) else str(value)
    return raw
