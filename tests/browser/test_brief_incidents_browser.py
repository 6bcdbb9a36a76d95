"""The brief's "Documented incidents" on a 360-pixel phone and a desktop, in three languages: pictures to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser

HEADINGS = {"en": "Documented incidents", "uk": "Задокументовані випадки", "ru": "Задокументированные случаи"}


def test_documented_incidents_fit_a_phone_and_a_desktop(browser, live_server, generated) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (360, 1024):
        page = browser.new_page(viewport={"width": width, "height": 900})
        sign_in(page, live_server, "demo-advocate")
        for language in ("en", "uk", "ru"):
            page.goto(f"{live_server}/")
            page.click(f"form.lang button[value={language}]")
            page.goto(f"{live_server}/reports/brief?survey=incident_report")
            section = page.locator("section.incidents")
            assert HEADINGS[language] in section.inner_text()
            assert section.locator("tbody tr").count() >= 2  # regions and the total
            # The tables scroll inside their frame; the page itself never scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            section.screenshot(path=str(SCREENSHOTS / f"brief-incidents-{language}-{width}.png"))
        page.close()
