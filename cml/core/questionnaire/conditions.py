"""Skip logic, constraints and indicator rules as JSON condition trees.

A condition is data, parsed into small immutable nodes and evaluated by walking them:
nothing is ever evaluated as code. Parsing reports every problem with its JSON path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from cml.core.question_types import QUESTION_KINDS, is_time
from cml.core.questionnaire.problems import Problem, child

MAX_CONDITION_DEPTH = 12

COMPARISONS = ("equals", "in", "includes", "at_least", "at_most", "answered")

Scalar = str | int | float
Answer = str | int | float | list[str] | None


@dataclass(frozen=True)
class QuestionRef:
    """Another question's answer used as the value of a comparison."""

    question: str


ConditionValue = Scalar | bool | tuple[Scalar, ...] | QuestionRef
Test = Callable[[Mapping[str, Answer]], bool]
"""A condition made into a function of the answers (closures over the parsed node, never code from text)."""


class _Compiled:
    """A node that builds its test once: imports evaluate the same conditions for every row."""

    @cached_property
    def test(self) -> Test:
        return _compile(self)  # type: ignore[arg-type]

    def __getstate__(self) -> dict[str, Any]:
        # Closures do not pickle (questionnaires go to worker processes); rebuilt on first use.
        return {k: v for k, v in self.__dict__.items() if k != "test"}


@dataclass(frozen=True)
class Compare(_Compiled):
    question: str
    operator: str
    value: ConditionValue


@dataclass(frozen=True)
class Not(_Compiled):
    condition: Condition


@dataclass(frozen=True)
class All(_Compiled):
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf(_Compiled):
    conditions: tuple[Condition, ...]


Condition = Compare | Not | All | AnyOf


@dataclass(frozen=True)
class Referable:
    """What a condition needs to know about a question it may refer to."""

    id: str
    type: str
    choice_ids: tuple[str, ...]


def is_answered(answer: object) -> bool:
    return answer is not None and answer != "" and answer != []


def evaluate(condition: Condition, answers: Mapping[str, Answer]) -> bool:
    """True when `answers` meet `condition`; a comparison with a missing answer is false."""
    return condition.test(answers)


def _compile(condition: Condition) -> Test:
    if isinstance(condition, Not):
        inner = condition.condition.test
        return lambda answers: not inner(answers)
    if isinstance(condition, All):
        every = tuple(c.test for c in condition.conditions)

        def all_of(answers: Mapping[str, Answer]) -> bool:
            for test in every:  # noqa: SIM110 (a loop costs less than a generator per call)
                if not test(answers):
                    return False
            return True

        return all_of
    if isinstance(condition, AnyOf):
        some = tuple(c.test for c in condition.conditions)

        def any_of(answers: Mapping[str, Answer]) -> bool:
            for test in some:  # noqa: SIM110 (a loop costs less than a generator per call)
                if test(answers):
                    return True
            return False

        return any_of
    return _compile_comparison(condition.question, condition.operator, condition.value)


def _compile_comparison(question: str, operator: str, value: ConditionValue) -> Test:  # noqa: C901 (one small closure per operator)
    if operator == "answered":
        return lambda answers: is_answered(answers.get(question)) == value
    if operator == "equals":
        if isinstance(value, bool):  # only the same bool equals a bool (True == 1 otherwise)
            def equals_bool(answers: Mapping[str, Answer]) -> bool:
                answer = answers.get(question)
                if not is_answered(answer):
                    return False
                return value in answer if isinstance(answer, list) else answer is value  # type: ignore[comparison-overlap]

            return equals_bool

        def equals(answers: Mapping[str, Answer]) -> bool:
            answer = answers.get(question)
            if answer is None or answer == "" or answer == []:
                return False
            if isinstance(answer, list):
                return value in answer
            return answer is value if isinstance(answer, bool) else answer == value

        return equals
    if operator == "in":
        options = value if isinstance(value, tuple) else (value,)
        if all(type(option) is str for option in options):
            # Text options (choice ids): a set lookup gives what comparing one by one gives.
            texts = frozenset(options)

            def in_texts(answers: Mapping[str, Answer]) -> bool:
                answer = answers.get(question)
                if answer is None or answer == "" or answer == []:
                    return False
                if isinstance(answer, list):
                    return any(a in options for a in answer)
                return isinstance(answer, str) and answer in texts

            return in_texts

        def in_options(answers: Mapping[str, Answer]) -> bool:
            answer = answers.get(question)
            if not is_answered(answer):
                return False
            if isinstance(answer, list):
                return any(a in options for a in answer)
            return any(_same(answer, option) for option in options)

        return in_options
    if operator == "includes":
        def includes(answers: Mapping[str, Answer]) -> bool:
            answer = answers.get(question)
            return is_answered(answer) and isinstance(answer, list) and value in answer

        return includes
    at_least = operator == "at_least"  # anything else compares as at_most

    def ordered(answers: Mapping[str, Answer]) -> bool:
        answer = answers.get(question)
        if not is_answered(answer):
            return False
        threshold = answers.get(value.question) if isinstance(value, QuestionRef) else value
        if not is_answered(threshold) or isinstance(answer, list) or isinstance(threshold, (list, bool)):
            return False
        if isinstance(answer, str) != isinstance(threshold, str):
            return False
        if at_least:
            return answer >= threshold  # type: ignore[operator]
        return answer <= threshold  # type: ignore[operator]

    return ordered


