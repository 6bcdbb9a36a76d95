"""The form page shows and hides questions with the server's own rules (questionnaire.js):
an answer the server would refuse counts as no answer, so what the page shows is what the
server will ask for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_fill_forms import fill_page

pytestmark = pytest.mark.browser


def incident_page(page: Any, base: str, number: int) -> None:
    """A new incident report, its earlier pages filled, open at page `number`."""
    page.goto(f"{base}/collect/incident_report/")
    page.select_option("select", index=1)
    page.click("button.primary")
    page.wait_for_url("**/collect/d/*/1")
    while not page.url.endswith(f"/{number}"):
        fill_page(page)
        page.click("button[value=next]")
        page.wait_for_load_state()
        assert not page.locator("p.error").count(), page.locator("p.error").all_inner_texts()


def test_a_refused_answer_hides_what_depends_on_it_as_the_server_would(browser, live_server) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_server, "demo-monitor")
    incident_page(page, live_server, 2)
    police = page.locator("#field-police_response")
    assert police.is_hidden()
    page.check("input[name=q_reported_to][value=police]")
    assert police.is_visible()
    # "Nobody" beside "Police" breaks the question's constraint: the server refuses the whole
    # answer, so nothing depends on it (the old page script showed the police question here).
    page.check("input[name=q_reported_to][value=nobody]")
    assert police.is_hidden()
    screenshot(page, "live-skip-constraint")
    page.click("button[value=next]")
    page.wait_for_load_state()
    assert page.url.endswith("/2") and page.locator("#field-reported_to p.error").is_visible()
    assert police.is_hidden()  # the server agrees: the question is not asked
    page.uncheck("input[name=q_reported_to][value=nobody]")
    assert police.is_visible()
    page.close()


@pytest.mark.parametrize(("count", "asked"), [("3", True), ("1e2", True), ("400", False), ("12,5", False), ("lots", False), ("", False)])
def test_a_number_counts_only_when_the_server_would_keep_it(browser, live_server, count: str, asked: bool) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_server, "demo-monitor")
    incident_page(page, live_server, 4)
    page.fill("input[name=q_incidents_12m]", count)
    assert page.locator("#field-incidents_reported_12m").is_visible() is asked  # 400 is past the maximum of 365
    if count == "400":
        screenshot(page, "live-skip-bounds")
    page.close()
