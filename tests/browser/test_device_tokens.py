"""A monitor makes a device token for ODK Collect on a 360 px phone, in Ukrainian: the token and the
server settings fit the screen, the token works for the OpenRosa form list, and revoking it ends it."""

from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_phone_layout import OVERFLOW

pytestmark = [pytest.mark.browser]


def test_a_monitor_makes_and_revokes_a_token_on_a_phone(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, "demo-monitor")
    page.click("form.lang button[value=uk]")
    page.goto(f"{live_server}/account/devices")
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "devices-phone-uk-empty")
    page.fill("#label", "Samsung, польова робота")
    page.click("form.card button.primary")
    token = page.locator("#device-token").inner_text().strip()
    assert token.startswith("cml_")
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "devices-phone-uk-token")
    listed = requests.get(f"{live_server}/openrosa/formList", auth=("demo-monitor", token), headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert listed.status_code == 200 and b"clinic_exit" in listed.content
    page.click("a.button")
    assert "Samsung, польова робота" in page.content() and token not in page.content()
    screenshot(page, "devices-phone-uk-list")
    page.click("table button")
    assert page.locator(".flash.success").count() == 1
    again = requests.get(f"{live_server}/openrosa/formList", auth=("demo-monitor", token), headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert again.status_code == 401
    context.close()
