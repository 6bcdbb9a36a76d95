"""Drafts: per-user quotas on their number and size, expiry, and only the owner may touch one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from cml.extensions import db
from cml.models import Draft
from tests.conftest import login
from tests.fixtures.mini_survey import publish_mini, submission
from tests.web.fresh import monitor_client


def _start(client, mini) -> tuple[str, int]:
    sid = str(uuid.uuid4())
    response = client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    return sid, response.status_code


def _drafts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Draft))


def test_a_user_keeps_at_most_the_configured_number_of_drafts(make_app) -> None:
    app = make_app(DRAFT_MAX_PER_USER=3)
    client, info = monitor_client(app), publish_mini(app)
    codes = [_start(client, info)[1] for _ in range(4)]
    assert codes == [302, 302, 302, 422]
    assert _drafts(app) == 3


def test_a_user_cannot_store_more_draft_text_than_the_quota(make_app) -> None:
    app = make_app(DRAFT_MAX_CHARS_PER_USER=5_000)
    client, info = monitor_client(app), publish_mini(app)
    sid, _ = _start(client, info)
    fine = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "3"})
    assert fine.status_code == 302 and fine.headers["Location"].endswith(f"/collect/d/{sid}/2")  # on to the next page
    huge = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "9" * 20_000})
    assert huge.status_code == 413
    with app.app_context():
        answers = db.session.scalar(select(Draft.answers))
    assert answers == {"tested": "yes", "wait": "3"}  # the earlier answers are kept, the flood is not


def test_expired_drafts_are_purged_by_the_command_and_on_save(make_app) -> None:
    app = make_app(DRAFT_MAX_AGE_DAYS=7)
    client, info = monitor_client(app), publish_mini(app)
    old, _ = _start(client, info)
    recent, _ = _start(client, info)
    with app.app_context():
        db.session.execute(update(Draft).where(Draft.submission_id == uuid.UUID(old)).values(updated_at=datetime.now(UTC) - timedelta(days=8)))
        db.session.commit()
    assert client.post(f"/collect/d/{recent}/1", data={"action": "next", "q_tested": "yes", "q_wait": "3"}).status_code == 302
    assert _drafts(app) == 1  # the old one went lazily with the save
    with app.app_context():
        db.session.execute(update(Draft).values(updated_at=datetime.now(UTC) - timedelta(days=30)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert result.exit_code == 0 and "1 draft(s)" in result.output
    assert _drafts(app) == 0


def test_nobody_else_can_read_change_or_end_a_draft(client, app, as_role, mini) -> None:
    as_role("monitor")
    sid, _ = _start(client, mini)
    client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "3"})
    client.post("/logout")
    assert login(client, "demo-lead").status_code == 302
    assert client.get(f"/collect/d/{sid}/1").status_code == 404
    assert client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "no"}).status_code == 404
    assert client.get(f"/collect/d/{sid}/review").status_code == 404
    assert client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()}).status_code == 404
    # A submission with the same id from another user stores nothing of the draft and does not end it.
    client.post("/collect/mini/submit", data=submission(mini, submission_id=sid))
    with app.app_context():
        draft = db.session.get(Draft, uuid.UUID(sid))
        assert draft is not None and draft.answers == {"tested": "yes", "wait": "3"}
