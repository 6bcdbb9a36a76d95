"""Accounts as an administrator meets them: regions kept on edit, temporary passwords that
must be replaced at the next sign-in, a repeated new password, a warning before a monitor
or lead is created without regions."""

from __future__ import annotations

import re

from cml.extensions import db
from cml.services import users
from cml.services.regions import region_by_code
from tests.conftest import PASSWORD, login


def _regions_of(app, username: str) -> list[str]:
    with app.app_context():
        return [r.code for r in users.find_user(username).regions]


def _id_of(app, username: str) -> int:
    with app.app_context():
        return users.find_user(username).id


def _ticked(page: str) -> set[str]:
    return set(re.findall(r'<input checked id="regions-\d+" name="regions" type="checkbox" value="(\d+)"', page))


def test_the_edit_page_ticks_the_users_regions(client, app, as_role) -> None:
    as_role("admin")
    with app.app_context():
        kyiv = str(region_by_code("kyiv").id)
    page = client.get(f"/admin/users/{_id_of(app, 'demo-lead')}").get_data(as_text=True)
    assert kyiv in _ticked(page)


def test_saving_the_edit_page_unchanged_keeps_the_regions(client, app, as_role) -> None:
    as_role("admin")
    before = _regions_of(app, "demo-monitor")
    assert before
    account = _id_of(app, "demo-monitor")
    page = client.get(f"/admin/users/{account}").get_data(as_text=True)
    # Submit what the page shows, as a browser would.
    data = {"role": "monitor", "active": "y", "regions": sorted(_ticked(page))}
    assert client.post(f"/admin/users/{account}", data=data).status_code == 302
    assert _regions_of(app, "demo-monitor") == before


def test_the_account_list_names_regions_not_codes(client, as_role) -> None:
    as_role("admin")
    client.post("/language", data={"lang": "uk", "next": "/admin/users"})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Київ" in page and ">kyiv<" not in page


def _must_change(app, username: str) -> bool:
    with app.app_context():
        return users.find_user(username).must_change_password


def test_a_typed_temporary_password_must_be_changed_at_the_next_sign_in(client, app, as_role) -> None:
    as_role("admin")
    account = _id_of(app, "demo-monitor")
    response = client.post(f"/admin/users/{account}/password", data={"password": "temporary-pass-1"})
    assert response.status_code == 302
    assert _must_change(app, "demo-monitor")
    monitor = app.test_client()
    assert login(monitor, "demo-monitor", "temporary-pass-1").status_code == 302
    # Every page leads to the change form until the password is changed, a POST too.
    for path in ("/", "/collect/mine", "/account/sessions"):
        response = monitor.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/account/password", path
    assert monitor.post("/account/sessions/end-others").headers["Location"] == "/account/password"
    page = monitor.get("/account/password").get_data(as_text=True)
    assert "Choose your own" in page and 'name="repeat"' in page
    # The temporary one again is refused.
    response = monitor.post("/account/password", data={"current": "temporary-pass-1", "new": "temporary-pass-1", "repeat": "temporary-pass-1"})
    assert response.status_code == 422 and _must_change(app, "demo-monitor")
    assert b"Choose a password different from the current one." in response.data
    response = monitor.post("/account/password", data={"current": "temporary-pass-1", "new": "my own secret 1", "repeat": "my own secret 1"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not _must_change(app, "demo-monitor")
    home = monitor.get("/")
    assert home.status_code == 200 and b"Your password was changed." in home.data  # the home page itself, no longer the change form


def test_a_generated_password_is_temporary_too(client, app, as_role) -> None:
    as_role("admin")
    response = client.post(f"/admin/users/{_id_of(app, 'demo-lead')}/password", data={"password": ""})
    password = re.search(r'id="generated-password">([A-Za-z0-9_-]+)<', response.get_data(as_text=True)).group(1)
    lead = app.test_client()
    assert login(lead, "demo-lead", password).status_code == 302
    assert lead.get("/dashboard/").headers["Location"] == "/account/password"


def test_a_too_short_temporary_password_is_an_inline_message(client, app, as_role) -> None:
    as_role("admin")
    response = client.post(f"/admin/users/{_id_of(app, 'demo-lead')}/password", data={"password": "short"})
    assert response.status_code == 422 and b'class="error"' in response.data
    assert not _must_change(app, "demo-lead")


def test_a_new_account_has_a_temporary_password(client, app, as_role) -> None:
    as_role("admin")
    with app.app_context():
        lviv = region_by_code("lviv").id
    client.post("/admin/users", data={"username": "olena-m", "role": "monitor", "regions": [lviv], "password": "given-by-admin-1"})
    assert _must_change(app, "olena-m")
    row = re.search(r">olena-m</a>.*?</tr>", client.get("/admin/users").get_data(as_text=True), re.S).group(0)
    assert "Temporary password" in row


def test_the_new_password_must_be_repeated(client, app, as_role) -> None:
    as_role("monitor")
    response = client.post("/account/password", data={"current": PASSWORD, "new": "my own secret 1", "repeat": "my own secret 2"})
    assert response.status_code == 422 and b"not the same" in response.data
    assert login(app.test_client(), "demo-monitor").status_code == 302  # unchanged


def test_creating_a_monitor_without_regions_asks_first(client, app, as_role) -> None:
    as_role("admin")
    data = {"username": "no-region", "role": "monitor", "password": "given-by-admin-1"}
    response = client.post("/admin/users", data=data)
    assert response.status_code == 200 and b"without regions" in response.data and b'name="without_regions"' in response.data
    with app.app_context():
        assert users.find_user("no-region") is None
    assert client.post("/admin/users", data={**data, "without_regions": "y"}).status_code == 302
    with app.app_context():
        assert users.find_user("no-region") is not None
    # An advocate sees every region anyway: no question asked.
    assert client.post("/admin/users", data={"username": "an-advocate", "role": "advocate", "password": "given-by-admin-1"}).status_code == 302
    with app.app_context():
        assert users.find_user("an-advocate").role == "advocate"


def test_the_cli_and_the_world_fixture_passwords_are_not_temporary(app, world) -> None:
    with app.app_context():
        assert not users.find_user("demo-monitor").must_change_password
        db.session.rollback()


def test_a_submission_with_a_temporary_password_leads_to_the_change_form(client, app, as_role) -> None:
    # The submit view reads before it writes (cml.db.reads_before_writing): its role check, not
    # the app-wide hook, sends it to the change form, so its transaction still starts as it must.
    as_role("admin")
    client.post(f"/admin/users/{_id_of(app, 'demo-monitor')}/password", data={"password": "temporary-pass-1"})
    monitor = app.test_client()
    login(monitor, "demo-monitor", "temporary-pass-1")
    response = monitor.post("/collect/clinic_exit/submit", data={})
    assert response.status_code == 303 and response.headers["Location"] == "/account/password"
