"""The indicator page's three Plotly charts drawn by plotly.js in Chromium, on a phone's width."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_indicator_page_draws_its_three_charts_without_script_errors(browser, live_server, generated) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    sign_in(page, live_server, "demo-advocate")
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


INDICATOR_PAGE_BUDGET = 700_000
"""Bytes a first visit to the indicator page may transfer (compressed): the full plotly.js alone was ~1.5 MB."""


def transferred_on_first_visit(browser: Any, live_server: str, path: str, width: int = 1280) -> dict[str, int]:
    """Bytes on the wire (headers and compressed bodies) per URL for one page, signed in, with an empty cache."""
    signing_in = browser.new_context()
    page = signing_in.new_page()
    sign_in(page, live_server, "demo-advocate")
    cookies = signing_in.storage_state()
    signing_in.close()
    context = browser.new_context(viewport={"width": width, "height": 900}, storage_state=cookies)  # an empty cache
    page = context.new_page()
    sizes: dict[str, int] = {}

    def count(request: Any) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]

    page.on("requestfinished", count)
    page.goto(f"{live_server}{path}")
    page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 3")
    page.wait_for_load_state("networkidle")
    context.close()
    return sizes


def test_the_indicator_page_transfers_little_on_a_first_visit(browser, live_server, generated) -> None:
    sizes = transferred_on_first_visit(browser, live_server, f"/dashboard/indicator?survey=clinic_exit&indicator=hiv_test_offered&grain=year&period={date.today().year - 1}")
    total = sum(sizes.values())
    print(f"indicator page, first visit: {total} bytes", {url.rsplit('/', 1)[-1][:40]: size for url, size in sizes.items()})
    assert any("/vendor/plotly" in url for url in sizes)
    assert total < INDICATOR_PAGE_BUDGET
