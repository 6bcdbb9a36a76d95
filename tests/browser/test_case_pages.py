"""The case pages in a real browser (CSRF on): a lead opens an incident case from the list, records
a step and a withdrawn consent; the list and a case fit a 360 px phone and a desktop in each
language. Screenshots are saved to screenshots/ to look at."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Case
from cml.services import demo_cases
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_phone_layout import BROKEN_WORDS, OVERFLOW, WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(app: Any, generated: None) -> list[int]:
    with app.app_context():
        assert demo_cases.ensure_demo_cases() == 3
        db.session.commit()
        return list(db.session.scalars(select(Case.id).order_by(Case.id)))


def test_a_lead_records_a_step_and_a_withdrawn_consent(browser, live_server, demo, app) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, "demo-lead")
    page.click("nav >> text=Cases")
    page.select_option("#state", "open")
    page.click("form.filters button")
    page.click("table.cases tbody tr th a >> nth=0")
    assert "/cases/" in page.url
    case_id = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    page.select_option("#kind", "police_report")
    page.fill("#happened_on", "2026-11-30")
    page.select_option("#outcome", "nothing")
    page.fill("#note", "Went with her to the station")
    page.click("form.step-form button.primary")
    assert page.locator("text=The step is recorded.").is_visible()
    assert page.locator("text=Went with her to the station").is_visible()
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and [s.note for s in case.steps][-1] == "Went with her to the station"
        consenting = next(c for c in db.session.scalars(select(Case).order_by(Case.id)) if c.consented("count"))
        consenting_id = consenting.id
    page.goto(f"{live_server}/cases/{consenting_id}")
    counted = page.locator("form.inline-form").filter(has=page.locator("input[name=use][value=count]"))
    counted.locator("input[name=confirm]").check()
    counted.locator("button").click()
    assert page.locator("text=Recorded: the person withdrew their consent").is_visible()
    screenshot(page, "cases-flow-lead-phone")
    context.close()
    with app.app_context():
        case = db.session.get(Case, consenting_id)
        assert case is not None and case.count_withdrawn_at is not None


@pytest.mark.parametrize("role", ["lead"])
def test_the_case_pages_fit_a_phone_and_a_desktop_in_each_language(browser, live_server, demo, role) -> None:
    paths = ["/cases/", f"/cases/{demo[0]}", f"/cases/{demo[-1]}"]
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
                page.goto(f"{live_server}{path}")
                for found in page.evaluate(OVERFLOW) + page.evaluate(BROKEN_WORDS):
                    problems.append(f"{role} {device} {language} {path}: {found}")
                screenshot(page, f"cases-{role}-{device}-{language}-{index}")
        context.close()
    assert not problems, "\n".join(problems)
