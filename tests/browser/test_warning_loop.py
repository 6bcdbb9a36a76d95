"""The warning loop in Chromium at a phone's width: a monitor files an incident with consent to a warning; the lead
drafts, edits and publishes the warning; a monitor of the region sees it in the bulletin and copies its messenger
text; a monitor of another region does not see it; the bulletin prints to PDF in three languages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, screenshot, signed_in_page
from tests.browser.test_accessibility import AXE_JS, BLOCKING, violations
from tests.browser.test_fill_forms import fill_page

pytestmark = pytest.mark.browser
AREA = "Podil district"
AGGRESSOR = "Tall man about 40, shaved head, says he is a doctor"
WHAT = "Offers a lift, drives out of town, beats and robs. Refuses to pay."
VEHICLE = "Black Toyota Camry, tinted windows"

AXE_AND_CLIPBOARD = {"bypass_csp": True, "permissions": ["clipboard-read", "clipboard-write"]}  # axe-core goes in as an inline script


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def file_incident_with_consent(page: Any, base: str) -> str:
    """The monitor's web form, page by page, at a Kyiv facility: the area, the aggressor, and yes to a warning."""
    page.goto(f"{base}/collect/incident_report/")
    kyiv = page.evaluate("[...document.querySelectorAll('select option')].find(o => /Kyiv/.test(o.textContent) && o.value).value")
    page.select_option("select", kyiv)
    page.click("button.primary")
    page.wait_for_url("**/collect/d/*/1")
    for _ in range(12):
        if "/review" in page.url:
            break
        if page.locator("input[name=q_place_area]").count():
            page.fill("input[name=q_place_area]", AREA)
        for question in ("consent_count", "consent_warning", "add_to_warning_list"):
            choice = page.locator(f"input[name=q_{question}][value=yes]")
            if choice.count():
                choice.check()
        if page.locator("textarea[name=q_aggressor_description]").count():
            page.fill("textarea[name=q_aggressor_description]", AGGRESSOR)
        fill_page(page)
        page.click("button[value=next]")
        page.wait_for_load_state()
        assert not page.locator("p.error").count(), page.locator("p.error").all_inner_texts()
    page.click("form[action$='/submit'] button.primary")
    page.wait_for_url(f"{base}/collect/receipt/**")
    return str(page.url)


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script, or "" without it: the loop is tested either way (test_accessibility insists on axe-core
    when CML_REQUIRE_BROWSER=1)."""
    return AXE_JS.read_text(encoding="utf-8") if AXE_JS.is_file() else ""


def blocking(page: Any, axe: str) -> list[dict[str, Any]]:
    if not axe:
        return []
    return [v for v in violations(page, axe) if v["impact"] in BLOCKING]


def test_from_an_incident_to_the_regions_bulletin(browser, live_server, app, axe) -> None:
    base = live_server
    monitor = signed_in_page(browser, base, "demo-monitor", **AXE_AND_CLIPBOARD)  # Kyiv and Kharkiv
    file_incident_with_consent(monitor, base)

    lead = signed_in_page(browser, base, "demo-lead", **AXE_AND_CLIPBOARD)  # Kyiv
    lead.goto(f"{base}/warnings/manage")
    assert fits(lead)
    screenshot(lead, "warning-1-manage-360")
    lead.locator("ul.candidates button.primary").first.click()
    lead.wait_for_url(re.compile(r".*/warnings/\d+/edit$"))
    warning_id = lead.url.rsplit("/", 2)[-2]
    assert lead.input_value("#area") == AREA and lead.input_value("#aggressor_description") == AGGRESSOR  # prefilled from the report
    assert lead.locator("text=Nothing may identify the person who reported").is_visible()
    lead.fill("#what_happened", WHAT + " Call 067-123-4567 to check.")
    lead.fill("#happened_period", "late November 2026")
    lead.fill("#vehicle_description", VEHICLE)
    lead.click("form.card button.primary >> nth=0")
    lead.wait_for_load_state()
    assert lead.locator("text=a phone number").is_visible()  # the check points at it; the lead takes it out
    screenshot(lead, "warning-2-edit-flagged-360")
    assert blocking(lead, axe) == []
    lead.fill("#what_happened", WHAT)
    lead.click("form.card button.primary >> nth=0")
    lead.wait_for_load_state()
    assert not lead.locator("text=a phone number").count()
    lead.click("#publish button.primary")  # without the confirmation: refused, nothing published
    lead.wait_for_load_state()
    assert lead.locator("#publish p.error").is_visible()
    lead.check("#publish-checked")
    lead.click("#publish button.primary")
    lead.wait_for_url(f"{base}/warnings/{warning_id}")
    assert fits(lead)
    screenshot(lead, "warning-3-published-360")
    assert blocking(lead, axe) == []

    monitor.goto(f"{base}/warnings/?region=kyiv")
    card = monitor.locator(f"#warning-{warning_id}")
    assert WHAT in card.inner_text() and VEHICLE in card.inner_text() and AREA in card.inner_text()
    card.locator("button.copy").click()
    monitor.wait_for_function("document.querySelector('.copy-status').textContent.length > 0")
    copied = monitor.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("WARNING · Kyiv\n") and WHAT in copied and len(copied) <= 600
    assert fits(monitor)
    screenshot(monitor, "warning-4-bulletin-monitor-360")
    assert blocking(monitor, axe) == []

    other = signed_in_page(browser, base, "odesa-monitor", **AXE_AND_CLIPBOARD)
    assert other.goto(f"{base}/warnings/{warning_id}").status == 404
    assert other.goto(f"{base}/warnings/?region=kyiv").status == 404
    other.goto(f"{base}/warnings/")
    assert WHAT not in other.content() and other.locator("text=No current warnings in this region.").is_visible()
    screenshot(other, "warning-5-bulletin-other-region-360")

    for language in ("en", "uk", "ru"):
        response = monitor.request.get(f"{base}/warnings/bulletin.pdf?region=kyiv&lang={language}")
        assert response.status == 200 and response.body().startswith(b"%PDF") and len(response.body()) > 5_000
        (SCREENSHOTS / f"warnings-bulletin-{language}.pdf").write_bytes(response.body())
    monitor.context.close()
    lead.context.close()
    other.context.close()


def test_the_printed_bulletin_looks_right(browser, app, client, as_role, monkeypatch) -> None:
    """The page the PDF is printed from, pictured in each language at A4's width, to look at."""
    from tests.web.test_warnings import published

    as_role("lead")
    published(client, app)
    printed: list[str] = []
    monkeypatch.setattr("cml.warnings.views.render_pdf", lambda chromium, html: printed.append(html) or b"%PDF-1.4")
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    for language in ("en", "uk", "ru"):
        pdf = client.get(f"/warnings/bulletin.pdf?lang={language}")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
        page.set_content(printed[-1])
        assert page.locator("html").get_attribute("lang") == language
        screenshot(page, f"warning-6-print-{language}")
    page.close()
