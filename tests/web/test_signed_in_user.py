"""The signed-in user is read afresh on every request: account changes take effect on the next one."""

from __future__ import annotations

from flask_login import current_user

from cml.extensions import db
from cml.models import User
from cml.services import users
from cml.services.regions import region_by_code
from cml.services.scope import region_ids
from tests.web.signed_in import signed_in_as, signed_out


def _change(app, username: str, **changes) -> None:
    with app.app_context():
        account = users.find_user(username)
        assert account is not None
        for name, value in changes.items():
            setattr(account, name, value)
        db.session.commit()


def test_a_deactivated_account_is_signed_out_on_its_next_request(client, app, as_role) -> None:
    as_role("monitor")
    assert signed_in_as(client, "demo-monitor")
    _change(app, "demo-monitor", active=False)
    assert signed_out(client)
    # Set in the database directly, the flag alone decides; the administration page also ends
    # the account's sessions, so they stay over after reactivation (test_sessions).
    _change(app, "demo-monitor", active=True)
    assert signed_in_as(client, "demo-monitor")


def test_a_role_change_takes_effect_on_the_next_request(client, app, as_role) -> None:
    as_role("monitor")
    assert signed_in_as(client, "demo-monitor")
    _change(app, "demo-monitor", role="advocate")
    assert client.get("/collect/mine").status_code == 403
    assert "demo-monitor · Advocate" in client.get("/").get_data(as_text=True)  # the new role, shown on the next page
    _change(app, "demo-monitor", role="monitor")
    assert signed_in_as(client, "demo-monitor")


def test_a_region_change_takes_effect_on_the_next_request(client, app, as_role) -> None:
    as_role("monitor")
    with client:
        client.get("/collect/mine")
        before = region_ids(current_user)
    with app.app_context():
        odesa = region_by_code("odesa")
        assert odesa is not None and odesa.id not in before
        account = users.find_user("demo-monitor")
        assert account is not None
        account.regions = [odesa]
        db.session.commit()
        odesa_id = odesa.id
    with client:
        client.get("/collect/mine")
        assert region_ids(current_user) == {odesa_id}
        assert [r.code for r in current_user.regions] == ["odesa"]


def test_the_loaded_user_is_the_account_as_stored(client, app, as_role) -> None:
    as_role("lead")
    with app.app_context():
        stored = users.find_user("demo-lead")
        assert stored is not None
        expected = {c: getattr(stored, c) for c in ("id", "username", "password_hash", "role", "active", "locale", "created_at", "last_login_at")}
        expected_regions = [(r.id, r.code, r.name) for r in stored.regions]
    with client:
        client.get("/collect/mine")
        user = current_user._get_current_object()
        assert isinstance(user, User)
        assert {c: getattr(user, c) for c in expected} == expected
        assert [(r.id, r.code, r.name) for r in user.regions] == expected_regions and expected_regions
        assert not db.session.dirty and not db.session.new  # loaded, not changed: nothing to flush


def test_a_change_to_the_signed_in_user_is_stored(client, app, as_role) -> None:
    as_role("monitor")
    client.post("/language", data={"lang": "uk", "next": "/"})  # the switcher saves the choice on the account
    with app.app_context():
        account = users.find_user("demo-monitor")
        assert account is not None and account.locale == "uk"


def test_the_first_request_of_a_fresh_process_may_be_signed_in(client, as_role, database_url, tmp_path) -> None:
    """A restarted worker's first request can carry a session: the user is loaded before any other ORM use."""
    import subprocess
    import sys
    from pathlib import Path

    as_role("monitor")
    cookie = client.get_cookie("session")
    assert cookie is not None
    script = f"""
from pathlib import Path
from cml import create_app
from tests.conftest import _base_config
client = create_app(_base_config({database_url!r}, Path({str(tmp_path)!r}))).test_client()
client.set_cookie("session", {cookie.value!r})
print(client.get("/collect/mine").status_code)
"""
    root = Path(__file__).resolve().parent.parent.parent
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert done.stdout.strip().splitlines()[-1:] == ["200"], done.stderr[-3000:]


def test_changing_the_password_ends_the_accounts_other_sessions(app, world) -> None:
    from tests.conftest import PASSWORD, login

    lost_phone, own_laptop = app.test_client(), app.test_client()
    for device in (lost_phone, own_laptop):
        assert login(device, "demo-monitor").status_code == 302
        assert signed_in_as(device, "demo-monitor")
    changed = own_laptop.post("/account/password", data={"current": PASSWORD, "new": "a-new-long-passphrase", "repeat": "a-new-long-passphrase"})
    assert changed.status_code == 302
    assert signed_in_as(own_laptop, "demo-monitor")  # the session that changed it stays signed in
    assert signed_out(lost_phone)
    refused = login(lost_phone, "demo-monitor")  # the old password no longer works
    assert refused.status_code == 422 and b"Wrong username or password." in refused.data
    assert login(lost_phone, "demo-monitor", "a-new-long-passphrase").status_code == 302


def test_only_the_token_of_a_live_session_signs_in(client, app, as_role) -> None:
    from cml.auth.loading import signed_in_user
    from cml.models import UserSession
    from cml.services import sessions

    as_role("lead")
    with client.session_transaction() as cookie:
        token = cookie["_user_id"]
    with app.test_request_context():
        account = users.find_user("demo-lead")
        assert account is not None
        assert signed_in_user(token) is account and account.session_token == token
        stored = db.session.get(UserSession, sessions.digest(token))
        assert stored is not None and stored.user_id == account.id
        # The table holds digests: neither a stored id nor a near miss signs anybody in.
        for forged in (stored.id, token[:-1], token + "x", str(account.id), "", "x" * 129):
            assert signed_in_user(forged) is None, forged
