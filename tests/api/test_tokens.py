"""Personal access tokens: made and revoked on the account page or by an administrator, stored as a
SHA-256, expiring; Bearer only (a session cookie is no API credential); refused ones throttled."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from cml.extensions import db
from cml.models import ApiToken, AuditEvent
from cml.services import api_tokens, sessions, users
from tests.api.helpers import bearer, token_for

QUESTIONNAIRES = "/api/v1/questionnaires"


def _shown_token(page: bytes) -> str:
    found = re.search(rb'id="api-token">(cml_pat_[A-Za-z0-9_-]+)<', page)
    assert found is not None, page[:2000]
    return found.group(1).decode()


def _served(client, token: str, path: str = QUESTIONNAIRES) -> dict:
    """The API's answer to a token that must be accepted: a 200 whose JSON is returned for the caller to check."""
    answer = client.get(path, headers=bearer(token))
    assert answer.status_code == 200, answer.data[:300]
    return answer.get_json()


def test_a_user_makes_a_token_sees_it_once_and_it_is_stored_hashed(client, app, as_role) -> None:
    as_role("monitor")
    empty = client.get("/account/tokens")
    assert empty.status_code == 200 and b"No API tokens yet." in empty.data and b"Make a token" in empty.data
    made = client.post("/account/tokens", data={"name": "Field laptop", "days": "30"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    token = _shown_token(made.data)
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.name == "Field laptop" and row.token_hash == api_tokens.digest(token) and token not in row.token_hash
        lasts = sessions.aware(row.expires_at) - sessions.aware(row.created_at)
        assert lasts == timedelta(days=30)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create"))
        assert event.actor_username == "demo-monitor" and event.details["days"] == 30 and token not in str(event.details)
    listing = client.get("/account/tokens")
    assert b"Field laptop" in listing.data and token.encode() not in listing.data  # shown once, never again
    answer = client.get(QUESTIONNAIRES, headers=bearer(token))
    assert answer.status_code == 200 and answer.get_json()["questionnaires"]
    with app.app_context():
        assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_a_token_lasts_at_most_a_year_and_needs_a_name(client, app, as_role) -> None:
    as_role("lead")
    for data in ({"name": "x", "days": "366"}, {"name": "x", "days": "0"}, {"name": "", "days": "30"}, {"name": "x", "days": "many"}):
        assert client.post("/account/tokens", data=data).status_code == 422, data
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_revoking_ends_the_token_at_once(client, app, as_role) -> None:
    as_role("lead")
    token = _shown_token(client.post("/account/tokens", data={"name": "Power BI", "days": "90"}).data)
    assert _served(client, token)["questionnaires"]
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    revoked = client.post(f"/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith("/account/tokens")
    refused = client.get(QUESTIONNAIRES, headers=bearer(token))
    assert refused.status_code == 401 and refused.get_json()["error"] == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="CML", error="invalid_token"'
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404  # already revoked
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "api_token.revoke")) is not None


def test_nobody_revokes_another_accounts_token_but_an_administrator(client, app, as_role) -> None:
    token = token_for(app, "demo-advocate")
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        owner_id, token_id = row.user_id, row.id
    as_role("lead")
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.get(f"/admin/users/{owner_id}/tokens").status_code == 403
    assert _served(client, token, "/api/v1/indicators/clinic_exit")["questionnaire"] == "clinic_exit"
    client.post("/logout")
    as_role("admin")
    page = client.get(f"/admin/users/{owner_id}/tokens")
    assert page.status_code == 200 and b"test demo-advocate" in page.data
    made = client.post(f"/admin/users/{owner_id}/tokens", data={"name": "For the advocate", "days": "7"})
    assert _shown_token(made.data).startswith("cml_pat_")
    assert client.post(f"/admin/users/{owner_id}/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/indicators/clinic_exit", headers=bearer(token)).status_code == 401
    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.target)
                                    .where(AuditEvent.action.like("api_token.%")).order_by(AuditEvent.id)).all()
        assert [tuple(e) for e in events][-2:] == [("api_token.create", "demo-admin", "demo-advocate"),
                                                   ("api_token.revoke", "demo-admin", "demo-advocate")]


