"""Accounts: argon2id hashes, CSRF, throttled logins, cookie flags, role gates."""

from __future__ import annotations

import re

import pytest
from argon2 import Type, extract_parameters
from sqlalchemy import select

from cml.extensions import db
from cml.models import AuditEvent
from cml.services import users
from tests.conftest import PASSWORD, login


@pytest.mark.real_argon2
def test_password_hashes_are_argon2id_with_rfc9106_parameters(app, world) -> None:
    with app.app_context():
        account = users.find_user("demo-monitor")
        assert account is not None and account.password_hash.startswith("$argon2id$")
        params = extract_parameters(account.password_hash)
        assert params.type is Type.ID
        assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
        assert (params.hash_len, params.salt_len) == (32, 16)
        assert PASSWORD not in account.password_hash


def test_login_and_logout(client, world) -> None:
    response = login(client, "demo-lead")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "demo-lead" in home.get_data(as_text=True)
    client.post("/logout")
    assert client.get("/").headers["Location"].endswith("/login")


def test_wrong_password_is_refused_and_audited(client, app, world) -> None:
    response = login(client, "demo-lead", "not the password")
    assert response.status_code == 422
    assert b"Wrong username or password." in response.data
    unknown = login(client, "nobody-here", "whatever123")
    assert unknown.status_code == 422 and b"Wrong username or password." in unknown.data
    with app.app_context():
        failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
        # An existing account is named; what was typed for an unknown one is not kept (a real
        # name, or a password typed in the wrong box).
        assert sorted((e.actor_username or "", e.details["known"]) for e in failed) == [("", False), ("demo-lead", True)]
        assert all("not the password" not in str(e.details) and "nobody-here" not in str(e.details) for e in failed)
        assert all(e.details["address"] == "127.0.0.0/24" for e in failed)


def test_disabled_account_cannot_sign_in(client, app, world) -> None:
    with app.app_context():
        account = users.find_user("demo-lead")
        account.active = False
        db.session.commit()
    assert b"Wrong username or password." in login(client, "demo-lead").data


def test_logins_are_throttled_per_username(make_app, world) -> None:
    app = make_app(LOGIN_USERNAME_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="100 per minute")
    client = app.test_client()
    codes = [login(client, "demo-lead", f"wrong-{i}").status_code for i in range(5)]
    assert codes == [422, 422, 422, 429, 429]
    assert b"Too many attempts" in login(client, "demo-lead").data
    # Another username from the same address is not locked out by the first one's failures.
    assert login(client, "demo-advocate").status_code == 302


def test_logins_are_throttled_per_address(make_app, world) -> None:
    app = make_app(LOGIN_RATE_LIMIT="4 per minute", LOGIN_USERNAME_RATE_LIMIT="100 per minute")
    client = app.test_client()
    codes = [login(client, f"guess-{i}", "wrong-password").status_code for i in range(6)]
    assert codes[:4] == [422] * 4 and codes[4:] == [429, 429]


def test_a_post_without_csrf_token_is_refused(make_app, world) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"username": "demo-lead", "password": PASSWORD})
    assert response.status_code == 400
    assert b"Your form expired" in response.data
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    ok = client.post("/login", data={"username": "demo-lead", "password": PASSWORD, "csrf_token": token.group(1)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"  # signed in: to the home page, not back to the form


def test_session_cookie_is_httponly_and_samesite(client, world) -> None:
    response = login(client, "demo-lead")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_never_redirects_off_site(client, world) -> None:
    response = client.post("/login?next=https://evil.example/", data={"username": "demo-lead", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"username": "demo-lead", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_only_admins_reach_administration(client, as_role) -> None:
    assert client.get("/admin/").headers["Location"].startswith("/login")
    for role, expected in (("monitor", 403), ("lead", 403), ("advocate", 403), ("admin", 200)):
        as_role(role)
        assert client.get("/admin/users").status_code == expected, role
        client.post("/logout")


def test_admin_creates_a_user_and_the_password_is_shown_once(client, app, as_role) -> None:
    as_role("admin")
    with app.app_context():
        from cml.services.regions import region_by_code

        lviv = region_by_code("lviv").id
    response = client.post("/admin/users", data={"username": "olena-m", "role": "monitor", "regions": [lviv], "active": "y"})
    # Shown in the response itself, never flashed (a flashed message travels in the cookie).
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    shown = re.search(r'id="generated-password">([A-Za-z0-9_-]+)<', response.get_data(as_text=True))
    assert shown is not None
    assert all(shown.group(1) not in header for header in response.headers.getlist("Set-Cookie"))
    assert shown.group(1) not in client.get("/admin/users").get_data(as_text=True)  # only now
    client.post("/logout")
    assert login(client, "olena-m", shown.group(1)).status_code == 302


def test_admin_cannot_demote_themselves(client, app, as_role) -> None:
    as_role("admin")
    with app.app_context():
        me = users.find_user("demo-admin").id
    response = client.post(f"/admin/users/{me}", data={"role": "monitor", "active": "y"}, follow_redirects=True)
    assert b"cannot remove your own administrator access" in response.data
    with app.app_context():
        assert users.find_user("demo-admin").role == "admin"


def test_security_headers_and_no_store(client) -> None:
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_page_is_a_clear_404(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"does not exist" in response.data
