"""The prepared paths an import uses give exactly what the plain definitions give.

`contribution_rows` and the cleaning plan look everything up once per questionnaire; the
references here walk the questionnaire's definitions row by row, as the code once did.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date

import pytest

from cml.core.indicators import Contribution, contribution_rows, contributions
from cml.core.questionnaire import Answer, Questionnaire, evaluate, load_questionnaire
from cml.core.synthetic import Generator, facility_profiles
from tests.conftest import FIXTURES, SURVEYS

TODAY = date(2026, 2, 10)
NAMES = ["clinic_exit", "incident_report", "training_evaluation", "mini"]


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
