"""`recount` keeps facts and sums as a full rebuild would make them, whatever changed."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from cml.extensions import db
from cml.models import IndicatorFact, Response
from cml.services import counting, indicators
from tests.services.test_fact_sums import assert_in_step, summed


def _facts() -> set[tuple]:
    return set(db.session.execute(select(IndicatorFact.response_id, IndicatorFact.indicator, IndicatorFact.numerator,
                                         IndicatorFact.denominator)).all())


def _rebuilt() -> tuple[dict, set]:
    for _ in indicators.rebuild(indicators.rebuild_plan()):
        pass
    return summed(), _facts()


def test_trashed_responses_leave_the_figures_and_come_back(app, generated) -> None:
    with app.app_context():
        ids = list(db.session.scalars(select(Response.id).order_by(Response.id)))
        before = summed()
        chosen = random.Random(5).sample(ids, 40)
        db.session.execute(update(Response).where(Response.id.in_(chosen)).values(deleted_at=datetime.now(UTC)))
        done = counting.recount(chosen)
        assert done.removed > 0 and done.added == 0
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id.in_(chosen))) == 0
        assert_in_step()
        after, facts = summed(), _facts()
        assert after != before
        assert _rebuilt() == (after, facts)  # a rebuild leaves trashed responses out too
        db.session.execute(update(Response).where(Response.id.in_(chosen)).values(deleted_at=None))
        counting.recount(chosen)
        assert summed() == before
        assert_in_step()


def test_recount_of_unchanged_responses_changes_nothing(app, generated) -> None:
    with app.app_context():
        before, facts = summed(), _facts()
        ids = list(db.session.scalars(select(Response.id)))
        done = counting.recount(ids[:300])
        assert done.removed == done.added > 0
        assert (summed(), _facts()) == (before, facts)
        assert counting.recount([]) == counting.Recounted(0, 0)
