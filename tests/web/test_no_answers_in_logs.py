"""Failed writes log what failed and where, never an answer or a password: not in any log record, not on the error page."""

from __future__ import annotations

import io
import logging
import sqlite3
import uuid
from datetime import date

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from cml import logs
from cml.extensions import db
from cml.models import Draft, Response
from cml.services import committer as committer_module
from tests.conftest import PASSWORD

STORY = "Halyna-beaten-by-officer-Petrenko"
CLINIC = "Secret-clinic-Obolon-17"
SECRETS = (STORY, CLINIC, PASSWORD)


@pytest.fixture
def every_record(caplog):
    """Every log record of every logger, at DEBUG (SQLAlchemy's SQL echo and werkzeug included)."""
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "cml", "flask.app"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _assert_clean(caplog, *texts: str) -> None:
    seen = [caplog.text, *texts]
    for record in caplog.records:  # the message, its arguments and an exception however a handler would format it
        seen += [record.getMessage(), repr(record.args), repr(record.__dict__)]
        if record.exc_info:
            seen.append(logging.Formatter().formatException(record.exc_info))
    blob = "\n".join(seen)
    for secret in SECRETS:
        assert secret not in blob


def _start(client, as_role, mini) -> str:
    as_role("monitor")
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    return sid


def test_a_failed_draft_save_logs_no_answer(client, app, as_role, mini, every_record) -> None:
    sid = _start(client, as_role, mini)

    def refuse(session, _context, _instances):
        # What SQLAlchemy raises when the database refuses a statement, carrying its values.
        drafts = [o for o in session.dirty if isinstance(o, Draft)]
        if drafts:
            raise IntegrityError("UPDATE drafts SET answers=?", ({"story": STORY, "clinic_name_seen": CLINIC}, PASSWORD),
                                 sqlite3.IntegrityError(f"CHECK constraint failed: answers ({STORY})"))

    event.listen(Session, "before_flush", refuse)
    try:
        response = client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_attitude": "rude", "q_story": STORY,
                                                             "q_clinic_name_seen": CLINIC})
    finally:
        event.remove(Session, "before_flush", refuse)
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    _assert_clean(every_record, body)
    errors = [r for r in every_record.records if getattr(r, "cml_fields", None) and r.msg == "error.unhandled"]
    assert errors and "IntegrityError" in errors[0].cml_fields["exception"]  # the failure itself is logged: what and where
    assert errors[0].cml_fields["where"]


@pytest.mark.parametrize("where", ["item", "batch"])
def test_a_failed_submission_commit_logs_no_answer(client, app, as_role, mini, every_record, monkeypatch, where) -> None:
    sid = _start(client, as_role, mini)
    if where == "item":  # one item's INSERT refused by the driver, its message quoting the row as PostgreSQL's DETAIL does
        def refuse_item(cursor, sql, item):
            raise sqlite3.IntegrityError(f"null value in column; Failing row contains ({STORY}, {CLINIC})")

        monkeypatch.setattr(committer_module, "_write_one", refuse_item)
    else:  # the whole transaction fails, with the statement's parameters in the error
        def refuse_batch(self, batch):
            raise OperationalError("INSERT INTO responses", {"answers": {"story": STORY, "clinic_name_seen": CLINIC}},
                                   sqlite3.OperationalError(f"disk I/O error near {STORY}"))

        monkeypatch.setattr(committer_module.Committer, "_write", refuse_batch)
    response = client.post("/collect/mini/submit", data={
        "submission_id": sid, "version": str(mini.version), "facility": str(mini.kyiv), "interview_date": date.today().isoformat(),
        "q_tested": "yes", "q_wait": "30", "q_attitude": "rude", "q_clinic_name_seen": CLINIC, "q_story": STORY})
    assert response.status_code == 500
    _assert_clean(every_record, response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Response).where(Response.submission_id == uuid.UUID(sid))) is None


def test_sign_in_and_a_successful_submission_log_no_answer_or_password(client, app, as_role, mini, every_record) -> None:
    # a password typed into the username field: the lookup's parameter must not reach SQLAlchemy's log
    refused = client.post("/login", data={"username": PASSWORD, "password": PASSWORD})
    assert refused.status_code == 422 and b"Wrong username or password." in refused.data
    assert any("FROM users" in r.getMessage() for r in every_record.records)  # the statements are logged, their values not
    sid = _start(client, as_role, mini)
    client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_attitude": "rude", "q_story": STORY, "q_clinic_name_seen": CLINIC})
    response = client.post("/collect/mini/submit", data={
        "submission_id": sid, "version": str(mini.version), "facility": str(mini.kyiv), "interview_date": date.today().isoformat(),
        "q_tested": "yes", "q_wait": "30", "q_attitude": "rude", "q_clinic_name_seen": CLINIC, "q_story": STORY})
    assert response.status_code in (303, 302)
    _assert_clean(every_record)


