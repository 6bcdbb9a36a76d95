"""The indicator page's three Plotly charts drawn by plotly.js in Chromium, on a phone's width."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_indicator_page_draws_its_three_charts_without_script_errors(browser, live_server, generated) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    page.goto(f"{live_server}/login")
    page.fill("#username", "demo-advocate")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.goto(f"{live_server}/dashboard/indicator?survey=clinic_exit&indicator=hiv_test_offered&grain=year&period={date.today().year - 1}")  # a whole year: enough people per region to publish
    page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 3")
    charts = page.locator(".chart")
    assert charts.count() == 3  # by region, over time, funnel
    for index in range(3):
        drawn = charts.nth(index)
        assert drawn.locator(".scatterlayer .trace").count() >= 1  # the figure's traces were drawn
        box = drawn.bounding_box()
        assert box is not None and box["width"] <= 360 and box["height"] > 200
    # the target on the dot-and-whisker chart is a shape in the layout: drawn as a dashed line
    assert charts.nth(0).locator(".shapelayer path").count() >= 1
    assert errors == []
    screenshot(page, "indicator-360")
    page.close()
