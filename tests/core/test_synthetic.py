"""Generated responses: valid, reproducible, clustered, within the dates asked for."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest

from cml.core.answers import answers_as_raw, clean_answers
from cml.core.indicators import contributions
from cml.core.questionnaire import load_questionnaire
from cml.core.synthetic import Generator, facility_profiles
from tests.conftest import FIXTURES, SURVEYS

TODAY = date(2026, 2, 10)
FIRST = date(2024, 4, 1)
FACILITIES = [(i, 1 + i // 4) for i in range(1, 21)]


def generate(name: str, count: int, seed: str = "7") -> list:
    questionnaire = load_questionnaire(name)
    profiles = facility_profiles(FACILITIES, random.Random(f"{seed}:facilities"))
    generator = Generator(questionnaire, profiles, FIRST, TODAY, TODAY, seed)
    rng = random.Random(seed)
    return [generator.response(rng) for _ in range(count)]


@pytest.mark.parametrize("name", ["clinic_exit", "incident_report", "training_evaluation", "violence_12m", "mini"])
def test_generated_answers_are_valid_and_dated_in_the_window(name: str) -> None:
    path = FIXTURES / "mini.json" if name == "mini" else SURVEYS / f"{name}.json"
    questionnaire = load_questionnaire(path)
    responses = generate(str(path), 300)
    for response in responses:
        cleaned = clean_answers(questionnaire, answers_as_raw(response.answers), TODAY)
        assert cleaned.ok and cleaned.answers == response.answers
        assert FIRST <= response.interview_date <= TODAY
        assert (response.facility_id, response.region_id) in FACILITIES
    indicators = {part.indicator_id for r in responses for part in contributions(questionnaire, r.answers)}
    assert indicators == {i.id for i in questionnaire.indicators}  # every indicator gets data


def test_the_same_seed_gives_the_same_responses() -> None:
    path = str(SURVEYS / "clinic_exit.json")
    assert generate(path, 50, "3") == generate(path, 50, "3")
    assert generate(path, 50, "3") != generate(path, 50, "4")


def test_facilities_differ_and_small_cells_reach_0_and_100_percent() -> None:
    path = SURVEYS / "clinic_exit.json"
    questionnaire = load_questionnaire(path)
    sums: dict[tuple[str, int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_facility: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for response in generate(str(path), 3000):
        quarter = response.interview_date.year * 10 + (response.interview_date.month - 1) // 3 + 1
        for part in contributions(questionnaire, response.answers):
            cell = sums[(part.indicator_id, response.facility_id, quarter)]
            cell[0] += part.numerator
            cell[1] += part.denominator
            if part.indicator_id == "hiv_test_offered":
                by_facility[response.facility_id][0] += part.numerator
                by_facility[response.facility_id][1] += part.denominator
    rates = sorted(x / n for x, n in by_facility.values() if n >= 30)
    assert rates[0] < 0.5 < 0.85 < rates[-1]  # some facilities much worse than others
    shares = [x / n for (indicator, _, _), (x, n) in sums.items() if indicator == "hiv_test_offered" and n > 0]
    breaches = [x / n for (indicator, _, _), (x, n) in sums.items() if indicator == "confidentiality_breach" and n > 0]
    assert 1.0 in shares and 0.0 in breaches


def test_profiles_have_much_worse_and_small_facilities() -> None:
    profiles = facility_profiles([(i, 1) for i in range(200)], random.Random(1))
    assert 10 < sum(p.quality < -1.5 for p in profiles) < 60
    assert 15 < sum(p.size < 0.15 for p in profiles) < 70


def test_dates_never_pass_today() -> None:
    questionnaire = load_questionnaire(SURVEYS / "clinic_exit.json")
    profiles = facility_profiles(FACILITIES, random.Random(1))
    with pytest.raises(ValueError):
        Generator(questionnaire, profiles, FIRST, date(2026, 3, 1), TODAY, "1")


def test_a_chunk_does_not_depend_on_what_was_generated_before() -> None:
    questionnaire = load_questionnaire(SURVEYS / "clinic_exit.json")
    profiles = facility_profiles(FACILITIES, random.Random(1))
    used = Generator(questionnaire, profiles, FIRST, TODAY, TODAY, "1")
    used.responses("other", 200)
    fresh = Generator(questionnaire, profiles, FIRST, TODAY, TODAY, "1")
    assert used.responses("chunk", 50) == fresh.responses("chunk", 50)
