"""An administrator authors the next version of a questionnaire in Chromium: uploads an XLSForm with two
mistakes, sees both, uploads the fixed file, previews it at phone width in Ukrainian, reads the comparison
with the published version and publishes it; a monitor's form then asks the new wording."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.authoring_files import NEW_WORDING, clinic_exit_workbook
from tests.browser.conftest import screenshot, signed_in_page
from tests.browser.test_fill_forms import fill_page
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page: Any, base: str, name: str, content: bytes, mime: str) -> None:
    page.goto(f"{base}/admin/questionnaires")
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": content}])
    page.click("form[enctype] button.primary")
    page.wait_for_load_state()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_admin_fixes_previews_compares_and_publishes_an_xlsform(browser, live_server) -> None:
    admin = signed_in_page(browser, live_server, "demo-admin")
    broken, rows = clinic_exit_workbook(mistakes=True)
    upload(admin, live_server, "clinic_exit.xlsx", broken, XLSX)
    problems = admin.locator("#upload-problems ul.problems > li").all_inner_texts()
    assert len(problems) == 2, problems
    assert any(f"row {rows['type']}, column type" in p and "geopoint" in p for p in problems), problems
    assert any(f"row {rows['relevant']}, column relevant" in p and "${nowhere}" in p for p in problems), problems
    assert fits(admin)
    screenshot(admin, "authoring-xlsform-problems")

    fixed, _rows = clinic_exit_workbook(mistakes=False)
    upload(admin, live_server, "clinic_exit.xlsx", fixed, XLSX)
    assert "/admin/questionnaires/drafts/" in admin.url
    change = admin.locator("#question-changes li[data-question=waiting_minutes]")
    assert change.get_attribute("data-kind") == "changed" and NEW_WORDING["en"] in change.inner_text()
    assert admin.locator("#question-changes > li").count() == 1 and "rebuild is not needed" in admin.locator("#rebuild").inner_text()
    assert fits(admin)
    screenshot(admin, "authoring-comparison")
    draft_url = admin.url

    admin.click("#open-preview")
    admin.wait_for_selector("#field-waiting_minutes")
    admin.click("#preview-languages button[data-lang=uk]")
    assert admin.locator("#field-waiting_minutes label").first.inner_text().startswith(NEW_WORDING["uk"])
    admin.click("#preview-screen button[value=next]")  # nothing answered: the required questions say so, in Ukrainian
    errors = admin.locator("#preview-screen p.error").all_inner_texts()
    assert errors and all(any("\u0400" <= c <= "\u04ff" for c in e) for e in errors), errors
    assert fits(admin)
    screenshot(admin, "authoring-preview-uk-required")
    for _page in range(3):  # on to the page with live skip logic (respect: refusal reasons after "refused")
        fill_page(admin)
        admin.click("#preview-screen button[value=next]")
        if admin.locator("#field-refused_service").count():
            break
    reasons = admin.locator("#field-refusal_reasons")
    assert reasons.is_hidden()
    admin.check("#field-refused_service input[value=yes]")
    assert reasons.is_visible()
    assert fits(admin)
    screenshot(admin, "authoring-preview-uk-skip-logic")
    assert admin.evaluate("indexedDB.databases().then(function (all) { return all.length; })") == 0  # nothing kept by the preview

    admin.goto(draft_url)
    admin.click("#publish")
    admin.wait_for_url(f"{live_server}/admin/questionnaires")
    assert "Published clinic_exit version" in admin.locator(".flash").first.inner_text()
    screenshot(admin, "authoring-published")

    monitor = signed_in_page(browser, live_server, "demo-monitor")
    monitor.goto(f"{live_server}/collect/clinic_exit/")
    monitor.select_option("select", index=1)
    monitor.click("button.primary")
    monitor.wait_for_url("**/collect/d/*/1")
    assert NEW_WORDING["en"] in monitor.locator("#field-waiting_minutes").inner_text()
    admin.context.close()
    monitor.context.close()


def test_a_json_upload_lists_its_problems_with_lines_then_becomes_a_draft(browser, live_server) -> None:
    admin = signed_in_page(browser, live_server, "demo-admin")
    document = json.loads((FIXTURES / "mini.json").read_text())
    document["sections"][0]["questions"][1]["show_if"] = {"question": "nowhere", "equals": "no"}
    text = json.dumps(document, indent=2, ensure_ascii=False)
    upload(admin, live_server, "mini.json", text.encode(), "application/json")
    problems = admin.locator("#upload-problems ul.problems > li").all_inner_texts()
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"nowhere"' in row)
    assert len(problems) == 1 and f"line {line}" in problems[0] and "nowhere" in problems[0], problems
    screenshot(admin, "authoring-json-problems")
    upload(admin, live_server, "mini.json", (FIXTURES / "mini.json").read_bytes(), "application/json")
    assert admin.locator("#comparison h2").inner_text() == "A new questionnaire"
    admin.click("#publish")
    admin.wait_for_url(f"{live_server}/admin/questionnaires")
    assert admin.locator("#version-mini-1").count() == 1
    admin.context.close()


def test_the_preview_draws_notes_times_and_filtered_choices_at_phone_width(browser, live_server) -> None:
    admin = signed_in_page(browser, live_server, "demo-admin")
    upload(admin, live_server, "all_types.json", (FIXTURES / "all_types.json").read_bytes(), "application/json")
    admin.click("#open-preview")
    admin.wait_for_selector("#field-intro")
    admin.click("#preview-languages button[data-lang=ru]")
    assert admin.locator("#field-intro").is_visible() and not admin.locator("#field-intro input").count()
    offered = admin.locator("#field-city li:visible")
    assert offered.count() == 1  # no area yet: only the choice without a filter
    admin.check("#field-area input[value=south]")
    assert sorted(admin.locator("#field-city li:visible input").evaluate_all("all => all.map(i => i.value)")) == ["elsewhere", "kherson", "odesa"]
    admin.check("#field-city input[value=odesa]")
    admin.fill("#field-arrived input", "19:30")
    admin.click("#preview-screen button[value=next]")
    admin.wait_for_selector("#field-late_note")
    assert admin.locator("#field-late_note").is_visible() and admin.locator("#field-evening_open").is_visible()
    assert admin.locator("#field-district li:visible input").evaluate_all("all => all.map(i => i.value)") == ["arcadia", "other_district"]
    assert fits(admin)
    screenshot(admin, "authoring-preview-all-types-ru")
    admin.context.close()
