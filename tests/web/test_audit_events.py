"""Refused requests, failed imports and brief views are in the audit log with the client's address, never with content."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import AuditEvent

ADDRESS = "203.0.113.9"


@pytest.fixture(autouse=True)
def from_address(client) -> None:
    """Every request of the test client comes from ADDRESS (sessions are bound to the address they began at)."""
    client.environ_base["REMOTE_ADDR"] = ADDRESS


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_denied_request_is_audited_with_who_and_from_where(client, app, as_role) -> None:
    as_role("monitor")
    assert client.get("/reports/raw").status_code == 403
    [event] = events(app, "request.denied")
    assert event.actor_username == "demo-monitor"
    assert event.details == {"address": ADDRESS, "method": "GET", "path": "/reports/raw"}


def test_a_csrf_refusal_is_audited(make_app, world) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    response = client.post("/login", data={"username": "demo-admin", "password": "whatever-typed"})
    assert response.status_code == 400
    [event] = events(app, "request.csrf_refused")
    assert event.actor_id is None and event.details["address"] == ADDRESS and event.details["path"] == "/login"
    assert "whatever-typed" not in str(event.details) and event.actor_username is None


def test_a_failed_import_is_audited_with_counts_never_cells(client, app, as_role, mini) -> None:
    as_role("lead")
    data = ("region,facility,date,tested,why_not,wait,cost,attitude,services,rating,visit_date,clinic_name_seen,story\n"
            "kyiv,kyiv-01,2026-10-01,maybe-Mykola-knows,,20,,,,,,,Mykola-said-so\n"
            "kyiv,kyiv-01,2026-10-01,yes,,20,,,,,,,\n")
    response = client.post("/collect/import", data={"survey": "mini", "file": (io.BytesIO(data.encode()), "forms.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    [event] = events(app, "responses.import_failed")
    assert event.actor_username == "demo-lead" and event.target == "mini"
    assert event.details == {"address": ADDRESS, "rows": 2, "invalid": 1, "problems": 1, "file_problem": False}
    assert "Mykola" not in str(event.details)


def test_a_failed_command_line_import_is_audited(runner, app, mini, tmp_path) -> None:
    path = tmp_path / "forms.csv"
    path.write_text("region,facility\nkyiv,kyiv-01\n", encoding="utf-8")
    assert runner.invoke(args=["responses", "import", "--survey", "mini", str(path)]).exit_code == 1
    [event] = events(app, "responses.import_failed")
    assert event.actor_id is None and event.details["file_problem"] is True and event.details["address"] is None


def test_a_brief_view_is_audited(client, app, as_role) -> None:
    as_role("advocate")
    assert client.get("/reports/brief?survey=clinic_exit").status_code == 200
    [event] = events(app, "report.brief_view")
    assert event.actor_username == "demo-advocate" and event.target == "clinic_exit" and event.details["address"] == ADDRESS
