"""Sessions live on the server: a copied cookie is worth nothing once its session has ended."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from cml.auth.devices import coarse_address, describe_agent
from cml.extensions import db
from cml.models import AuditEvent, UserSession
from cml.services import sessions, users
from tests.conftest import PASSWORD, login
from tests.web.signed_in import signed_in_as, signed_out

PHONE = "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36"


def copy_of(client, app):
    """Another browser holding the same session cookie (a copied or stolen cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_copied_cookie_fails_after_sign_out(client, app, as_role) -> None:
    as_role("monitor")
    thief = copy_of(client, app)
    assert signed_in_as(thief, "demo-monitor")
    client.post("/logout")
    assert signed_out(client) and signed_out(thief)


def test_a_copied_cookie_fails_after_a_password_change_elsewhere(client, app, as_role) -> None:
    as_role("monitor")
    thief = copy_of(client, app)
    laptop = app.test_client()
    assert login(laptop, "demo-monitor").status_code == 302
    assert laptop.post("/account/password", data={"current": PASSWORD, "new": "another-long-passphrase", "repeat": "another-long-passphrase"}).status_code == 302
    assert signed_in_as(laptop, "demo-monitor")
    assert signed_out(client) and signed_out(thief)


def test_a_copied_cookie_fails_after_deactivation_and_stays_out_after_reactivation(client, app, as_role) -> None:
    as_role("monitor")
    thief = copy_of(client, app)
    admin = app.test_client()
    assert login(admin, "demo-admin").status_code == 302
    with app.app_context():
        account = users.find_user("demo-monitor")
        account_id, regions = account.id, [r.id for r in account.regions]
    assert admin.post(f"/admin/users/{account_id}", data={"role": "monitor", "regions": regions}).status_code == 302
    assert signed_out(thief)
    assert admin.post(f"/admin/users/{account_id}", data={"role": "monitor", "regions": regions, "active": "y"}).status_code == 302
    assert signed_out(client) and signed_out(thief)
    assert login(client, "demo-monitor").status_code == 302  # the person signs in afresh
    with app.app_context():
        update = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).first()
        assert update.details["after"]["sessions_ended"] == 1


def test_sign_out_everywhere_else_ends_every_other_session(app, world) -> None:
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        assert login(device, "demo-lead").status_code == 302
    stolen = copy_of(phone, app)
    response = laptop.post("/account/sessions/end-others", environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert response.status_code == 302
    assert signed_in_as(laptop, "demo-lead") and signed_out(phone) and signed_out(stolen)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.end_others")).one()
        assert event.actor_username == "demo-lead" and event.details == {"address": "198.51.100.0/24", "sessions_ended": 1}


def test_one_session_is_signed_out_from_the_list(app, world) -> None:
    phone, laptop = app.test_client(), app.test_client()
    phone.post("/login", data={"username": "demo-lead", "password": PASSWORD}, headers={"User-Agent": PHONE},
               environ_base={"REMOTE_ADDR": "203.0.113.77"})
    login(laptop, "demo-lead")
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Chrome, Android" in page and "203.0.113.0/24" in page and "203.0.113.77" not in page
    assert page.count("This device") == 1
    ids = re.findall(r'/account/sessions/([0-9a-f]{64})/end', page)
    assert len(ids) == 1  # the other device's; this one signs out with "Sign out"
    assert laptop.post(f"/account/sessions/{ids[0]}/end").status_code == 302
    assert signed_out(phone) and signed_in_as(laptop, "demo-lead")
    assert laptop.post(f"/account/sessions/{ids[0]}/end").status_code == 404  # already over


def test_nobody_ends_another_accounts_session(app, world) -> None:
    victim, other = app.test_client(), app.test_client()
    login(victim, "demo-lead")
    login(other, "demo-monitor")
    with app.app_context():
        lead = users.find_user("demo-lead")
        victims = db.session.scalars(select(UserSession.id).where(UserSession.user_id == lead.id)).all()
    assert len(victims) == 1
    assert other.post(f"/account/sessions/{victims[0]}/end").status_code == 404
    assert other.post("/account/sessions/end-others").status_code == 302  # the monitor's own others: none
    assert signed_in_as(victim, "demo-lead") and signed_in_as(other, "demo-monitor")


def test_sign_out_is_audited_with_the_network(client, app, as_role) -> None:
    as_role("lead")
    client.post("/logout", environ_base={"REMOTE_ADDR": "2001:db8:7:1::5"})
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "logout")).one()
        assert event.actor_username == "demo-lead" and event.details == {"address": "2001:db8:7::/48"}
        ended = db.session.scalars(select(UserSession)).one()
        assert ended.ended_at is not None and ended.end_reason == "logout"