def test_missing_unknown_tampered_and_expired_tokens_are_refused(client, app, world) -> None:
    token = token_for(app, "demo-lead")
    bare = client.get(QUESTIONNAIRES)
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"] == 'Bearer realm="CML"'
    assert bare.get_json()["status"] == "signed_out"
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (tampered, "cml_pat_" + "x" * 43, token + "x", "nonsense", token.replace("cml_pat_", "cml_")):
        refused = client.get(QUESTIONNAIRES, headers=bearer(wrong))
        assert refused.status_code == 401 and "invalid_token" in refused.headers["WWW-Authenticate"], wrong
    assert client.get(QUESTIONNAIRES, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert _served(client, token)["questionnaires"]
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        row.expires_at = sessions.now() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(QUESTIONNAIRES, headers=bearer(token)).status_code == 401


def test_a_deactivated_account_or_a_temporary_password_stops_its_tokens(client, app, world) -> None:
    token = token_for(app, "demo-monitor")
    with app.app_context():
        account = users.find_user("demo-monitor")
        account.must_change_password = True
        db.session.commit()
    forced = client.get(QUESTIONNAIRES, headers=bearer(token))
    assert forced.status_code == 403 and forced.get_json()["status"] == "password_change"
    with app.app_context():
        account = users.find_user("demo-monitor")
        account.must_change_password, account.active = False, False
        db.session.commit()
    assert client.get(QUESTIONNAIRES, headers=bearer(token)).status_code == 401


def test_a_session_cookie_is_no_api_credential(client, as_role) -> None:
    as_role("admin")
    assert client.get(QUESTIONNAIRES).status_code == 401
    assert client.post("/api/v1/submissions", json={}).status_code == 401


def test_bearer_requests_need_no_csrf_token_but_pages_still_do(make_app, world) -> None:
    from tests.conftest import PASSWORD

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from cml.services import demo
        from tests.conftest import SURVEYS

        demo.load_demo(SURVEYS)
        for name in ("demo-monitor",):
            users.set_password(users.find_user(name), PASSWORD, None)
        db.session.commit()
    token = token_for(app, "demo-monitor")
    client = app.test_client()
    answer = client.post("/api/v1/submissions", json={"nonsense": True}, headers=bearer(token))
    assert answer.status_code == 400 and answer.get_json()["error"] == 400  # checked, not refused for CSRF
    assert client.post("/login", data={"username": "demo-monitor", "password": PASSWORD}).status_code == 400  # no CSRF token


def test_refused_tokens_are_throttled_by_address(make_app, world) -> None:
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        from cml.services import demo
        from tests.conftest import SURVEYS

        demo.load_demo(SURVEYS)
    good = token_for(app, "demo-lead")
    client = app.test_client()
    for _ in range(5):
        assert _served(client, good)["questionnaires"]  # a good token costs nothing
    codes = [client.get(QUESTIONNAIRES, headers=bearer("cml_pat_wrong")).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = client.get(QUESTIONNAIRES, headers=bearer("cml_pat_wrong"))
    assert limited.status_code == 429 and limited.is_json


def test_the_command_line_makes_a_token_for_scripts(app, runner, client, world) -> None:
    made = runner.invoke(args=["users", "token", "demo-advocate", "--name", "R script", "--days", "30"])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert token.startswith("cml_pat_")
    assert _served(client, token, "/api/v1/indicators/clinic_exit")["aggregates_only"] is True  # an advocate's
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create"))
        assert event.actor_username is None and event.target == "demo-advocate" and event.details["name"] == "R script"
    assert runner.invoke(args=["users", "token", "nobody", "--name", "x"]).exit_code == 1
    assert runner.invoke(args=["users", "token", "demo-advocate", "--name", "x", "--days", "400"]).exit_code == 2


def test_the_audit_log_tells_token_events_in_words(client, app, as_role) -> None:
    from cml.admin.audit_text import SENTENCES, action_names

    as_role("admin")
    _shown_token(client.post("/account/tokens", data={"name": "Dashboard feed", "days": "14"}).data)
    with app.app_context():
        details = db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "api_token.create"))
    with app.test_request_context(headers={"Accept-Language": "uk"}):
        assert SENTENCES["api_token.create"](details, None) == "Токен API «Dashboard feed» створено, дійсний 14 днів."
        assert action_names()["api_token.revoke"] == "Токен API відкликано"
