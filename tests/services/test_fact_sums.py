"""indicator_sums always equals the facts summed directly, whatever wrote them."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Facility, IndicatorFact, IndicatorSum
from cml.services import fact_sums, surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.indicators import rebuild
from cml.services.responses import store_response
from tests.conftest import FIXTURES

KEY = [getattr(IndicatorFact, k) for k in fact_sums.KEY]


def direct() -> dict[tuple, tuple]:
    query = select(*KEY, func.sum(IndicatorFact.numerator), func.sum(IndicatorFact.denominator),
                   func.sum(IndicatorFact.numerator_squared), func.count()).group_by(*KEY)
    return {tuple(row[:5]): tuple(row[5:]) for row in db.session.execute(query)}


def summed() -> dict[tuple, tuple]:
    query = select(*[getattr(IndicatorSum, k) for k in fact_sums.KEY], IndicatorSum.numerator, IndicatorSum.denominator,
                   IndicatorSum.numerator_squared, IndicatorSum.facts).where(IndicatorSum.facts != 0)
    return {tuple(row[:5]): tuple(row[5:]) for row in db.session.execute(query)}


def assert_in_step() -> None:
    expected, actual = direct(), summed()
    assert expected.keys() == actual.keys()
    for key, values in expected.items():
        assert actual[key] == pytest.approx(values), key


def test_sums_follow_every_way_facts_are_written(app, mini) -> None:
    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        other = db.session.scalar(select(Facility).where(Facility.code == "kyiv-02"))
        store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 1), {"tested": "yes", "wait": 20, "attitude": "rude"}, None)
        store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 3), {"tested": "no", "why_not": "refused", "wait": 45}, None)
        db.session.commit()
        assert_in_step()
        items = [NewResponse(uuid.uuid4(), f.id, f.region_id, date(2026, m, 5), {"tested": t, "wait": w})
                 for f in (kyiv, other) for m in (8, 9, 10) for t, w in (("yes", 10), ("yes", 15), ("no", 70))]
        store_many(version, items, source="import")
        db.session.commit()
        assert_in_step()
        # A new definition, then a rebuild: the sums move with the facts.
        document = json.loads((FIXTURES / "mini.json").read_text())
        document["version"] = 2
        document["indicators"][0]["numerator"] = {"question": "tested", "equals": "no"}
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
        before = dict(summed())
        for _ in rebuild([version]):
            db.session.commit()
        assert_in_step()
        assert summed() != before
        # Recomputing from the facts changes nothing.
        fact_sums.refresh()
        db.session.commit()
        assert_in_step()


def test_generated_demo_data_is_summed(app, generated) -> None:
    with app.app_context():
        assert_in_step()
        assert db.session.scalar(select(func.count()).select_from(IndicatorSum)) > 100


def test_summed_rows_add_to_existing_sums_in_any_order(app, mini) -> None:
    """`add_totals` (what the bulk store hands over) adds to what is there, creates what is
    not, takes keys in any order and whole numbers as well as fractions, on either database."""
    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        key = (version.questionnaire_id, "offered_test", 202610, kyiv.region_id, kyiv.id)
        other = (version.questionnaire_id, "mean_wait", 202609, kyiv.region_id, kyiv.id)
        fact_sums.add_totals([(*key, 1, 2, 1, 2)])
        fact_sums.add_totals([(*other, 30.5, 1.0, 930.25, 1), (*key, 0.0, 1.0, 0.0, 1)])
        fact_sums.add_totals([])
        db.session.commit()
        rows = {tuple(row[:5]): tuple(row[5:]) for row in db.session.execute(
            select(*[getattr(IndicatorSum, k) for k in fact_sums.KEY], IndicatorSum.numerator, IndicatorSum.denominator,
                   IndicatorSum.numerator_squared, IndicatorSum.facts))}
        assert rows == {key: (1.0, 3.0, 1.0, 3), other: (30.5, 1.0, 930.25, 1)}
