"""Actions by role and region: leads their regions', advocates all but never a facility's figures;
edits and states in the audit log; tampered posts store nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Action, AuditEvent, Facility, QuestionnaireVersion, User
from cml.services import actions
from cml.services.regions import region_by_code
from cml.services.responses import store_response

Q1, Q2, ODESA = 20261, 20262, 20252
FIELDS = {"problem": "Tests not offered", "duty_bearer_kind": "facility_head", "duty_bearer": "Head doctor",
          "asked": "Offer a test to everyone", "owner": "Legalife", "due_period": str(Q2)}


@pytest.fixture
def figures(app, mini):
    """Mini interviews: 12 in Kyiv (kyiv-01 and kyiv-02) in each of Q1 and Q2 2026 (published), and 2 in Odesa
    in Q2 2025 (withheld; another year, so its protection withholds nothing of Kyiv's)."""
    with app.app_context():
        version = mini.questionnaire_version()
        row = db.session.get(QuestionnaireVersion, version.id)

        def store(code: str, answer: str, day: date) -> None:
            facility = db.session.scalar(select(Facility).where(Facility.code == code))
            store_response(uuid.uuid4(), row, facility, day, {"tested": answer, "wait": 20, "attitude": "respectful"}, None)

        for index in range(12):
            store("kyiv-01" if index % 2 else "kyiv-02", "yes" if index < 6 else "no", date(2026, 2, 10))
            store("kyiv-01" if index % 2 else "kyiv-02", "yes" if index < 7 else "no", date(2026, 5, 10))
        for answer in ("yes", "no"):
            store("odesa-01", answer, date(2025, 5, 10))
        db.session.commit()


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def _action(username: str, region: str, facility: str | None = None, period: int = Q1) -> int:
    user = _user(username)
    place = db.session.scalar(select(Facility).where(Facility.code == facility)) if facility else None
    figure = actions.figure_for(user, "mini", "offered_test", actions.Unit(region_by_code(region), place), period)
    fields = {**FIELDS, "due_period": 20263 if period == Q2 else Q2}
    action = actions.new_action(user, figure, {}, **fields)
    db.session.commit()
    return action.id


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Action))


def test_a_lead_sees_and_manages_only_their_regions_actions(client, app, as_role, figures) -> None:
    with app.app_context():
        kyiv = _action("demo-lead", "kyiv")
        odesa = _action("demo-admin", "odesa", period=ODESA)
    as_role("lead")
    register = client.get("/actions/").data.decode()
    assert f"/actions/{kyiv}" in register and f"/actions/{odesa}" not in register
    for method, path in (("GET", f"/actions/{odesa}"), ("GET", f"/actions/{odesa}/edit"), ("POST", f"/actions/{odesa}/edit"),
                         ("POST", f"/actions/{odesa}/state"), ("GET", "/actions/?region=odesa"), ("GET", "/actions/nonsense"),
                         ("GET", "/actions/new?survey=mini&indicator=offered_test&region=odesa&period=2025Q2")):
        refused = client.open(path, method=method, data={"state": "resolved"})
        assert refused.status_code == 404 and b"Odesa" not in refused.data, path
    with app.app_context():
        assert db.session.get(Action, odesa).state == "open"


def test_edits_and_states_are_audited_and_shown_in_the_history(client, app, as_role, figures) -> None:
    with app.app_context():
        action_id = _action("demo-lead", "kyiv")
    as_role("lead")
    response = client.post(f"/actions/{action_id}/edit", data={**FIELDS, "commitment": "A test offered at every visit",
                                                               "commitment_where": "Regional council", "commitment_on": "2026-04-02"})
    assert response.status_code == 303
    assert client.post(f"/actions/{action_id}/state", data={"state": "committed"}).status_code == 303
    page = client.get(f"/actions/{action_id}").data.decode()
    assert "A test offered at every visit" in page and "Open → Committed" in page
    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.details).where(AuditEvent.target == f"action:{action_id}")
                                    .order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["action.create", "action.edit", "action.state"]
        # Field names only, never what was written.
        assert events[1].details == {"action_id": action_id, "fields": ["commitment", "commitment_on", "commitment_where"]}
        assert events[2].details == {"action_id": action_id, "previous": "open", "state": "committed"}
        action = db.session.get(Action, action_id)
        assert (action.state, action.commitment_on) == ("committed", date(2026, 4, 2))
    client.post("/logout")
    as_role("admin")
    log = client.get("/admin/audit").data.decode()
    assert f"Action {action_id} opened on offered_test (mini), Kyiv, 2026Q1." in log
    assert f"Action {action_id} edited (commitment, when committed, where committed)." in log
    assert f"Action {action_id}: Open → Committed." in log
    assert "A test offered at every visit" not in log


