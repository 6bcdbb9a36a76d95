"""A lead corrects an interview at 360 px, then withdraws it; an admin restores it from the trash.
Screenshots (screenshots/corrections-*.png) to look at; no page is wider than the phone."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility, IndicatorFact, Response, User
from cml.services import surveys
from cml.services.responses import all_answers, store_response
from tests.browser.conftest import screenshot, signed_in_page
from tests.browser.test_phone_layout import OVERFLOW
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.browser]


@pytest.fixture
def interview(live_server: str, make_app: Any) -> int:
    app = make_app()
    with app.app_context():
        version = surveys.publish((FIXTURES / "mini.json").read_bytes()).version
        monitor = db.session.scalar(select(User).where(User.username == "demo-monitor"))
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        answers = {"tested": "no", "why_not": "refused", "wait": 20, "attitude": "rude", "story": "we waited outside"}
        response = store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 1), answers, monitor).response
        db.session.commit()
        return int(response.id)


def test_correct_withdraw_and_restore_on_a_phone(browser, live_server, interview, make_app) -> None:
    page = signed_in_page(browser, live_server, "demo-lead")
    page.goto(f"{live_server}/collect/submissions/{interview}/correct")
    assert page.input_value("#q_wait") == "20"
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "corrections-1-form")
    page.fill("#q_wait", "700")
    page.click("button.primary")
    assert page.locator(".flash.error").count() == 1 and page.locator("#field-wait .error").count() == 1
    screenshot(page, "corrections-2-refused")
    page.fill("#q_wait", "45")
    page.click("button.primary")
    assert "Correction saved" in page.inner_text(".flash")
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "corrections-3-saved")
    page.click("text=Withdraw or delete…")
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "corrections-4-withdraw")
    page.check("input[value=withdrawn]")
    page.click("button.primary")
    assert "trash" in page.inner_text(".flash")
    page.context.close()

    page = signed_in_page(browser, live_server, "demo-admin")
    page.goto(f"{live_server}/collect/trash")
    screenshot(page, "corrections-5-trash")
    assert page.evaluate(OVERFLOW) == []
    page.click("button:has-text('Restore')")
    assert "counts in the figures again" in page.inner_text(".flash")
    screenshot(page, "corrections-6-restored")
    page.context.close()
    app = make_app()
    with app.app_context():
        response = db.session.get(Response, interview)
        assert response.deleted_at is None and all_answers(response)["wait"] == 45
        assert db.session.scalar(select(IndicatorFact.numerator).where(IndicatorFact.response_id == interview,
                                                                         IndicatorFact.indicator == "mean_wait")) == 45
