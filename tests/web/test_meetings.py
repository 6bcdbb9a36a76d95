"""Council meetings: creating one, its agenda, what was asked last time, scope per role and region, and the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Action, AuditEvent, Meeting, MeetingAction, User
from cml.services import actions, meetings
from cml.services.regions import region_by_code
from tests.services.test_actions import INDICATOR, quarters_back


def account(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def open_action(by: str, region: str | None, problem: str, asked: str = "Stock condoms at every visit", facility: bool = False,
                baseline: int = 3, due: int = 1) -> int:
    """An action on the region's (or nation's) figure `baseline` quarters back, due `due` quarters back."""
    user = account(by)
    unit_region = region_by_code(region) if region else None
    unit_facility = unit_region.facilities[0] if facility and unit_region is not None else None
    figure = actions.figure_for(user, "clinic_exit", INDICATOR, actions.Unit(unit_region, unit_facility), quarters_back(baseline))
    action = actions.new_action(user, figure, {"estimate": "x"}, problem=problem, duty_bearer_kind="regional_health_department",
                                duty_bearer="Regional health department", asked=asked, owner="Legalife", due_period=quarters_back(due))
    db.session.commit()
    return action.id


def new_meeting(by: str, region: str | None, held_on: date, title: str) -> int:
    kind = meetings.REGIONAL if region else meetings.NATIONAL
    meeting = meetings.create_meeting(account(by), kind, region_by_code(region) if region else None, held_on, title)
    db.session.commit()
    return meeting.id


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def kyiv_action(app, generated) -> int:
    with app.app_context():
        return open_action("demo-lead", "kyiv", "Condoms run out in Kyiv clinics")


def test_a_lead_creates_a_regional_meeting_and_it_is_audited(app, client, as_role, world) -> None:
    as_role("lead")
    with app.app_context():
        kyiv = region_by_code("kyiv").id
    response = client.post("/actions/meetings/", data={"kind": "regional_council", "region": str(kyiv), "held_on": "2026-11-20",
                                                       "title": "Kyiv council, November"})
    assert response.status_code == 303
    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        assert (meeting.kind, meeting.region_id, meeting.held_on, meeting.title) == ("regional_council", kyiv, date(2026, 11, 20), "Kyiv council, November")
        [event] = events("meeting.create")
        assert event.actor_username == "demo-lead" and event.details["region"] == "kyiv" and event.target == str(meeting.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kyiv council, November" in page and "This is the first meeting of this council recorded here." in page
    assert "Kyiv council, November" in client.get("/actions/meetings/").get_data(as_text=True)


@pytest.mark.parametrize("form", [
    {"kind": "national_council", "region": "", "held_on": "2026-11-20", "title": "National"},  # not a lead's council
    {"kind": "regional_council", "region": "ODESA", "held_on": "2026-11-20", "title": "Elsewhere"},  # another region
    {"kind": "regional_council", "region": "", "held_on": "2026-11-20", "title": "No region"},
    {"kind": "regional_council", "region": "KYIV", "held_on": "20.11.2026", "title": "Bad date"},
    {"kind": "regional_council", "region": "KYIV", "held_on": "1066-10-14", "title": "Too early"},
    {"kind": "regional_council", "region": "KYIV", "held_on": "2026-11-20", "title": ""},
    {"kind": "regional_council", "region": "KYIV", "held_on": "2026-11-20", "title": "x" * 201},
    {"kind": "mayor", "region": "KYIV", "held_on": "2026-11-20", "title": "Unknown kind"},
    {"kind": "regional_council", "region": "9" * 30, "held_on": "2026-11-20", "title": "Huge id"},
])
def test_a_bad_meeting_form_stores_nothing(app, client, as_role, world, form) -> None:
    as_role("lead")
    with app.app_context():
        codes = {"KYIV": str(region_by_code("kyiv").id), "ODESA": str(region_by_code("odesa").id)}
    response = client.post("/actions/meetings/", data={**form, "region": codes.get(form["region"], form["region"])})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 0
        assert events("meeting.create") == []


def test_an_advocate_may_create_a_national_meeting(app, client, as_role, world) -> None:
    as_role("advocate")
    response = client.post("/actions/meetings/", data={"kind": "national_council", "region": "", "held_on": "2026-10-01", "title": "National CCM"})
    assert response.status_code == 303
    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.region_id is None and meeting.kind == "national_council"
        assert response.headers["Location"].endswith(f"/actions/meetings/{meeting.id}")


def test_the_agenda_add_move_remove_each_audited(app, client, as_role, kyiv_action) -> None:
    with app.app_context():
        second = open_action("demo-lead", "kyiv", "Staff judge sex workers", asked="Train the staff")
        meeting = new_meeting("demo-lead", "kyiv", date(2026, 11, 20), "Kyiv council")
    as_role("lead")
    page = client.get(f"/actions/meetings/{meeting}").get_data(as_text=True)
    assert f'<option value="{kyiv_action}"' in page and f'<option value="{second}"' in page
    assert client.post(f"/actions/meetings/{meeting}/agenda", data={"action": str(kyiv_action)}).status_code == 303
    assert client.post(f"/actions/meetings/{meeting}/agenda", data={"action": str(second)}).status_code == 303
    page = client.get(f"/actions/meetings/{meeting}").get_data(as_text=True)
    assert page.index("Condoms run out in Kyiv clinics") < page.index("Staff judge sex workers")
    assert "Every action of this council that you can see is on the agenda." in page
    assert client.post(f"/actions/meetings/{meeting}/agenda/{second}/move", data={"direction": "up"}).status_code == 303
    page = client.get(f"/actions/meetings/{meeting}").get_data(as_text=True)
    assert page.index("Staff judge sex workers") < page.index("Condoms run out in Kyiv clinics")
    assert client.post(f"/actions/meetings/{meeting}/agenda/{kyiv_action}/remove").status_code == 303
    with app.app_context():
        agenda = list(db.session.scalars(select(MeetingAction).where(MeetingAction.meeting_id == meeting)))
        assert [(item.action_id, item.position) for item in agenda] == [(second, 0)]
        assert db.session.get(Action, kyiv_action) is not None  # off the agenda, not deleted
        assert [e.details["action_id"] for e in events("meeting.agenda_add")] == [kyiv_action, second]
        assert [(e.details["action_id"], e.details["position"]) for e in events("meeting.agenda_move")] == [(second, 0)]
        assert [e.details["action_id"] for e in events("meeting.agenda_remove")] == [kyiv_action]


def test_the_meeting_page_shows_each_actions_frozen_figure_and_recheck(app, client, as_role, kyiv_action) -> None:
    with app.app_context():
        meeting = new_meeting("demo-lead", "kyiv", date(2026, 11, 20), "Kyiv council")
        meetings.add_to_agenda(account("demo-lead"), db.session.get(Meeting, meeting), kyiv_action)
        db.session.commit()
        check = actions.recheck(db.session.get(Action, kyiv_action), account("demo-lead"))
        assert check.baseline is not None and check.current is not None
    as_role("lead")
    page = client.get(f"/actions/meetings/{meeting}").get_data(as_text=True)
    words = {"improved_clear": "improved (clear)", "no_clear_change": "no clear change", "worse_clear": "worse (clear)"}[check.verdict]
    assert words in page
    assert f"n = {check.baseline.n}" in page and f"n = {check.current.n}" in page
    assert f"{check.baseline.estimate * 100:.1f}%" in page and f"{check.current.estimate * 100:.1f}%" in page


def test_what_we_asked_last_time_is_the_same_councils_previous_meeting(app, client, as_role, kyiv_action) -> None:
    with app.app_context():
        lead = account("demo-lead")
        earlier = new_meeting("demo-lead", "kyiv", date(2026, 5, 14), "Kyiv council, May")
        meetings.add_to_agenda(lead, db.session.get(Meeting, earlier), kyiv_action)
        national = new_meeting("demo-admin", None, date(2026, 8, 1), "National council, August")
        other = open_action("demo-admin", "odesa", "Police raids in Odesa", asked="Stop the raids")
        meetings.add_to_agenda(account("demo-admin"), db.session.get(Meeting, national), other)
        later = new_meeting("demo-lead", "kyiv", date(2026, 11, 20), "Kyiv council, November")
        db.session.commit()
    as_role("lead")
    page = client.get(f"/actions/meetings/{later}").get_data(as_text=True)
    section = page[page.index('id="last-time"'):]
    assert "What we asked last time and what changed" in section
    assert "Kyiv council, May" in section and "Condoms run out in Kyiv clinics" in section and "Stock condoms at every visit" in section
    assert "Police raids" not in page and "National council, August" not in page
    assert "This is the first meeting" in client.get(f"/actions/meetings/{earlier}").get_data(as_text=True)


def test_scope_a_lead_sees_only_their_regions_meetings(app, client, as_role, kyiv_action) -> None:
    with app.app_context():
        kyiv = new_meeting("demo-lead", "kyiv", date(2026, 11, 20), "Kyiv council")
        odesa = new_meeting("demo-admin", "odesa", date(2026, 11, 21), "Odesa council")
        national = new_meeting("demo-admin", None, date(2026, 11, 22), "National council")
        odesa_action = open_action("demo-admin", "odesa", "Police raids in Odesa")
    as_role("lead")
    listing = client.get("/actions/meetings/").get_data(as_text=True)
    assert "Kyiv council" in listing and "Odesa council" not in listing and "National council</a>" not in listing
    for meeting in (odesa, national, 999_999):
        refused = client.get(f"/actions/meetings/{meeting}")
        assert refused.status_code == 404
        assert "Odesa council" not in refused.get_data(as_text=True) and "National council" not in refused.get_data(as_text=True)
        assert client.post(f"/actions/meetings/{meeting}/agenda", data={"action": str(kyiv_action)}).status_code == 404
    # Another region's action cannot be put on the lead's own council's agenda, nor named in a move or removal.
    assert client.post(f"/actions/meetings/{kyiv}/agenda", data={"action": str(odesa_action)}).status_code == 422
    assert client.post(f"/actions/meetings/{kyiv}/agenda/{odesa_action}/remove").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingAction.id))) == 0
    client.post("/logout")
    as_role("advocate")
    listing = client.get("/actions/meetings/").get_data(as_text=True)
    assert all(title in listing for title in ("Kyiv council", "Odesa council", "National council"))
    shown = client.get(f"/actions/meetings/{odesa}")
    assert shown.status_code == 200 and "Odesa council" in shown.get_data(as_text=True)


@pytest.mark.parametrize("value", ["", "abc", "-1", "9" * 40, "1.5", "0"])
def test_a_tampered_agenda_post_stores_nothing(app, client, as_role, kyiv_action, value) -> None:
    with app.app_context():
        meeting = new_meeting("demo-lead", "kyiv", date(2026, 11, 20), "Kyiv council")
    as_role("lead")
    assert client.post(f"/actions/meetings/{meeting}/agenda", data={"action": value}).status_code == 422
    assert client.post(f"/actions/meetings/{meeting}/agenda/{kyiv_action}/move", data={"direction": value or "sideways"}).status_code in (404, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingAction.id))) == 0


def test_an_action_already_on_the_agenda_is_not_added_twice(app, client, as_role, kyiv_action) -> None:
    with app.app_context():
        meeting = new_meeting("demo-lead", "kyiv", date(2026, 11, 20), "Kyiv council")
    as_role("lead")
    assert client.post(f"/actions/meetings/{meeting}/agenda", data={"action": str(kyiv_action)}).status_code == 303
    assert client.post(f"/actions/meetings/{meeting}/agenda", data={"action": str(kyiv_action)}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingAction.id))) == 1


def test_a_monitor_may_not_open_meetings(client, as_role) -> None:
    as_role("monitor")
    assert client.get("/actions/meetings/").status_code == 403
    assert client.get("/actions/register.xlsx").status_code == 403
