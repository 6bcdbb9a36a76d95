"""A lead flags a submission, the monitor reads the comment and corrects it, the lead approves: in Chromium at 360 px."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility, Response, User
from cml.services.responses import all_answers, store_response
from tests.browser.conftest import screenshot, signed_in_page
from tests.services.test_counting import _facts, _rebuilt
from tests.services.test_fact_sums import summed

pytestmark = pytest.mark.browser
COMMENT = "The waiting time says 450 minutes: was it 45?"


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_flag_correct_approve(browser, live_server, app, mini) -> None:
    with app.app_context():
        version = mini.questionnaire_version()
        monitor = db.session.scalars(select(User).where(User.username == "demo-monitor")).one()
        kyiv = db.session.scalars(select(Facility).where(Facility.code == "kyiv-01")).one()
        submission_id = uuid.uuid4()
        store_response(submission_id, version, kyiv, date.today(), {"tested": "yes", "wait": 450, "attitude": "rude"}, monitor)
        db.session.commit()

    # The lead finds it in the review list and flags it, from the keyboard.
    lead = signed_in_page(browser, live_server, "demo-lead")
    lead.click("text=Review submissions")
    screenshot(lead, "review-list-360")
    lead.click(f"a:has-text('{str(submission_id)[:7]}')")
    assert "Received" in lead.inner_text(".receipt")
    lead.fill("#comment", COMMENT)
    lead.focus("#comment")
    lead.keyboard.press("Tab")  # Approve
    lead.keyboard.press("Tab")  # Has issues
    focused = lead.evaluate("[document.activeElement.value, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["has_issues", "solid"], focused  # in tab order, focus visible
    screenshot(lead, "review-lead-flags-360")
    lead.keyboard.press("Enter")
    lead.wait_for_selector(".flash.success")
    assert "Has issues" in lead.inner_text(".receipt") and COMMENT in lead.inner_text(".receipt")
    assert fits(lead)
    screenshot(lead, "review-lead-flagged-360")

    # The monitor reads the comment in their submissions and corrects the answer.
    monitor_page = signed_in_page(browser, live_server, "demo-monitor")
    monitor_page.click("nav >> text=My submissions")
    assert COMMENT in monitor_page.inner_text("main")
    assert fits(monitor_page)
    screenshot(monitor_page, "review-monitor-mine-360")
    monitor_page.click(f"a:has-text('{str(submission_id)[:7]}')")
    assert COMMENT in monitor_page.inner_text("main")
    screenshot(monitor_page, "review-monitor-receipt-360")
    monitor_page.click("text=Correct this submission")
    monitor_page.fill("[name=q_wait]", "45")
    monitor_page.click("text=Save the correction")
    monitor_page.wait_for_selector(".flash.success")
    with app.app_context():
        stored = db.session.scalars(select(Response).where(Response.submission_id == submission_id)).one()
        assert all_answers(stored)["wait"] == 45 and stored.review_state == "has_issues"

    # The lead sees the correction and approves.
    lead.reload()
    assert "Corrected" in lead.inner_text(".receipt")
    lead.click("button[value=approved]")
    lead.wait_for_selector(".flash.success")
    assert "Approved" in lead.inner_text(".receipt") and COMMENT not in lead.inner_text("main")
    screenshot(lead, "review-lead-approved-360")
    with app.app_context():
        stored = db.session.scalars(select(Response).where(Response.submission_id == submission_id)).one()
        assert (stored.review_state, stored.review_comment) == ("approved", None)
        assert any(row[0] == stored.id for row in _facts())
        assert _rebuilt() == (summed(), _facts())
