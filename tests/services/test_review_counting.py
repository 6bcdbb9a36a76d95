"""Each change of review state moves the facts and sums exactly as a full `indicators rebuild` would."""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import func, select

from cml.core.questionnaire import REVIEW_STATES
from cml.extensions import db
from cml.models import AuditEvent, IndicatorFact, Response, User
from cml.services import review, surveys
from cml.services.regions import region_by_code
from tests.conftest import SURVEYS
from tests.services.test_counting import _facts, _rebuilt
from tests.services.test_fact_sums import assert_in_step, summed


def _admin() -> User:
    return db.session.scalars(select(User).where(User.username == "demo-admin")).one()


def _change_at_random(rng: random.Random, ids: list[int], steps: int) -> None:
    admin = _admin()
    for _ in range(steps):
        response = db.session.get(Response, rng.choice(ids))
        state = rng.choice(REVIEW_STATES)
        review.set_state(response, state, "please check the date" if state == "has_issues" else rng.choice(["", "duplicate"]), admin)
        if rng.random() < 0.3:
            db.session.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_of_state_leave_the_sums_of_a_rebuild(app, generated, seed) -> None:
    with app.app_context():
        rng = random.Random(seed)
        ids = list(db.session.scalars(select(Response.id).order_by(Response.id)))
        before = summed()
        _change_at_random(rng, ids, 60)
        db.session.commit()
        assert_in_step()
        after, facts = summed(), _facts()
        assert after != before  # some were rejected: they left the figures
        rejected = set(db.session.scalars(select(Response.id).where(Response.review_state == "rejected")))
        assert rejected and not rejected & {row[0] for row in facts}
        assert _rebuilt() == (after, facts)


def test_a_questionnaire_that_counts_only_approved_responses(app, generated) -> None:
    """counted_states decides: after a new version saying so and a rebuild, nothing counts until approved."""
    with app.app_context():
        document = json.loads((SURVEYS / "clinic_exit.json").read_text())
        document["version"] += 1
        document["counted_states"] = ["approved"]
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
        _rebuilt()
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.questionnaire_id == _clinic_exit_id())) == 0
        ids = list(db.session.scalars(select(Response.id).where(Response.questionnaire_version_id.in_(_clinic_exit_versions())).order_by(Response.id)))
        rng = random.Random(9)
        for response_id in rng.sample(ids, 50):
            review.set_state(db.session.get(Response, response_id), "approved", None, _admin())
        _change_at_random(rng, ids, 40)
        db.session.commit()
        counted = set(db.session.scalars(select(IndicatorFact.response_id).where(IndicatorFact.questionnaire_id == _clinic_exit_id())))
        approved = set(db.session.scalars(select(Response.id).where(Response.id.in_(ids), Response.review_state == "approved")))
        assert counted and counted <= approved
        assert_in_step()
        after, facts = summed(), _facts()
        assert _rebuilt() == (after, facts)


def _clinic_exit_id() -> int:
    return surveys.latest_version("clinic_exit").questionnaire_id


def _clinic_exit_versions() -> list[int]:
    from cml.models import QuestionnaireVersion

    return list(db.session.scalars(select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == _clinic_exit_id())))


def test_a_flag_needs_a_comment_and_refusals_change_nothing(app, generated) -> None:
    with app.app_context():
        response = db.session.scalars(select(Response).order_by(Response.id)).first()
        before = summed()
        for state, comment, reason in (("has_issues", "  ", "comment_required"), ("bogus", "x", "state"), ("rejected", "x" * 2001, "comment_too_long")):
            with pytest.raises(review.ReviewRefused) as refused:
                review.set_state(response, state, comment, _admin())
            assert refused.value.reason == reason
        db.session.rollback()
        assert summed() == before and response.review_state == "received"


def test_the_audit_says_who_which_and_what_state_never_the_comment(app, generated) -> None:
    with app.app_context():
        response = db.session.scalars(select(Response).order_by(Response.id)).first()
        review.set_state(response, "has_issues", "the wait of 300 minutes looks wrong", _admin())
        review.set_state(response, "approved", "fine now", _admin())
        db.session.commit()
        assert response.review_comment is None  # approved: nothing left to fix
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submission.review").order_by(AuditEvent.id)).all()
        assert [(e.target, e.details["before"], e.details["state"], e.actor_username) for e in events] == [
            (str(response.submission_id), "received", "has_issues", "demo-admin"), (str(response.submission_id), "has_issues", "approved", "demo-admin")]
        assert "300" not in json.dumps([e.details for e in events]) and "fine" not in json.dumps([e.details for e in events])


def test_counts_by_state_follow_the_reviewers_regions(app, generated) -> None:
    with app.app_context():
        lead = db.session.scalars(select(User).where(User.username == "demo-lead")).one()
        kyiv, odesa = region_by_code("kyiv"), region_by_code("odesa")
        in_odesa = db.session.scalars(select(Response).where(Response.region_id == odesa.id)).first()
        review.set_state(in_odesa, "rejected", None, _admin())
        db.session.commit()
        everything = review.state_counts(_admin(), _clinic_exit_id(), 200001, 299912, None)
        mine = review.state_counts(lead, _clinic_exit_id(), 200001, 299912, None)
        assert everything["rejected"] >= 1 or in_odesa.version.questionnaire_id != _clinic_exit_id()
        assert mine["rejected"] == 0
        assert sum(mine.values()) == db.session.scalar(select(func.count()).select_from(Response).where(
            Response.region_id == kyiv.id, Response.questionnaire_version_id.in_(_clinic_exit_versions())))
        assert review.find(lead, in_odesa.submission_id) is None
