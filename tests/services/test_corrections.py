"""Corrections, withdrawal, restore and purge: one interview, earlier versions kept, the figures as a rebuild makes them."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import (
    AuditEvent,
    Facility,
    IndicatorFact,
    PurgedSubmission,
    Response,
    ResponseRevision,
    User,
)
from cml.services import corrections, indicators, surveys, trash
from cml.services.bulk import NewResponse, store_many
from cml.services.committer import Committer
from cml.services.responses import SubmissionConflict, SubmissionWithdrawn, all_answers, form_version, prepare, store_response
from tests.fixtures.mini_survey import Mini, facility, user
from tests.services.test_fact_sums import assert_in_step, summed

ORIGINAL = {"tested": "yes", "wait": 20, "attitude": "rude", "story": "they laughed at me"}
CORRECTED = {"tested": "yes", "wait": 25, "attitude": "rude", "story": "they laughed at us"}
KEEP = timedelta(days=30)


def _rebuilt_sums() -> dict:
    """The sums after a full rebuild, in the caller's transaction."""
    for _ in indicators.rebuild(indicators.rebuild_plan()):
        pass
    return summed()


def _store(mini: Mini, answers=ORIGINAL, code: str = "kyiv-01", submission_id: uuid.UUID | None = None) -> Response:
    return store_response(submission_id or uuid.uuid4(), mini.questionnaire_version(), facility(code), date(2026, 10, 1), answers, None).response


def test_a_correction_keeps_the_interview_and_its_earlier_version(app, mini) -> None:
    with app.app_context():
        response = _store(mini)
        db.session.commit()
        before_sealed, before_hash, response_id = response.sealed_answers, response.answers_hash, response.id
        number = corrections.correct(response, user("demo-lead"), facility("kyiv-02"), date(2026, 10, 2), CORRECTED)
        db.session.commit()
        assert number == 1
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert (response.id, response.facility_id, response.interview_date) == (response_id, facility("kyiv-02").id, date(2026, 10, 2))
        assert all_answers(response) == CORRECTED
        revision = db.session.scalars(select(ResponseRevision)).one()
        # The earlier version as stored: its free text still sealed (not in the plain column), its fingerprint kept.
        assert "story" not in revision.answers and revision.sealed_answers == before_sealed and revision.answers_hash == before_hash
        assert revision.facility_id == facility("kyiv-01").id and revision.interview_date == date(2026, 10, 1)
        assert response.sealed_answers != before_sealed
        # The facts moved with it: to the new facility, with the new wait.
        facts = db.session.scalars(select(IndicatorFact).where(IndicatorFact.indicator == "mean_wait")).all()
        assert [(f.facility_id, f.numerator) for f in facts] == [(facility("kyiv-02").id, 25)]
        assert_in_step()
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submission.correct")).one()
        assert "laughed" not in str(event.details) and "25" not in str(event.details) and event.details["changed"] == ["facility", "date", "answers"]
        # The same correction again changes nothing and writes nothing.
        assert corrections.correct(response, user("demo-lead"), facility("kyiv-02"), date(2026, 10, 2), CORRECTED) is None
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == 1


