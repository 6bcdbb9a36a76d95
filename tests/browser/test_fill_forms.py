"""A peer monitor fills each shipped questionnaire in Chromium, on a phone and on a desktop."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

# (questionnaire, page number, controlling question, value that shows, value that hides, dependent question)
SKIP_LOGIC = {
    "clinic_exit": (4, "refused_service", "yes", "no", "refusal_reasons"),
    "incident_report": (1, "documents_confiscated", "yes", "no", "documents_returned"),
    "training_evaluation": (2, "needs_met", "partly", "fully", "missing"),
}
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def visible_fields(page: Any) -> list[Any]:
    return [f for f in page.query_selector_all("form .field[data-type]") if f.is_visible()]


def fill_field(field: Any) -> None:
    """A plausible answer: the first option, the lowest allowed number, today's date."""
    kind = field.get_attribute("data-type")
    if kind in ("single_choice", "yes_no_dk", "rating", "multiple_choice"):
        boxes = field.query_selector_all("input")
        if not any(box.is_checked() for box in boxes):
            boxes[0].check()
    elif kind in ("integer", "decimal"):
        box = field.query_selector("input")
        if not box.input_value():
            box.fill("1")
    elif kind == "date":
        box = field.query_selector("input")
        if not box.input_value():
            box.fill(date.today().isoformat())
    elif kind == "text":
        box = field.query_selector("input")
        if not box.input_value():
            box.fill("ok")


def fill_page(page: Any) -> None:
    # Answers can reveal further questions; fill until nothing new appears.
    for _ in range(5):
        before = len(visible_fields(page))
        for field in visible_fields(page):
            fill_field(field)
        if len(visible_fields(page)) == before:
            return


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("code", sorted(SKIP_LOGIC))
@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_monitor_fills_a_questionnaire(browser, live_server, code: str, device: str) -> None:
    base = live_server
    page = browser.new_page(viewport=VIEWPORTS[device])
    sign_in(page, base, "demo-monitor")
    page.goto(f"{base}/collect/{code}/")
    assert no_horizontal_scroll(page)
    screenshot(page, f"{code}-{device}-0-start")
    assert page.locator("select").input_value() == ""  # nothing chosen for the monitor
    page.select_option("select", index=1)
    page.click("button.primary")
    skip_page, controller, shows, hides, dependent = SKIP_LOGIC[code]
    pages_seen = 0
    while "/review" not in page.url:
        number = int(page.url.rsplit("/", 1)[1])
        pages_seen += 1
        assert pages_seen < 10, "the form never reached the review page"
        # A validation error: send the page empty; required questions are refused beside the field.
        if page.query_selector(".field .required"):
            page.click("button[value=next]")
            assert page.locator("p.error").first.is_visible()
            assert page.url.endswith(f"/{number}")
            screenshot(page, f"{code}-{device}-{number}-error")
        if number == skip_page:
            dependent_field = page.locator(f"#field-{dependent}")
            assert dependent_field.is_hidden()
            page.check(f"input[name=q_{controller}][value={shows}]")
            assert dependent_field.is_visible()
            page.check(f"input[name=q_{controller}][value={hides}]")
            assert dependent_field.is_hidden()
        fill_page(page)
        assert no_horizontal_scroll(page)
        screenshot(page, f"{code}-{device}-{number}-page")
        page.click("button[value=next]")
        page.wait_for_load_state()
        assert not page.locator("p.error").count(), page.locator("p.error").all_inner_texts()
    assert page.locator("text=Review your answers").is_visible()
    screenshot(page, f"{code}-{device}-8-review")
    page.click("form[action$='/submit'] button.primary")
    page.wait_for_url(f"{base}/collect/receipt/**")
    assert page.locator("h1", has_text="Interview received").is_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, f"{code}-{device}-9-receipt")
    receipt_url = page.url
    # Back to the review page after sending: the draft is gone, the receipt is shown again.
    page.go_back()
    page.reload()
    assert page.url.split("?")[0] == receipt_url.split("?")[0]
    page.close()
