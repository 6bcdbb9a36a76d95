"""The prepared paths an import uses give exactly what the plain definitions give.

`contribution_rows` and the cleaning plan look everything up once per questionnaire; the
references here walk the questionnaire's definitions row by row, as the code once did.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import pytest

from cml.core.answers import (
    MAX_NUMBER_CHARS,
    CleanedAnswers,
    FieldError,
    RawValue,
    answers_as_raw,
    applies,
    clean_answers,
    clean_one,
)
from cml.core.indicators import Contribution, contribution_rows, contributions
from cml.core.questionnaire import Answer, Question, Questionnaire, evaluate, load_questionnaire
from cml.core.synthetic import Generator, facility_profiles
from tests.conftest import FIXTURES, SURVEYS

TODAY = date(2026, 2, 10)
NAMES = ["clinic_exit", "incident_report", "training_evaluation", "violence_12m", "mini"]


def questionnaire_named(name: str) -> Questionnaire:
    return load_questionnaire(FIXTURES / "mini.json" if name == "mini" else SURVEYS / f"{name}.json")


def answer_sets(questionnaire: Questionnaire, count: int) -> list[dict[str, Answer]]:
    """Generated answers, and the same with answers dropped or replaced by odd values."""
    facilities = [(i, 1 + i // 4) for i in range(1, 13)]
    generator = Generator(questionnaire, facility_profiles(facilities, random.Random("f")), date(2025, 1, 1), TODAY, TODAY, "eq")
    rng = random.Random("eq")
    made = [dict(generator.response(rng).answers) for _ in range(count)]
    odd: list[Answer] = [None, "", [], True, False, 0, 3.5, "yes", ["x"]]
    changed = []
    for answers in made[: count // 2]:
        copy = dict(answers)
        for key in list(copy):
            if rng.random() < 0.3:
                del copy[key]
            elif rng.random() < 0.2:
                copy[key] = rng.choice(odd)
        changed.append(copy)
    return made + changed


def reference_contributions(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> list[Contribution]:
    result = []
    for indicator in questionnaire.indicators:
        if indicator.denominator is not None and not evaluate(indicator.denominator, answers):
            continue
        if indicator.type == "proportion":
            assert indicator.numerator is not None
            hit = 1.0 if evaluate(indicator.numerator, answers) else 0.0
            result.append(Contribution(indicator.id, hit, 1.0, hit))
            continue
        assert indicator.question is not None
        value = answers.get(indicator.question)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        result.append(Contribution(indicator.id, float(value), 1.0, float(value) ** 2))
    return result


@pytest.mark.parametrize("name", NAMES)
def test_contribution_rows_equal_the_definitions(name: str) -> None:
    questionnaire = questionnaire_named(name)
    rows_of = contribution_rows(questionnaire)
    for answers in answer_sets(questionnaire, 300):
        expected = reference_contributions(questionnaire, answers)
        assert contributions(questionnaire, answers) == expected
        assert rows_of(answers) == [(c.indicator_id, c.numerator, c.denominator, c.numerator_squared) for c in expected]


def reference_number(question: Question, text: str) -> tuple[Answer, str | None]:
    """Every number through Decimal, as the cleaner did before its plain-digits shortcut."""
    if len(text) > MAX_NUMBER_CHARS:
        return None, "not_a_number"
    whole = question.type in ("integer", "rating")
    try:
        number = Decimal(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except InvalidOperation:
        return None, "not_an_integer" if whole else "not_a_number"
    if not number.is_finite():
        return None, "not_a_number"
    if whole and number != number.to_integral_value():
        return None, "not_an_integer"
    value: int | float = int(number) if whole else float(number)
    if not math.isfinite(value):
        return None, "not_a_number"
    if question.minimum is not None and value < question.minimum:
        return None, "below_min"
    if question.maximum is not None and value > question.maximum:
        return None, "above_max"
    return value, None


NUMBER_TEXTS = ["0", "7", "007", "12", "600", "601", "1000000", "1000001", "99999999999999999999999999999999", "9" * 33,
                "12345678901234567890123", "0.5", "1,5", "12.0", "1e3", "-3", "+4", " 12 ", "1 000", "1\u00a0000", "²", "١٢",
                "１２", "nan", "inf", "abc", "", "0x10", "1_000"]


@pytest.mark.parametrize("name", ["clinic_exit", "incident_report", "training_evaluation", "violence_12m"])
def test_numbers_clean_as_through_decimal(name: str) -> None:
    questionnaire = questionnaire_named(name)
    numbers = [q for q in questionnaire.questions if q.type in ("integer", "decimal", "rating")]
    assert numbers
    for question in numbers:
        for text in NUMBER_TEXTS:
            value, error = clean_one(question, text, TODAY)
            expected, code = reference_number(question, text.strip()) if text.strip() else (None, None)
            assert (value, error.code if error else None) == (expected, code), (question.id, text)
            assert type(value) is type(expected)


def reference_clean(questionnaire: Questionnaire, raw: Mapping[str, RawValue], accept_labels: bool) -> CleanedAnswers:
    """Question by question with `applies` and `clean_one`, nothing prepared."""
    answers: dict[str, Answer] = {}
    errors: dict[str, FieldError] = {}
    for question in questionnaire.questions:
        if not applies(question, questionnaire, answers):
            continue
        value, error = clean_one(question, raw.get(question.id), TODAY, accept_labels)
        if error is None and value is None and question.required:
            error = FieldError("required")
        if error is None and value is not None:
            answers[question.id] = value
            if question.constraint is not None and not evaluate(question.constraint.condition, answers):
                error = FieldError("constraint", message=question.constraint.message)
                del answers[question.id]
        if error is not None:
            errors[question.id] = error
    ids = {q.id for q in questionnaire.questions}
    return CleanedAnswers(answers, errors, tuple(sorted(k for k in raw if k not in ids)))


def raw_sets(questionnaire: Questionnaire, count: int) -> list[dict[str, RawValue]]:
    """Raw forms of generated answers, and the same with blanks, spaces, labels, lists and strays."""
    rng = random.Random("raw")
    labels = {c.id: list(c.label.values()) for q in questionnaire.questions for c in q.choices}
    out: list[dict[str, RawValue]] = []
    for answers in answer_sets(questionnaire, count):
        raw = answers_as_raw({k: v for k, v in answers.items() if not isinstance(v, bool)})
        out.append(dict(raw))
        for key, value in list(raw.items()):
            roll = rng.random()
            if roll < 0.1:
                raw[key] = rng.choice(["", "  ", [], [""], None, ["a", "b"], " x "])
            elif roll < 0.2 and isinstance(value, str):
                raw[key] = f"  {value} "
            elif roll < 0.3 and isinstance(value, str) and labels.get(value):
                raw[key] = rng.choice(labels[value]).upper()
            elif roll < 0.35 and isinstance(value, list):
                raw[key] = [f" {v}" for v in value] + [" "]
        if rng.random() < 0.1:
            raw["stray_column"] = "1"
        out.append(raw)
    return out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("accept_labels", [False, True])
def test_clean_answers_equal_the_question_by_question_check(name: str, accept_labels: bool) -> None:
    questionnaire = questionnaire_named(name)
    for raw in raw_sets(questionnaire, 150):
        assert clean_answers(questionnaire, raw, TODAY, accept_labels) == reference_clean(questionnaire, raw, accept_labels)