def test_a_late_resend_of_the_original_is_a_duplicate_by_every_writer(app, mini) -> None:
    with app.app_context():
        sid = uuid.uuid4()
        response = _store(mini, submission_id=sid)
        corrections.correct(response, user("demo-lead"), facility("kyiv-01"), date(2026, 10, 1), CORRECTED)
        db.session.commit()
        version = mini.questionnaire_version()
        assert store_response(sid, version, facility("kyiv-01"), date(2026, 10, 1), ORIGINAL, None).duplicate
        assert store_response(sid, version, facility("kyiv-01"), date(2026, 10, 1), CORRECTED, None).duplicate
        with pytest.raises(SubmissionConflict):
            store_response(sid, version, facility("kyiv-01"), date(2026, 10, 1), {**ORIGINAL, "wait": 99}, None)
        kyiv = facility("kyiv-01")
        result = store_many(version, [NewResponse(sid, kyiv.id, kyiv.region_id, date(2026, 10, 1), ORIGINAL),
                                      NewResponse(sid, kyiv.id, kyiv.region_id, date(2026, 10, 1), {**ORIGINAL, "wait": 98})], "import")
        assert (result.stored, result.duplicates, result.conflicts) == (0, 1, [sid])
        db.session.commit()
        item = prepare(sid, form_version("mini", mini.version), kyiv, date(2026, 10, 1), ORIGINAL, None)
        db.session.commit()  # the committer writes on its own connection
        assert Committer(db.engine).store(item).status == "duplicate"
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert all_answers(db.session.get(Response, response.id)) == CORRECTED


def test_a_correction_and_a_resend_of_the_original_racing_leave_one_interview(app, mini) -> None:
    """Threads: a lead's correction (its own session and transaction) against the phone's resend through the committer."""
    with app.app_context():
        sids = [uuid.uuid4() for _ in range(6)]
        ids = [_store(mini, submission_id=sid).id for sid in sids]
        db.session.commit()
        kyiv = facility("kyiv-01")
        place = type("Place", (), {"id": kyiv.id, "region_id": kyiv.region_id})()
        items = [prepare(sid, form_version("mini", mini.version), place, date(2026, 10, 1), ORIGINAL, None) for sid in sids]
        db.session.commit()
        committer = Committer(db.engine)
    outcomes: list = []
    errors: list = []
    start = threading.Barrier(2 * len(sids))

    def resend(item) -> None:
        start.wait()
        try:
            outcomes.append(committer.store(item).status)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    def correct(response_id: int) -> None:
        with app.app_context():
            start.wait()
            try:
                response = db.session.get(Response, response_id)
                corrections.correct(response, user("demo-lead"), facility("kyiv-01"), date(2026, 10, 1), CORRECTED)
                db.session.commit()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
                db.session.rollback()

    with app.app_context():
        threads = [threading.Thread(target=resend, args=(item,)) for item in items]
        threads += [threading.Thread(target=correct, args=(rid,)) for rid in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert outcomes == ["duplicate"] * len(sids)
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Response)) == len(sids)
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == len(sids)
        assert all(all_answers(r) == CORRECTED for r in db.session.scalars(select(Response)))
        assert_in_step()
        assert summed() == _rebuilt_sums()


def test_withdrawn_restored_and_purged(app, mini) -> None:
    with app.app_context():
        sid = uuid.uuid4()
        response = _store(mini, submission_id=sid)
        corrections.correct(response, user("demo-lead"), facility("kyiv-01"), date(2026, 10, 1), CORRECTED)
        db.session.commit()
        counted = summed()
        trash.withdraw(response, user("demo-lead"), "withdrawn")
        db.session.commit()
        assert summed() == {} and db.session.scalar(select(func.count()).select_from(IndicatorFact)) == 0
        assert _rebuilt_sums() == {}  # a rebuild leaves the trash out too
        version = mini.questionnaire_version()
        assert store_response(sid, version, facility("kyiv-01"), date(2026, 10, 1), ORIGINAL, None).duplicate  # recognised, not stored again
        assert trash.in_trash() == [response] and trash.in_trash({facility("odesa-01").region_id}) == []
        trash.restore(response, user("demo-lead"), KEEP)
        db.session.commit()
        assert summed() == counted
        trash.withdraw(response, user("demo-lead"), "deleted")
        db.session.commit()
        later = datetime.now(UTC) + KEEP + timedelta(minutes=1)
        with pytest.raises(trash.TrashExpired):
            trash.restore(response, user("demo-lead"), KEEP, now=later)
        assert trash.purge(KEEP) == 0  # not yet
        assert trash.purge(KEEP, now=later) == 1
        db.session.commit()
        for model in (Response, ResponseRevision, IndicatorFact):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        assert db.session.scalars(select(PurgedSubmission.submission_id)).all() == [sid]
        # A phone's resend after the purge: acknowledged by every writer, stored by none.
        with pytest.raises(SubmissionWithdrawn):
            store_response(sid, version, facility("kyiv-01"), date(2026, 10, 1), ORIGINAL, None)
        kyiv = facility("kyiv-01")
        assert store_many(version, [NewResponse(sid, kyiv.id, kyiv.region_id, date(2026, 10, 1), ORIGINAL)], "import").duplicates == 1
        item = prepare(sid, form_version("mini", mini.version), kyiv, date(2026, 10, 1), ORIGINAL, None)
        db.session.commit()
        outcome = Committer(db.engine).store(item)
        assert (outcome.status, outcome.response_id) == ("duplicate", 0)
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        actions = [a for a, in db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("submission.%") | AuditEvent.action.like("trash.%"))
                                                  .order_by(AuditEvent.id))]
        assert actions == ["submission.correct", "submission.withdraw", "submission.restore", "submission.delete", "trash.purge"]


