"""Sessions that last in the field: an offline week signed in, one setting (SESSION_IDLE_DAYS) for the
server's session and the browser's cookie, a new network address keeps the session, and when it
has ended the collection app is told 401 signed_out."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Response
from cml.services import sessions
from tests.conftest import login

API = "/collect/api/v1"


def session_cookie_expiry(response) -> datetime | None:
    """When the `session` cookie this response sets expires; None when it sets none, or one without Expires."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            found = [part.strip()[8:] for part in header.split(";") if part.strip().lower().startswith("expires=")]
            return parsedate_to_datetime(found[0]) if found else None
    return None


def sets_session_cookie(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_the_cookie_lasts_as_long_as_the_session_may_stay_unused(client, world) -> None:
    response = login(client, "demo-monitor")
    expiry = session_cookie_expiry(response)
    assert expiry is not None, "a browser-session cookie dies when the phone closes the browser or reboots"
    assert abs(expiry - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=2)


def test_one_setting_governs_the_session_and_its_cookie(make_app, world) -> None:
    app = make_app(SESSION_IDLE_DAYS=3)
    client = app.test_client()
    expiry = session_cookie_expiry(login(client, "demo-monitor"))
    assert expiry is not None and abs(expiry - (datetime.now(UTC) + timedelta(days=3))) < timedelta(minutes=2)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=3)


def test_the_cookie_moves_on_with_each_noted_use_not_with_every_request(client, as_role, monkeypatch) -> None:
    as_role("monitor")
    client.get("/collect/mine")  # the first page after signing in makes the CSRF secret: a new cookie
    assert not sets_session_cookie(client.get("/collect/mine"))  # within the minute: nothing to note, no new cookie
    real_now = sessions.now
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(minutes=5))
    noted = client.get("/collect/mine")
    assert noted.status_code == 200 and session_cookie_expiry(noted) is not None


def test_an_offline_week_keeps_the_monitor_signed_in(client, app, as_role, mini, monkeypatch) -> None:
    as_role("monitor")
    kyiv = mini.kyiv
    real_now = sessions.now
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(days=9))  # back from nine days offline
    info = client.get(f"{API}/session").get_json()
    expires = datetime.fromisoformat(info["expires_at"])
    assert abs(expires - (real_now() + timedelta(days=9 + 14))) < timedelta(minutes=2)
    sent = {"submission_id": str(uuid.uuid4()), "questionnaire": "mini", "version": 1, "facility": kyiv,
            "interview_date": date.today().isoformat(), "answers": {"tested": "yes"}}
    assert client.post(f"{API}/submissions", json=sent).status_code == 201
    # Used on day 9, it lasts to day 23; unused past that, it is over, and the app hears so.
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(days=22))
    alive = client.get(f"{API}/session")
    assert alive.status_code == 200
    assert abs(datetime.fromisoformat(alive.get_json()["expires_at"]) - (real_now() + timedelta(days=22 + 14))) < timedelta(minutes=2)
    monkeypatch.setattr(sessions, "now", lambda: real_now() + timedelta(days=22 + 15))
    late = {**sent, "submission_id": str(uuid.uuid4())}
    refused = client.post(f"{API}/submissions", json=late)
    assert refused.status_code == 401 and refused.get_json()["status"] == "signed_out"
    assert "Location" not in refused.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_phone_moving_from_wifi_to_mobile_data_stays_signed_in(client, app, as_role, mini) -> None:
    as_role("monitor")
    kyiv = mini.kyiv
    wifi, mobile = {"REMOTE_ADDR": "192.168.1.23"}, {"REMOTE_ADDR": "100.64.17.5"}
    token = client.get(f"{API}/session", environ_base=wifi).get_json()["csrf_token"]
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": kyiv, "interview_date": date.today().isoformat()}, environ_base=wifi)
    page = client.get(f"/collect/d/{sid}/1", environ_base=mobile)  # mid-interview, on another network
    assert page.status_code == 200 and b'name="q_tested"' in page.data
    sent = {"submission_id": sid, "questionnaire": "mini", "version": 1, "facility": kyiv, "interview_date": date.today().isoformat(),
            "answers": {"tested": "yes"}}
    response = client.post(f"{API}/submissions", data=json.dumps(sent), content_type="application/json",
                           headers={"X-CSRFToken": token}, environ_base={"REMOTE_ADDR": "2001:db8:77::9"})
    assert response.status_code == 201


def test_signing_out_ends_the_session_for_the_app_too(client, as_role) -> None:
    as_role("monitor")
    assert client.get(f"{API}/session").get_json()["username"] == "demo-monitor"
    kept = client.get_cookie("session")
    client.post("/logout")
    thief = client.application.test_client()
    thief.set_cookie("session", kept.value)
    for who in (client, thief):
        response = who.get(f"{API}/session")
        assert response.status_code == 401 and response.get_json()["status"] == "signed_out"
