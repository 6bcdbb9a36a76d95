"""The loop in Chromium: a lead sees a missed target and opens an action; the next quarter's data arrive; the
action shows what the data say; an advocate puts it on a council's agenda and the advocate's brief lists it."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.core.synthetic import Generator, SyntheticFacility
from cml.extensions import db
from cml.models import Action, Facility, User
from cml.services import actions
from cml.services.bulk import NewResponse, store_many
from cml.services.regions import region_by_code
from cml.services.surveys import latest_version, model_of
from tests.browser.conftest import PHONE, SCREENSHOTS, screenshot, signed_in_page

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
INDICATOR = "condoms_enough"  # target 90%, higher is better
BASELINE = ("2026Q2", "20262", date(2026, 4, 1), date(2026, 6, 30))
NEXT = ("2026Q3", "20263", date(2026, 7, 1), date(2026, 9, 30))


def interviews_arrive(app: Any, first: date, last: date, quality: float, count: int, seed: str) -> int:
    """`count` clinic exit interviews at Kyiv's facilities between two days, stored by the service that stores
    submissions in bulk (as `demo data` does); `quality` shifts every facility from typical (0) to poor (< 0)."""
    with app.app_context():
        version = latest_version("clinic_exit")
        assert version is not None
        kyiv = region_by_code("kyiv")
        places = db.session.scalars(select(Facility).where(Facility.region_id == kyiv.id, Facility.stands_for_region.is_(False))).all()
        profiles = [SyntheticFacility(f.id, f.region_id, quality, 1.0) for f in places]
        made = Generator(model_of(version), profiles, first, last, last, seed).responses(seed, count)
        items = [NewResponse(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}:{i}"), r.facility_id, r.region_id, r.interview_date, r.answers)
                 for i, r in enumerate(made)]
        stored = store_many(version, items, source="demo").stored
        db.session.commit()
        return stored


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_from_a_missed_target_to_the_council_and_back_to_the_data(browser, live_server, app) -> None:
    assert interviews_arrive(app, BASELINE[2], BASELINE[3], -1.0, 90, "loop-baseline") == 90

    # The lead sees the missed target on the dashboard, for the quarter.
    lead = signed_in_page(browser, live_server, "demo-lead", DESKTOP)
    lead.goto(f"{live_server}/dashboard/?survey=clinic_exit&grain=quarter&period={BASELINE[0]}")
    row = lead.locator("tr", has=lead.locator(f"a[href*='indicator={INDICATOR}']")).first
    assert "Misses target" in row.inner_text() and "margin of error" not in row.inner_text()  # clearly missed
    screenshot(lead, "loop-1-dashboard-missed-target")

    # ...opens an action on it, with a duty bearer and a due quarter.
    row.locator("a.open-action").click()
    lead.wait_for_selector("#problem")
    lead.fill("#problem", "Most people leave the Kyiv clinics without the condoms they need")
    lead.select_option("#duty_bearer_kind", "regional_health_department")
    lead.fill("#duty_bearer", "Kyiv regional health department")
    lead.fill("#asked", "Stock condoms at every clinic and hand them out without asking")
    lead.select_option("#due_period", NEXT[1])
    lead.fill("#owner", "Legalife Kyiv")
    screenshot(lead, "loop-2-open-action")
    lead.click("button.primary")
    lead.wait_for_selector(".flash.success")
    action_url = lead.url
    assert "not due yet" in lead.inner_text("main")
    screenshot(lead, "loop-3-action-not-due")

    # The next quarter's data arrive: the clinics did better.
    assert interviews_arrive(app, NEXT[2], NEXT[3], 0.0, 90, "loop-next") == 90
    with app.app_context():
        action = db.session.scalars(select(Action)).one()
        check = actions.recheck(action, db.session.scalars(select(User).where(User.username == "demo-lead")).one())
        assert check.verdict == "improved_clear" and check.baseline is not None and check.current is not None
        action_id, then, now = action.id, f"n = {check.baseline.n}", f"n = {check.current.n}"
        assert check.baseline.n == action.baseline["n"] > 80 and check.current.n > 80
    lead.goto(action_url)
    text = lead.inner_text("main")
    assert "improved (clear)" in text and then in text and now in text, text
    screenshot(lead, "loop-4-action-improved")
    phone = signed_in_page(browser, live_server, "demo-lead", PHONE)
    phone.goto(action_url)
    assert fits(phone)
    screenshot(phone, "loop-4-action-improved-360")

    # An advocate puts it on the Kyiv council's agenda.
    advocate = signed_in_page(browser, live_server, "demo-advocate", PHONE)
    advocate.click("nav >> text=Council meetings")
    advocate.check("input[value=regional_council]")
    with app.app_context():
        kyiv_id = region_by_code("kyiv").id
    advocate.select_option("#region", str(kyiv_id))
    advocate.fill("#held_on", "2026-09-24")
    advocate.fill("#title", "Kyiv HIV council, September")
    assert fits(advocate)
    screenshot(advocate, "loop-5-new-meeting-360")
    advocate.click("button.primary")
    advocate.wait_for_selector("#agenda")
    advocate.select_option("#action", str(action_id))
    advocate.click("form.agenda-add button.primary")
    advocate.wait_for_selector(f"#action-{action_id}")
    item = advocate.inner_text(f"#action-{action_id}")
    assert "Most people leave the Kyiv clinics" in item and "improved (clear)" in item and then in item and now in item
    assert fits(advocate)
    screenshot(advocate, "loop-6-meeting-agenda-360")

    # The advocate's brief for Kyiv and the quarter lists it, with what the data say.
    brief = signed_in_page(browser, live_server, "demo-advocate", DESKTOP)
    brief.goto(f"{live_server}/reports/brief?survey=clinic_exit&region=kyiv&period={NEXT[0]}")
    section = brief.inner_text(".last-time")
    assert "What we asked last time and what changed" in section
    assert "Kyiv HIV council, September" in section and "Most people leave the Kyiv clinics" in section
    assert "improved (clear)" in section and then in section and now in section
    screenshot(brief, "loop-7-advocate-brief")

    # The same brief printed to PDF by Chromium on the server carries the section.
    pdf = brief.context.request.get(f"{live_server}/reports/brief.pdf?survey=clinic_exit&region=kyiv&period={NEXT[0]}")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (SCREENSHOTS / "loop-7-advocate-brief.pdf").write_bytes(pdf.body())
        words = subprocess.run(["pdftotext", "-layout", str(SCREENSHOTS / "loop-7-advocate-brief.pdf"), "-"], capture_output=True,  # noqa: S603, S607
                               text=True, check=True, timeout=60).stdout
        assert "What we asked last time and what changed" in words and "improved (clear)" in words