def _same(answer: object, value: object) -> bool:
    if isinstance(answer, bool) or isinstance(value, bool):
        return answer is value
    return answer == value


def condition_to_json(condition: Condition) -> dict[str, object]:
    """The JSON form of a parsed condition, e.g. for the browser's skip-logic helper."""
    if isinstance(condition, Not):
        return {"not": condition_to_json(condition.condition)}
    if isinstance(condition, All):
        return {"all": [condition_to_json(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_to_json(c) for c in condition.conditions]}
    value = condition.value
    if isinstance(value, QuestionRef):
        return {"question": condition.question, condition.operator: {"question": value.question}}
    return {"question": condition.question, condition.operator: list(value) if isinstance(value, tuple) else value}


def referenced_questions(condition: Condition) -> Iterator[str]:
    """Every question id a condition reads."""
    if isinstance(condition, Not):
        yield from referenced_questions(condition.condition)
    elif isinstance(condition, (All, AnyOf)):
        for c in condition.conditions:
            yield from referenced_questions(c)
    else:
        yield condition.question
        if isinstance(condition.value, QuestionRef):
            yield condition.value.question


def parse_condition(
    raw: object,
    path: str,
    visible: Mapping[str, Referable],
    known: Mapping[str, Referable],
    problems: list[Problem],
    depth: int = 0,
) -> Condition | None:
    """Parse a condition tree, appending a problem for each mistake.

    :param visible: the questions this condition may read (the earlier ones).
    :param known: every question of the questionnaire, to tell "later" from "unknown".
    """
    if depth >= MAX_CONDITION_DEPTH:
        problems.append(Problem(path, f"condition nested more than {MAX_CONDITION_DEPTH} levels deep"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(path, "a condition must be an object such as {\"question\": \"q1\", \"equals\": \"yes\"}"))
        return None
    keys = set(raw)
    if keys & {"not", "all", "any"}:
        if len(keys) != 1:
            problems.append(Problem(path, f"\"{_first(keys & {'not', 'all', 'any'})}\" must be the only key of its condition"))
            return None
        return _parse_group(raw, path, visible, known, problems, depth)
    return _parse_comparison(raw, path, visible, known, problems)


def _first(keys: set[str]) -> str:
    return sorted(keys)[0]


def _parse_group(
    raw: dict[str, object],
    path: str,
    visible: Mapping[str, Referable],
    known: Mapping[str, Referable],
    problems: list[Problem],
    depth: int,
) -> Condition | None:
    (key, value), = raw.items()
    if key == "not":
        inner = parse_condition(value, child(path, "not"), visible, known, problems, depth + 1)
        return Not(inner) if inner is not None else None
    if not isinstance(value, list) or not value:
        problems.append(Problem(child(path, key), f"\"{key}\" needs a non-empty list of conditions"))
        return None
    parts = [
        parse_condition(item, child(child(path, key), i), visible, known, problems, depth + 1)
        for i, item in enumerate(value)
    ]
    if any(p is None for p in parts):
        return None
    conditions = tuple(p for p in parts if p is not None)
    return All(conditions) if key == "all" else AnyOf(conditions)


def _parse_comparison(
    raw: dict[str, object],
    path: str,
    visible: Mapping[str, Referable],
    known: Mapping[str, Referable],
    problems: list[Problem],
) -> Condition | None:
    operators = [k for k in raw if k in COMPARISONS]
    unknown = sorted(set(raw) - set(COMPARISONS) - {"question"})
    if unknown:
        problems.append(Problem(child(path, unknown[0]), f"unknown condition key \"{unknown[0]}\"; use one of: question, {', '.join(COMPARISONS)}, not, all, any"))
        return None
    if "question" not in raw:
        problems.append(Problem(path, "a comparison needs \"question\": the id of the question it looks at"))
        return None
    if len(operators) != 1:
        problems.append(Problem(path, f"a comparison needs exactly one of: {', '.join(COMPARISONS)}"))
        return None
    operator = operators[0]
    question = _resolve(raw["question"], child(path, "question"), visible, known, problems)
    if question is None:
        return None
    if not QUESTION_KINDS[question.type].answers:
        problems.append(Problem(child(path, "question"), f"\"{question.id}\" is a {question.type}: it has no answer to look at"))
        return None
    value = _parse_value(question, operator, raw[operator], child(path, operator), visible, known, problems)
    if value is None:
        return None
    return Compare(question.id, operator, value)


def _resolve(
    raw: object, path: str, visible: Mapping[str, Referable], known: Mapping[str, Referable], problems: list[Problem]
) -> Referable | None:
    if not isinstance(raw, str):
        problems.append(Problem(path, "must be a question id (text)"))
        return None
    if raw in visible:
        return visible[raw]
    if raw in known:
        problems.append(Problem(path, f"\"{raw}\" is not an earlier question; skip logic can only look back"))
    else:
        problems.append(Problem(path, f"there is no question \"{raw}\""))
    return None


def _parse_value(
    question: Referable,
    operator: str,
    raw: object,
    path: str,
    visible: Mapping[str, Referable],
    known: Mapping[str, Referable],
    problems: list[Problem],
) -> ConditionValue | None:
    def fail(message: str) -> ConditionValue | None:
        problems.append(Problem(path, message))
        return None

    if operator == "answered":
        if not isinstance(raw, bool):
            return fail("\"answered\" must be true or false")
        return raw
    if operator == "includes":
        if question.type != "multiple_choice":
            return fail(f"\"includes\" works only on multiple-choice questions; \"{question.id}\" is {question.type}")
        return _choice_value(question, raw, path, problems)
    if operator == "equals":
        if question.type == "multiple_choice":
            return fail(f"\"{question.id}\" allows several answers: use \"includes\" or \"in\" instead of \"equals\"")
        return _scalar_value(question, raw, path, problems)
    if operator == "in":
        if not isinstance(raw, list) or not raw:
            return fail("\"in\" needs a non-empty list of values")
        values = [_scalar_value(question, item, child(path, i), problems, multi_ok=True) for i, item in enumerate(raw)]
        if any(v is None for v in values):
            return None
        return tuple(v for v in values if v is not None)
    # at_least / at_most
    kind = QUESTION_KINDS[question.type]
    if operator not in kind.operators:
        return fail(f"\"{operator}\" works only on number, rating, date and time questions; \"{question.id}\" is {question.type}")
    if isinstance(raw, dict):
        if set(raw) != {"question"}:
            return fail("compare with another answer as {\"question\": \"other_id\"}")
        other = _resolve(raw["question"], child(path, "question"), visible, known, problems)
        if other is None:
            return None
        other_kind = QUESTION_KINDS[other.type]
        if not other_kind.ordered or _compared_as(other_kind.answer) != _compared_as(kind.answer):
            return fail(f"cannot compare {question.type} \"{question.id}\" with {other.type} \"{other.id}\"")
        return QuestionRef(other.id)
    return _scalar_value(question, raw, path, problems)


def _compared_as(answer: str | None) -> str | None:
    """What ordered answers compare as: numbers with numbers, dates with dates, times with times."""
    return "number" if answer in ("whole", "decimal") else answer


def _choice_value(question: Referable, raw: object, path: str, problems: list[Problem]) -> str | None:
    if not isinstance(raw, str):
        problems.append(Problem(path, f"must be a choice id of \"{question.id}\""))
        return None
    if raw not in question.choice_ids:
        problems.append(Problem(path, f"\"{raw}\" is not a choice of \"{question.id}\" (choices: {', '.join(question.choice_ids)})"))
        return None
    return raw


def _scalar_value(
    question: Referable, raw: object, path: str, problems: list[Problem], multi_ok: bool = False
) -> Scalar | None:
    answer = QUESTION_KINDS[question.type].answer
    if answer in ("choice", "choices"):
        return _choice_value(question, raw, path, problems)
    if answer in ("whole", "decimal"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            problems.append(Problem(path, f"must be a number, as \"{question.id}\" is a {question.type} question"))
            return None
        return raw
    if answer == "date":
        if not isinstance(raw, str) or not _is_iso_date(raw):
            problems.append(Problem(path, f"must be a date written YYYY-MM-DD, as \"{question.id}\" is a date question"))
            return None
        return raw
    if answer == "time":
        if not is_time(raw):
            problems.append(Problem(path, f"must be a time written HH:MM (24-hour, e.g. \"07:05\"), as \"{question.id}\" is a time question"))
            return None
        return raw
    if not isinstance(raw, str):
        problems.append(Problem(path, f"must be text, as \"{question.id}\" is a {question.type} question"))
        return None
    return raw


def _is_iso_date(raw: str) -> bool:
    try:
        date.fromisoformat(raw)
    except ValueError:
        return False
    return len(raw) == 10
