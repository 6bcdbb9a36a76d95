"""The bulk store writes through the driver what the ORM and the single-response path read back."""

from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import select

from cml.core.indicators import contributions
from cml.extensions import db
from cml.models import Facility, IndicatorFact, Response
from cml.services.bulk import NewResponse, store_many
from cml.services.indicators import facts_model
from cml.services.response_rows import canonical_answers, payload
from cml.services.responses import all_answers, answers_hash


def test_the_payload_shortcut_is_the_canonical_json_of_the_submission(app) -> None:
    for answers in ({}, {"tested": "yes", "wait": 20, "cost": 2.5, "services": ["condoms", "pep"]},
                    {"story": "Грубо \"так\"\n\u00a0", "rating": 5, "visit_date": "2026-01-02", "cost": 1e-7}):
        day = date(2026, 10, 1)
        whole = json.dumps({"v": 7, "f": 12, "d": day.isoformat(), "a": answers}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert payload(7, 12, day, canonical_answers(answers)) == whole


def test_stored_rows_read_back_with_their_facts_and_repeats_are_recognised(app, mini) -> None:
    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        answers = [{"tested": "yes", "wait": 20, "attitude": "rude", "services": ["condoms", "pep"], "cost": 2.5},
                   {"tested": "no", "why_not": "refused", "story": "Довго чекали"}]
        ids = [uuid.uuid4(), uuid.uuid4()]
        items = [NewResponse(i, kyiv.id, kyiv.region_id, date(2026, 10, n + 1), a) for n, (i, a) in enumerate(zip(ids, answers, strict=True))]
        result = store_many(version, [*items, items[0]], source="import")
        assert (result.stored, result.duplicates, result.conflicts) == (2, 1, [])
        db.session.commit()
        db.session.expire_all()

        model = facts_model(version)
        for item in items:
            stored = db.session.scalar(select(Response).where(Response.submission_id == item.submission_id))
            assert stored is not None
            assert (all_answers(stored), stored.interview_date, stored.facility_id, stored.region_id, stored.source) == (
                item.answers, item.interview_date, kyiv.id, kyiv.region_id, "import")
            assert "story" not in stored.answers  # free text: sealed, never in the plain column
            assert stored.month == 202610 and stored.received_at is not None
            assert stored.answers_hash == answers_hash(stored, version.id, kyiv.id, item.interview_date, item.answers)
            assert stored.answers_hash != answers_hash(stored, version.id, kyiv.id, item.interview_date, {**item.answers, "wait": 21})
            facts = db.session.scalars(select(IndicatorFact).where(IndicatorFact.response_id == stored.id)).all()
            assert sorted((f.indicator, f.numerator, f.denominator, f.numerator_squared) for f in facts) == sorted(
                (p.indicator_id, p.numerator, p.denominator, p.numerator_squared) for p in contributions(model, item.answers))
            assert {(f.questionnaire_id, f.questionnaire_version_id, f.region_id, f.facility_id, f.month) for f in facts} == {
                (version.questionnaire_id, version.id, kyiv.region_id, kyiv.id, 202610)}

        changed = NewResponse(ids[1], kyiv.id, kyiv.region_id, date(2026, 10, 2), {"tested": "yes"})
        again = store_many(version, [items[0], changed], source="import")
        assert (again.stored, again.duplicates, again.conflicts) == (0, 1, [ids[1]])


def test_sqlite_page_cache_is_back_to_normal_after_a_batch(app, mini) -> None:
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name != "sqlite":
            return
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        store_many(version, [NewResponse(uuid.uuid4(), kyiv.id, kyiv.region_id, date(2026, 10, 1), {"tested": "yes"})], source="import")
        assert db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one() == before
