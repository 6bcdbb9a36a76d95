"""The 12-month violence survey: its indicators on generated data equal a count made by hand from the answers.

Each figure is computed here without the indicator machinery (no conditions, no contributions): a
share is "yes" among "yes" or "no", a mean is the plain average of the number of times among those
who said yes, a perpetrator's share is its ticks among those who said yes and named anyone. The
survey's responses belong to a region (one stand-in stratum per region), so a region's quarter is
one simple sample and its estimate is exactly x / n or the plain mean.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.core.periods import period_key
from cml.core.synthetic import Generator, facility_profiles
from cml.extensions import db
from cml.models import Region
from cml.services import surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.estimates import estimate_cells
from cml.services.scope import stand_in

TODAY = date(2026, 2, 10)
FIRST = date(2025, 1, 1)
TYPES = ("physical", "sexual", "economic", "verbal", "documents")
PERPETRATORS = ("client", "police", "third_party", "partner", "other")


@pytest.fixture
def surveyed(app, world) -> Any:
    """600 generated interviews at the regions' stand-ins over five quarters."""
    with app.app_context():
        version = surveys.latest_version("violence_12m")
        assert version is not None
        regions = db.session.scalars(select(Region).order_by(Region.code)).all()
        places = [(stand_in(region).id, region.id) for region in regions]
        db.session.commit()
        generator = Generator(surveys.model_of(version), facility_profiles(places, random.Random("v:places")), FIRST, TODAY, TODAY, "v")
        made = generator.responses("v:1", 600)
        items = [NewResponse(uuid.uuid4(), r.facility_id, r.region_id, r.interview_date, r.answers) for r in made]
        assert store_many(version, items, source="demo").stored == 600
        db.session.commit()
    return made


def by_hand(responses: list[Any]) -> dict[tuple[str, int, int], tuple[int, float]]:
    """(indicator, region, quarter) -> (n, estimate), counted straight from the answers."""
    tallies: dict[tuple[str, int, int], list[float]] = defaultdict(list)
    for response in responses:
        answers = response.answers
        cell = (response.region_id, period_key(response.interview_date.year * 100 + response.interview_date.month, "quarter"))
        said = {kind: answers.get(f"{kind}_12m") for kind in TYPES}
        for kind in TYPES:
            if said[kind] in ("yes", "no"):
                tallies[(f"{kind}_any", *cell)].append(1.0 if said[kind] == "yes" else 0.0)
            if said[kind] == "yes" and f"{kind}_times" in answers:
                tallies[(f"{kind}_mean_times", *cell)].append(float(answers[f"{kind}_times"]))
            if said[kind] == "yes" and answers.get(f"{kind}_by"):
                for who in PERPETRATORS:
                    tallies[(f"{kind}_by_{who}", *cell)].append(1.0 if who in answers[f"{kind}_by"] else 0.0)
        # At least one kind: known when any is yes, or when every kind was answered yes or no.
        if "yes" in said.values():
            tallies[("any_violence", *cell)].append(1.0)
        elif all(value == "no" for value in said.values()):
            tallies[("any_violence", *cell)].append(0.0)
    return {key: (len(values), sum(values) / len(values)) for key, values in tallies.items()}


def test_the_indicators_per_region_and_quarter_equal_a_count_by_hand(app, surveyed) -> None:
    expected = by_hand(surveyed)
    with app.app_context():
        table = estimate_cells("violence_12m", by=("region", "period"), grain="quarter")
        got = {(row.indicator, row.region_id, row.period): row for row in table.rows if row.n}
    assert got.keys() == expected.keys()
    for key, row in got.items():
        n, estimate = expected[key]
        assert row.n == n, key
        assert row.estimate == pytest.approx(estimate, abs=1e-12), key
        if row.kind == "proportion":
            assert row.x == round(estimate * n), key
    # Every kind of figure the 2012 study reported is there, with data: shares, means among victims, perpetrators.
    assert {key[0] for key in got} == {i.id for i in table.indicators}
    assert len({key[0] for key in got}) == 36


def test_refusing_consent_or_not_being_eligible_ends_the_interview(surveyed) -> None:
    ended = [r.answers for r in surveyed if r.answers.get("consent") == "no" or r.answers.get("sex_work_12m") == "no"]
    assert ended and all(set(answers) <= {"consent", "sex_work_12m"} for answers in ended)
