"""On a 360 px phone, in Ukrainian and Russian: the home page and "My submissions" list the unfinished
interviews, nothing wider than the screen, and "Continue" goes on where the form was left."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_phone_layout import BROKEN_WORDS, OVERFLOW

pytestmark = [pytest.mark.browser]


def _start(page: Any, base: str, code: str) -> str:
    page.goto(f"{base}/collect/{code}/")
    page.select_option("form.card select", index=1)  # past the "Choose…" placeholder
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/collect/d/[^/]+/\d+$"))
    return page.url.removeprefix(base)


def test_unfinished_interviews_on_a_phone(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server, "demo-monitor")
    page.click("form.lang button[value=uk]")
    first = _start(page, live_server, "clinic_exit")
    _start(page, live_server, "incident_report")
    page.goto(f"{live_server}/")
    items = page.locator(".unfinished-list li")
    assert items.count() == 2
    assert page.locator("#unfinished-title").inner_text() == "Незавершені інтерв’ю"
    # Both were started within the same second (SQLite keeps seconds), so their order may be either way.
    clinic_exit = items.filter(has_text="Опитування на виході з клініки")  # the questionnaire's own title in the reader's language
    assert clinic_exit.count() == 1
    incident = items.filter(has_text="Повідомлення про насильство")
    assert "Харківська область" in incident.inner_text()  # a region questionnaire's place is the region, named in Ukrainian
    problems = page.evaluate(OVERFLOW) + page.evaluate(BROKEN_WORDS)
    screenshot(page, "sync-unfinished-home-uk-360")
    clinic_exit.get_by_role("link").click()
    page.wait_for_url(f"{live_server}{first}")
    page.click("form.lang button[value=ru]")
    page.goto(f"{live_server}/collect/mine")
    assert page.locator(".unfinished-list a.button").first.inner_text().startswith("Продолжить")
    problems += page.evaluate(OVERFLOW) + page.evaluate(BROKEN_WORDS)
    screenshot(page, "sync-unfinished-mine-ru-360")
    context.close()
    assert problems == []