def test_random_operations_leave_the_sums_a_rebuild_would_make(app, generated) -> None:
    """Generated data, random corrections, withdrawals, restores and purges; after each step the sums
    equal the facts summed, and at the end (and half way) what a full rebuild computes."""
    with app.app_context():
        chance = random.Random(17)
        lead = db.session.scalar(select(User).where(User.username == "demo-admin"))
        ids = list(db.session.scalars(select(Response.id).order_by(Response.id)))
        facilities = list(db.session.scalars(select(Facility).where(Facility.stands_for_region.is_(False))))
        done: dict[str, int] = {}
        for step in range(60):
            kind = chance.choice(("correct", "correct", "withdraw", "restore", "purge"))
            trashed = [r.id for r in trash.in_trash()]
            response = db.session.get(Response, chance.choice(trashed if kind == "restore" and trashed else ids))
            if response is None:
                continue
            if kind == "correct" and response.deleted_at is None:
                model = surveys.model_of(response.version)
                answers = all_answers(response)
                numbers = [q.id for q in model.questions if q.type in ("integer", "rating") and q.id in answers]
                if numbers:
                    question = next(q for q in model.questions if q.id == numbers[0])
                    low = int(question.minimum if question.minimum is not None else 0)
                    high = int(question.maximum if question.maximum is not None else low + 10)
                    answers[numbers[0]] = chance.randint(low, min(high, low + 20))
                facility = chance.choice([f for f in facilities if f.region_id == response.region_id] or [response.facility])
                if corrections.correct(response, lead, facility, response.interview_date - timedelta(days=chance.randint(0, 40)), answers):
                    done["correct"] = done.get("correct", 0) + 1
            elif kind == "withdraw" and response.deleted_at is None:
                trash.withdraw(response, lead, chance.choice(("withdrawn", "deleted")))
                done[kind] = done.get(kind, 0) + 1
            elif kind == "restore" and response.deleted_at is not None:
                trash.restore(response, lead, KEEP)
                done[kind] = done.get(kind, 0) + 1
            elif kind == "purge":
                done[kind] = done.get(kind, 0) + trash.purge(KEEP, now=datetime.now(UTC) + KEEP + timedelta(seconds=1))
            db.session.commit()
            assert_in_step()
            if step in (30, 59):
                current = summed()
                _same(current, _rebuilt_sums())
                db.session.commit()
        assert done.get("correct", 0) > 5 and done.get("withdraw", 0) > 3 and done.get("restore", 0) > 0 and done.get("purge", 0) > 0, done


def _same(expected: dict, actual: dict) -> None:
    assert expected.keys() == actual.keys()
    for key, values in expected.items():
        assert actual[key] == pytest.approx(values), key
