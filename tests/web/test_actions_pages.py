"""Action pages: open one from a dashboard figure, see it re-checked, edit it and change its state."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from cml.core.periods import period_label, period_of, previous_period
from cml.extensions import db
from cml.models import Action, AuditEvent

INDICATOR = "condoms_enough"


def quarter(back: int) -> str:
    key = period_of(date.today(), "quarter")
    for _ in range(back):
        key = previous_period(key, "quarter")
    return period_label(key, "quarter")


def csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1).decode()


def seen(page: bytes) -> str:
    found = re.search(rb'id="seen" name="seen" type="hidden" value="([^"]*)"', page)
    assert found
    return found.group(1).decode()


def fields(due: str, **changes: str) -> dict[str, str]:
    data = {"problem": "Too few condoms at the clinics", "duty_bearer_kind": "regional_health_department",
            "duty_bearer": "Regional health department", "asked": "Supply condoms monthly", "owner": "Legalife Kyiv",
            "due_period": due, "commitment": "", "commitment_where": "", "commitment_on": ""}
    data.update(changes)
    return data


def open_one(client, region: str = "kyiv", back: int = 3, due_back: int = 1) -> int:
    url = f"/actions/new?survey=clinic_exit&indicator={INDICATOR}&region={region}&period={quarter(back)}"
    page = client.get(url)
    assert page.status_code == 200, page.data[:400]
    due = str(int(quarter(due_back)[:4]) * 10 + int(quarter(due_back)[-1]))
    response = client.post(url, data={"csrf_token": csrf(page.data), "seen": seen(page.data), **fields(due)})
    assert response.status_code == 303, response.data[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_lead_opens_an_action_from_a_figure_and_sees_it_rechecked(client, app, as_role, generated) -> None:
    as_role("lead")
    overview = client.get(f"/dashboard/?survey=clinic_exit&period={quarter(3)}").data.decode()
    assert f"/actions/new?survey=clinic_exit&amp;indicator={INDICATOR}&amp;period={quarter(3)}" in overview
    action_id = open_one(client)
    page = client.get(f"/actions/{action_id}").data.decode()
    assert "Too few condoms" in page
    assert any(words in page for words in ("improved (clear)", "no clear change", "worse (clear)"))
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action.baseline_period == int(quarter(3)[:4]) * 10 + int(quarter(3)[-1])
        events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == f"action:{action_id}")).all()
        assert events == ["action.create"]
    register = client.get("/actions/").data.decode()
    assert "Too few condoms" in register


def test_the_frozen_figure_is_the_one_the_dashboard_shows(client, app, as_role, generated) -> None:
    as_role("lead")
    action_id = open_one(client)
    data = client.get(f"/dashboard/indicator.json?survey=clinic_exit&indicator={INDICATOR}&region=kyiv&period={quarter(3)}").get_json()
    row = next(r for r in data["trend"] if r["key"] == quarter(3))
    with app.app_context():
        baseline = db.session.get(Action, action_id).baseline
    assert (baseline["shown"]["estimate"], baseline["shown"]["interval"], baseline["n"]) == (row["estimate"], row["interval"], row["n"])
    page = client.get(f"/actions/{action_id}").data.decode()
    assert f"n = {row['n']}" in page


def test_the_dashboard_links_each_figure_a_reader_may_freeze(client, app, as_role, generated) -> None:
    as_role("lead")
    page = client.get(f"/dashboard/indicator?survey=clinic_exit&indicator={INDICATOR}&region=kyiv&period={quarter(3)}").data.decode()
    assert "/actions/new?" in page and "&amp;facility=" in page  # a lead's facility rows
    assert client.get(f"/dashboard/?survey=clinic_exit&grain=month&period={quarter(3)}").data.decode().count("/actions/new") == 0
    client.post("/logout")
    as_role("advocate")
    overview = client.get(f"/dashboard/?survey=clinic_exit&period={quarter(3)}").data.decode()
    assert f"indicator={INDICATOR}&amp;period={quarter(3)}\"" in overview  # the nation's figure
    indicator = client.get(f"/dashboard/indicator?survey=clinic_exit&indicator={INDICATOR}&period={quarter(3)}").data.decode()
    assert "&amp;region=" in indicator and "facility=" not in indicator
