"""The action pages in a real browser: a lead opens an action from the dashboard (CSRF on), and the
register, an action, its edit form and the opening form fit a 360 px phone and a desktop in each
language. Screenshots are saved to screenshots/ to look at."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.core.periods import period_of, previous_period
from cml.extensions import db
from cml.models import Action, Facility
from cml.services import actions, demo_actions, users
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_phone_layout import BROKEN_WORDS, OVERFLOW, WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(app: Any, generated: None) -> dict[str, int]:
    with app.app_context():
        assert demo_actions.ensure_demo_actions() >= 2  # a region's and a facility's at least (900 test responses)
        db.session.commit()
        region = db.session.scalar(select(Action.id).where(Action.region_id.is_not(None), Action.facility_id.is_(None)).order_by(Action.id))
        facility = db.session.scalar(select(Action.id).where(Action.facility_id.is_not(None)))
        if facility is None:  # few interviews per facility in this small world: open one on any of its figures
            facility = _facility_action()
            db.session.commit()
    return {"region": region, "facility": facility}


def _facility_action() -> int:
    lead = users.find_user("demo-lead")
    place = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
    unit = actions.Unit(place.region, place)
    for period in (previous_period(period_of(date.today(), "quarter"), "quarter"), period_of(date.today(), "quarter")):
        for indicator in ("hiv_test_offered", "condoms_enough", "waiting_time", "judgemental_attitude"):
            try:
                figure = actions.figure_for(lead, "clinic_exit", indicator, unit, period)
            except actions.NotAFigure:
                continue
            return actions.new_action(lead, figure, {}, problem="Clients wait too long at the City AIDS Centre",
                                      duty_bearer_kind="facility_head", duty_bearer="Head doctor", asked="A second nurse on duty",
                                      owner="Legalife Kyiv", due_period=20991).id
    raise AssertionError("no facility figure in the generated data")


def test_a_lead_opens_an_action_from_an_overview_figure(browser, live_server, demo, app) -> None:
    page = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, "demo-lead")
    page.goto(f"{live_server}/dashboard/?survey=clinic_exit")
    page.locator("a.open-action").first.click()
    page.wait_for_selector("#problem")
    screenshot(page, "actions-new-phone")
    page.fill("#problem", "Too few people are offered an HIV test")
    page.select_option("#duty_bearer_kind", "facility_head")
    page.fill("#duty_bearer", "Head of the city AIDS centre")
    page.fill("#asked", "Offer a test at every visit")
    page.fill("#owner", "Legalife Kyiv")
    page.click("form.card button.primary")
    page.wait_for_selector("h1:has-text('Too few people')")
    assert page.locator(".verdict").count() == 1
    screenshot(page, "actions-opened-phone")
    with app.app_context():
        assert db.session.scalar(select(Action).where(Action.problem.startswith("Too few people"))) is not None


@pytest.mark.parametrize("role", ["lead", "advocate"])
def test_the_action_pages_fit_a_phone_and_a_desktop_in_each_language(browser, live_server, demo, role) -> None:
    paths = ["/actions/", f"/actions/{demo['region']}", f"/actions/{demo['facility']}"]
    if role == "lead":
        paths.append(f"/actions/{demo['region']}/edit")
    problems: list[str] = []
    for device, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, live_server, f"demo-{role}")
        for language in ("en", "uk", "ru"):
            page.goto(f"{live_server}/")
            page.click(f"form.lang button[value={language}]")
            for index, path in enumerate(paths):
                response = page.goto(f"{live_server}{path}")
                assert response is not None and response.status == 200, (path, response and response.status)
                for found in page.evaluate(OVERFLOW) + page.evaluate(BROKEN_WORDS):
                    problems.append(f"{role} {device} {language} {path}: {found}")
                screenshot(page, f"actions-{role}-{device}-{language}-{index}")
        context.close()
    assert not problems, "\n".join(problems)