def test_tampered_posts_store_nothing(client, app, as_role, figures) -> None:
    with app.app_context():
        action_id = _action("demo-lead", "kyiv")
    as_role("lead")
    assert client.post(f"/actions/{action_id}/state", data={"state": "deleted"}).status_code == 422
    for bad in ({"due_period": "20253"}, {"due_period": "x"}, {"duty_bearer_kind": "king"}, {"problem": ""},
                {"commitment_on": "2026-13-40"}, {"owner": "o" * 500}):
        response = client.post(f"/actions/{action_id}/edit", data={**FIELDS, **bad})
        assert response.status_code == 422, bad
        assert b'class="error"' in response.data
    url = "/actions/new?survey=mini&indicator=offered_test&region=kyiv&period=2026Q1"
    assert client.post(url, data={**FIELDS, "due_period": "20261"}).status_code == 422  # not after the baseline
    for bad_url in ("/actions/new?survey=mini&indicator=nope&region=kyiv&period=2026Q1",
                    "/actions/new?survey=mini&indicator=offered_test&region=kyiv&period=2026-02",
                    "/actions/new?survey=mini&indicator=respect&region=kyiv&period=2026Q1",  # no better direction
                    "/actions/new?survey=mini&indicator=offered_test&region=kyiv&period=2025Q1"):  # no one asked
        assert client.post(bad_url, data=FIELDS).status_code == 422, bad_url
    with app.app_context():
        assert _count() == 1 and db.session.get(Action, action_id).state == "open"


def test_a_figure_that_changed_before_saving_is_shown_again_not_frozen(client, app, as_role, figures) -> None:
    as_role("lead")
    url = "/actions/new?survey=mini&indicator=offered_test&region=kyiv&period=2026Q1"
    page = client.get(url).data.decode()
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1)
    response = client.post(url, data={**FIELDS, "seen": seen.replace("12:", "11:", 1)})
    assert response.status_code == 422 and b"The figure changed" in response.data
    with app.app_context():
        assert _count() == 0
    saved = client.post(url, data={**FIELDS, "seen": seen})
    assert saved.status_code == 303
    with app.app_context():
        assert _count() == 1
        action_id = db.session.scalar(select(Action.id))
    assert saved.headers["Location"].endswith(f"/actions/{action_id}")


def test_advocates_see_every_action_but_never_a_facilitys_figures(client, app, as_role, figures) -> None:
    with app.app_context():
        facility_action = _action("demo-lead", "kyiv", "kyiv-01")
        region_action = _action("demo-lead", "kyiv")
        name = db.session.scalar(select(Facility.name).where(Facility.code == "kyiv-01"))
        baseline = db.session.get(Action, facility_action).baseline
    as_role("advocate")
    register = client.get("/actions/").data.decode()
    assert f"/actions/{facility_action}" in register and f"/actions/{region_action}" in register
    assert name not in register and "a facility in Kyiv" in register
    page = client.get(f"/actions/{facility_action}").data.decode()
    assert "Tests not offered" in page and name not in page
    assert "Facility figures are not published" in page
    assert f"n = {baseline['n']}" not in page
    region_page = client.get(f"/actions/{region_action}").data.decode()
    assert "n = 12, Q1 2026" in region_page and "n = 12, Q2 2026" in region_page  # Kyiv's figures are published
    assert "no clear change" in region_page  # 6 of 12, then 7 of 12
    with app.app_context():
        facility_id = db.session.scalar(select(Facility.id).where(Facility.code == "kyiv-01"))
    refused = client.get(f"/actions/new?survey=mini&indicator=offered_test&facility={facility_id}&period=2026Q1")
    assert refused.status_code == 422 and b"Facility figures are not published" in refused.data
    withheld = client.get("/actions/new?survey=mini&indicator=offered_test&region=odesa&period=2025Q2")
    assert withheld.status_code == 422 and b"withheld" in withheld.data
    opened = client.get("/actions/new?survey=mini&indicator=offered_test&region=kyiv&period=2026Q1")
    assert opened.status_code == 200
    assert b"50.0%" in opened.data and b"18.4% \xe2\x80\x93 81.6%" in opened.data  # Kyiv's published figure, 6 of 12, and its interval