def test_sign_in_starts_a_new_session_and_a_new_csrf_secret(make_app, world) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()

    def sign_in() -> str:
        page = client.get("/login").get_data(as_text=True)
        with client.session_transaction() as cookie:
            before = cookie["csrf_token"]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"username": "demo-lead", "password": PASSWORD, "csrf_token": token}).status_code == 302
        with client.session_transaction() as cookie:
            assert cookie.get("csrf_token") != before  # the secret from before sign-in is gone
            return cookie["_user_id"]

    first = sign_in()
    client.get("/")
    with client.session_transaction() as cookie:
        csrf = cookie["csrf_token"]
        assert cookie["_user_id"] == first
    logout = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    client.post("/logout", data={"csrf_token": logout})
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie and cookie.get("csrf_token") != csrf
    second = sign_in()
    assert second != first


def test_the_language_picked_before_sign_in_is_kept(client, world) -> None:
    client.post("/language", data={"lang": "uk", "next": "/login"})
    login(client, "demo-lead")
    with client.session_transaction() as cookie:
        assert cookie["lang"] == "uk"


def test_a_new_network_address_keeps_the_session(client, as_role) -> None:
    as_role("monitor")
    for address, agent in (("10.20.30.40", None), ("192.0.2.1", None), ("2001:db8::1", "Another agent/1.0")):
        headers = {"User-Agent": agent} if agent else {}
        page = client.get("/collect/mine", environ_base={"REMOTE_ADDR": address}, headers=headers)
        assert page.status_code == 200 and "<span>demo-monitor · " in page.get_data(as_text=True), address


def test_last_use_is_noted_at_most_once_a_minute(client, app, as_role, monkeypatch) -> None:
    as_role("monitor")
    with app.app_context():
        started = db.session.scalars(select(UserSession)).one().last_seen_at
    real_now = sessions.now
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(seconds=30))
    assert signed_in_as(client, "demo-monitor")
    with app.app_context():
        assert db.session.scalars(select(UserSession)).one().last_seen_at == started  # not yet due
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(minutes=5))
    assert signed_in_as(client, "demo-monitor")
    with app.app_context():
        noted = sessions.aware(db.session.scalars(select(UserSession)).one().last_seen_at)
        assert noted - sessions.aware(started) >= timedelta(minutes=5) - timedelta(seconds=5)


def test_a_session_unused_for_the_idle_limit_is_over(client, app, as_role, monkeypatch) -> None:
    as_role("monitor")
    real_now = sessions.now
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(days=13))
    assert signed_in_as(client, "demo-monitor")  # and noted as used
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(days=13 + 15))
    assert signed_out(client)
    with app.app_context():
        assert users.find_user("demo-monitor") is not None
    monkeypatch.setattr(sessions, "now", real_now)


def test_old_sessions_are_deleted_at_the_next_sign_in(app, world, monkeypatch) -> None:
    first = app.test_client()
    login(first, "demo-monitor")
    first.post("/logout")
    real_now = sessions.now
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(days=31))
    login(app.test_client(), "demo-monitor")
    with app.app_context():
        assert len(db.session.scalars(select(UserSession)).all()) == 1


def test_an_admin_resets_a_password_shown_only_in_the_page(client, app, as_role) -> None:
    monitor = app.test_client()
    login(monitor, "demo-monitor")
    as_role("admin")
    with app.app_context():
        account_id = users.find_user("demo-monitor").id
    assert f"/admin/users/{account_id}/password".encode() in client.get(f"/admin/users/{account_id}").data
    response = client.post(f"/admin/users/{account_id}/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="generated-password">([A-Za-z0-9_-]+)<', response.get_data(as_text=True)).group(1)
    assert all(password not in header for header in response.headers.getlist("Set-Cookie"))
    with client.session_transaction() as cookie:
        assert password not in str(dict(cookie))
    assert signed_out(monitor)  # every session of the account ended
    assert signed_in_as(client, "demo-admin")  # the admin's own session goes on
    refused = login(monitor, "demo-monitor")  # the old password no longer works
    assert refused.status_code == 422 and b"Wrong username or password." in refused.data
    assert login(monitor, "demo-monitor", password).status_code == 302


@pytest.mark.parametrize(("agent", "expected"), [
    (PHONE, "Chrome, Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari, iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0", "Firefox, Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.72", "Edge, Windows"),
    ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet, Android"),
    ("curl/8.4.0", ""),
    (None, ""),
])
def test_the_device_is_named_not_fingerprinted(agent, expected) -> None:
    assert describe_agent(agent) == expected


@pytest.mark.parametrize(("address", "expected"), [
    ("203.0.113.77", "203.0.113.0/24"),
    ("2001:db8:7:1::5", "2001:db8:7::/48"),
    ("::ffff:198.51.100.9", "198.51.100.0/24"),
    ("not an address", None),
    (None, None),
])
def test_only_the_network_of_an_address_is_kept(address, expected) -> None:
    assert coarse_address(address) == expected


def test_a_failed_note_of_last_use_costs_the_request_nothing(client, app, as_role, monkeypatch, caplog) -> None:
    from sqlalchemy import text

    from cml.auth import loading

    as_role("monitor")
    real_now = sessions.now
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(minutes=5))
    monkeypatch.setattr(loading, "_NOTE", text("UPDATE no_such_table SET seen = :seen WHERE id = :wanted"))
    assert signed_in_as(client, "demo-monitor")
    assert "could not note a session's last use" in caplog.text
    assert signed_in_as(client, "demo-monitor")
