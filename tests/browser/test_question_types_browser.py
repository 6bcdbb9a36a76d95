"""Every question type drawn by the browser: the web form's live choice filter, and the offline
app's renderer (form.js) drawing each type from the version's JSON as the server's form does."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from cml.core.question_types import QUESTION_KINDS
from cml.extensions import db
from cml.services import surveys
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser
DEFINITION = json.loads((FIXTURES / "all_types.json").read_text())


@pytest.fixture
def published(make_app: Any, live_server: str) -> str:
    with make_app().app_context():
        surveys.publish((FIXTURES / "all_types.json").read_bytes())
        db.session.commit()
    return live_server


def offered(page: Any, question_id: str) -> list[str]:
    return [item.query_selector("input").get_attribute("value") for item in page.query_selector_all(f"#field-{question_id} li") if item.is_visible()]


def test_the_web_form_filters_choices_live_and_shows_notes_and_times(browser, published) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, published, "demo-monitor")
    page.goto(f"{published}/collect/all_types/")
    page.select_option("select", index=1)
    page.click("button.primary")
    page.wait_for_url("**/collect/d/*/1")
    assert page.locator("#field-intro").is_visible() and page.locator("#field-intro input").count() == 0
    assert offered(page, "city") == ["elsewhere"]  # no area chosen yet
    page.check("input[name=q_area][value=north]")
    assert offered(page, "city") == ["kyiv", "chernihiv", "elsewhere"]
    page.check("input[name=q_city][value=kyiv]")
    page.check("input[name=q_area][value=east]")  # Kyiv is not in the east: hidden and unticked
    assert offered(page, "city") == ["kherson", "elsewhere"]
    assert not page.locator("input[name=q_city][value=kyiv]").is_checked()
    page.check("input[name=q_city][value=kherson]")
    assert page.get_attribute("#q_arrived", "type") == "time"
    page.fill("#q_arrived", "19:05")
    screenshot(page, "question-types-web-360")
    page.click("button[value=next]")
    page.wait_for_url("**/collect/d/*/2")
    assert offered(page, "district") == ["other_district"]  # filtered by the server: the city was on page 1
    assert page.locator("#field-late_note").is_visible()
    page.close()


def test_the_offline_renderer_draws_every_type_and_filters_live(browser, live_server) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server}/login")
    for name in ("question_types.js", "questionnaire.js", "form.js"):
        page.add_script_tag(url=f"{live_server}/static/offline/{name}")
    drawn = page.evaluate("""([definition, today]) => {
        const strings = {required: "required", sensitive: "Sensitive"};
        const main = document.querySelector("main");
        main.textContent = "";
        const raw = {area: "south", arrived: "07:05"};
        const found = {};
        definition.sections.forEach((section, index) => {
          const box = document.createElement("div");
          box.id = "section-" + index;
          main.appendChild(box);
          CMLForm.drawSection(box, definition, index, raw, "uk", strings, {});
          CMLForm.showApplying(box, definition, index, raw, today);
          section.questions.forEach((q) => {
            const field = box.querySelector("#field-" + q.id);
            const input = field.querySelector("input, textarea");
            found[q.id] = {type: q.type, input: input ? (input.tagName === "TEXTAREA" ? "textarea" : input.type) : null,
                           text: field.textContent, hidden: field.hidden};
          });
        });
        found.offered = Array.from(document.querySelectorAll("#field-city li")).filter((li) => !li.hidden).map((li) => li.querySelector("input").value);
        return found;
    }""", [DEFINITION, date.today().isoformat()])
    expected_inputs = {"radio": "radio", "checkboxes": "checkbox", "scale": "radio", "number": "text", "date": "date", "time": "time",
                       "line": "text", "box": "textarea", "note": None}
    seen_types = set()
    for question in (q for s in DEFINITION["sections"] for q in s["questions"]):
        field = drawn[question["id"]]
        seen_types.add(question["type"])
        assert field["input"] == expected_inputs[QUESTION_KINDS[question["type"]].widget], question["id"]
    assert seen_types == set(QUESTION_KINDS)
    assert "Питайте лише про останній візит." in drawn["intro"]["text"]  # a note: its text, in Ukrainian
    assert drawn["offered"] == ["odesa", "kherson", "elsewhere"]
    assert drawn["late_note"]["hidden"] and drawn["evening_open"]["hidden"]  # arrived 07:05: not an evening visit
    screenshot(page, "question-types-offline-360")
    page.close()
