"""The council brief printed by headless Chromium: a PDF per language, and PNGs to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_brief_pdf_and_pictures_in_each_language(browser, live_server, generated, client, as_role) -> None:
    as_role("advocate")
    SCREENSHOTS.mkdir(exist_ok=True)
    for language in ("en", "uk", "ru"):
        client.post("/language", data={"lang": language})
        response = client.get("/reports/brief.pdf?survey=clinic_exit")
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF") and len(response.data) > 20_000
        (SCREENSHOTS / f"brief-{language}.pdf").write_bytes(response.data)
    page = browser.new_page(viewport={"width": 1024, "height": 1400})
    page.goto(f"{live_server}/login")
    page.fill("#username", "demo-advocate")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    for language in ("en", "uk", "ru"):
        page.goto(f"{live_server}/")
        page.click(f"form.lang button[value={language}]")  # the saved choice beats ?lang=
        page.goto(f"{live_server}/reports/brief?survey=clinic_exit")
        assert page.locator("html").get_attribute("lang") == language
        page.wait_for_selector(".chart .main-svg")
        screenshot(page, f"brief-{language}")
    page.close()