def test_the_log_line_is_key_value_with_request_id_and_no_exception_message(app) -> None:
    from cml.logs import Formatter

    try:
        raise OperationalError("UPDATE drafts", {"story": STORY}, sqlite3.OperationalError(STORY))
    except OperationalError as error:
        record = logging.LogRecord("cml", logging.ERROR, __file__, 1, "error.unhandled", None, (type(error), error, error.__traceback__))
    record.cml_fields = {"path": "/collect/x"}
    record.request_id = "abc123"
    line = Formatter().format(record)
    assert STORY not in line and "\n" not in line
    assert "event=error.unhandled" in line and "request_id=abc123" in line and "exception=sqlalchemy.exc.OperationalError" in line
    assert '"story"' not in Formatter(as_json=True).format(record) and STORY not in Formatter(as_json=True).format(record)


def test_every_response_carries_a_request_id(client) -> None:
    first, second = client.get("/healthz"), client.get("/healthz", headers={"X-Request-Id": "from-the-proxy-1"})
    assert len(first.headers["X-Request-Id"]) == 16
    assert second.headers["X-Request-Id"] == "from-the-proxy-1"
    assert client.get("/healthz", headers={"X-Request-Id": "bad id; with spaces"}).headers["X-Request-Id"] != "bad id; with spaces"


def test_the_app_s_json_a_correction_a_review_and_a_withdrawal_log_no_answer(client, app, as_role, mini, every_record) -> None:
    """Issue 16 and 17's write paths, at DEBUG: the offline app's JSON (stored, then refused as
    invalid), a lead's correction, a review comment (which may quote an answer) and a withdrawal."""
    import json

    as_role("monitor")
    sid = str(uuid.uuid4())
    answers = {"tested": "yes", "wait": "25", "attitude": "rude", "story": STORY, "clinic_name_seen": CLINIC}
    body = {"submission_id": sid, "questionnaire": "mini", "version": 1, "facility": mini.kyiv,
            "interview_date": date.today().isoformat(), "answers": answers}
    texts = [client.post("/collect/api/v1/submissions", data=json.dumps(body), content_type="application/json").get_data(as_text=True)]
    refused = {**body, "submission_id": str(uuid.uuid4()), "answers": {**answers, "wait": f"{STORY}"}}
    texts.append(client.post("/collect/api/v1/submissions", data=json.dumps(refused), content_type="application/json").get_data(as_text=True))
    with app.app_context():
        response_id = db.session.scalar(select(Response.id).where(Response.submission_id == uuid.UUID(sid)))
    assert response_id is not None
    client.post("/logout")
    as_role("lead")
    corrected = {"facility": str(mini.kyiv), "interview_date": date.today().isoformat(), "q_tested": "yes", "q_wait": "30",
                 "q_attitude": "rude", "q_story": f"{STORY} (corrected)", "q_clinic_name_seen": CLINIC}
    assert client.post(f"/collect/submissions/{response_id}/correct", data=corrected).status_code in (200, 302, 303)
    assert client.post(f"/review/{sid}", data={"state": "has_issues", "comment": f"Is {CLINIC} right?"}).status_code in (200, 302, 303)
    assert client.post(f"/collect/submissions/{response_id}/withdraw", data={"reason": "withdrawn"}).status_code in (200, 302, 303)
    with app.app_context():
        row = db.session.get(Response, response_id)
        assert row.review_state == "has_issues" and row.deleted_at is not None  # every step above was really taken
    # What the server's log holds is what its handler writes (cml.logs): SQLAlchemy's echo of result
    # rows, which at DEBUG quotes what a SELECT read back, is dropped there whatever its level.
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logs.Formatter())
    handler.addFilter(logs._Context())
    for record in every_record.records:
        handler.handle(record)
    app_records = [r for r in every_record.records if not r.name.startswith("sqlalchemy")]
    blob = "\n".join([written.getvalue(), *texts, *(r.getMessage() + repr(r.__dict__) for r in app_records)])
    for secret in SECRETS:
        assert secret not in blob
    assert every_record.records  # the check read real records (the SQL echo of every step)
