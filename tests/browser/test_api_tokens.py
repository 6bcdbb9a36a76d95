"""An advocate makes an API token on a 360 px phone, in Russian: the token and the API address fit
the screen, the token reads the indicator table, and revoking it ends it at once."""

from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_phone_layout import OVERFLOW

pytestmark = [pytest.mark.browser]


def test_an_advocate_makes_and_revokes_an_api_token_on_a_phone(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, "demo-advocate")
    with page.expect_navigation():  # each click loads a page: evaluating during the load finds no document
        page.click("form.lang button[value=ru]")
    with page.expect_navigation():
        page.click("footer a[href='/account/tokens']")
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "api-tokens-phone-ru-empty")
    page.fill("#name", "Power BI, национальный офис")
    page.fill("#days", "30")
    with page.expect_navigation():
        page.click("form.card button.primary")
    token = page.locator("#api-token").inner_text().strip()
    assert token.startswith("cml_pat_")
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "api-tokens-phone-ru-token")
    table = requests.get(f"{live_server}/api/v1/indicators/clinic_exit", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert table.status_code == 200 and table.json()["questionnaire"] == "clinic_exit"
    with page.expect_navigation():
        page.click("a.button")
    assert "Power BI, национальный офис" in page.content() and token not in page.content()
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "api-tokens-phone-ru-list")
    with page.expect_navigation():
        page.click("table button")
    assert page.locator(".flash.success").count() == 1
    again = requests.get(f"{live_server}/api/v1/indicators/clinic_exit", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert again.status_code == 401
    context.close()
