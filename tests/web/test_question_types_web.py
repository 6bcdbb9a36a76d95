"""Every question type in the web form, the export and the paper import; note, time and filtered choices end to end."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cml.collect.fields import FIELD_HANDLERS
from cml.core.question_types import QUESTION_KINDS
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Response, User
from cml.services import surveys
from cml.services.responses import store_response
from tests.conftest import FIXTURES


@pytest.fixture
def all_types(app, world):
    with app.app_context():
        version = surveys.publish((FIXTURES / "all_types.json").read_bytes()).version
        db.session.commit()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        return {"version": version.id, "kyiv": kyiv.id}


def start(client, all_types) -> str:
    sid = str(uuid.uuid4())
    response = client.post("/collect/all_types/", data={"submission_id": sid, "facility": all_types["kyiv"], "interview_date": date.today().isoformat()})
    assert response.headers["Location"].endswith(f"/collect/d/{sid}/1")
    return sid


def field_html(page: str, question_id: str) -> str:
    found = re.search(rf'<div class="field[^"]*" id="field-{question_id}".*?\n</div>', page, re.S)
    assert found, question_id
    return found.group(0)


def test_every_widget_kind_has_a_web_field() -> None:
    assert {kind.widget for kind in QUESTION_KINDS.values()} <= set(FIELD_HANDLERS)


def test_every_type_renders_in_the_web_form(client, as_role, all_types) -> None:
    as_role("monitor")
    sid = start(client, all_types)
    first = client.get(f"/collect/d/{sid}/1").get_data(as_text=True)
    note = field_html(first, "intro")
    assert "Ask only about the last visit." in note and "Read this aloud." in note
    assert "<input" not in note and 'name="q_intro"' not in first  # a note: text only
    assert re.search(r'<input[^>]*id="q_arrived"[^>]*max="22:00"[^>]*min="06:00"[^>]*type="time"', first)
    city = field_html(first, "city")
    assert 'data-choice-filter="area"' in city
    # The filter is answered on this same page: every choice is drawn, each saying when it is offered.
    assert re.findall(r'<li(?: data-filter="([^"]*)")?><label><input[^>]*value="(\w+)"', city) == [
        ("north", "kyiv"), ("north", "chernihiv"), ("south", "odesa"), ("south east", "kherson"), ("", "elsewhere")]
    response = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_area": "east", "q_city": "kyiv", "q_arrived": "7:5"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please choose one of the options shown." in field_html(body, "city")
    assert "Please enter a time of day as hours:minutes, such as 14:30." in field_html(body, "arrived")
    response = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_area": "east", "q_city": "kherson", "q_arrived": "19:05"})
    assert response.headers["Location"].endswith(f"/collect/d/{sid}/2")
    second = client.get(f"/collect/d/{sid}/2").get_data(as_text=True)
    # The filter was answered on the earlier page: the server draws only what Kherson offers.
    assert re.findall(r'value="(\w+)"', field_html(second, "district")) == ["other_district"]
    assert "An evening visit" in second and 'name="q_evening_open"' in second  # shown: arrived at 19:05
    for question_id in ("services", "wait", "cost", "respect", "visit_date", "staff", "story"):
        assert f'name="q_{question_id}"' in second


def test_a_whole_interview_with_every_type_is_stored_and_exported(client, app, as_role, all_types) -> None:
    as_role("monitor")
    sid = start(client, all_types)
    client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_area": "south", "q_city": "odesa", "q_arrived": "07:05", "q_seen": "07:40"})
    page2 = {"action": "next", "q_district": "arcadia", "q_services": ["test", "prep"], "q_wait": "35", "q_cost": "2,5",
             "q_respect": "4", "q_visit_date": date.today().isoformat(), "q_staff": "nurse", "q_story": "fine"}
    assert client.post(f"/collect/d/{sid}/2", data={**page2, "q_late_note": "x"}).status_code == 400  # a note takes no answer: tampered
    response = client.post(f"/collect/d/{sid}/2", data=page2)
    assert response.headers["Location"].endswith(f"/collect/d/{sid}/review"), response.get_data(as_text=True)[:2000]
    review = client.get(f"/collect/d/{sid}/review").get_data(as_text=True)
    assert "07:05" in review and "Odesa" in review and "Arcadia" in review
    fields = dict(re.findall(r'<input type="hidden" name="(?!csrf|next)([^"]+)" value="([^"]*)">', review))
    fields["q_services"] = ["test", "prep"]
    assert client.post("/collect/all_types/submit", data=fields).status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Response))
        assert stored.answers == {"area": "south", "city": "odesa", "arrived": "07:05", "seen": "07:40", "district": "arcadia",
                                  "services": ["test", "prep"], "wait": 35, "cost": 2.5, "respect": 4, "visit_date": date.today().isoformat()}
        assert "staff" not in stored.answers  # free text: sensitive, sealed apart from the plain answers
    client.post("/logout")
    as_role("admin")
    data = {"survey": "all_types", "region": "", "file_format": "csv", "answers_as": "codes", "include_sensitive": "y"}
    rows = list(csv.DictReader(io.StringIO(client.post("/reports/raw", data=data).get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert "intro" not in row and "late_note" not in row  # notes have no column
    assert (row["arrived"], row["seen"], row["city"], row["district"], row["services"], row["cost"]) == ("07:05", "07:40", "odesa", "arcadia", "test|prep", "2.5")
    assert (row["staff"], row["story"]) == ("nurse", "fine")
    book = load_workbook(io.BytesIO(client.post("/reports/raw", data={**data, "file_format": "xlsx"}).data))
    codebook = {r[0]: r for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert codebook["arrived"][3] == "time" and "intro" not in codebook
    assert "kherson = Kherson (when area = south / east)" in codebook["city"][4] and codebook["city"][4].endswith("; elsewhere = Elsewhere")


def test_the_paper_import_takes_times_and_filtered_choices(runner, app, all_types, tmp_path) -> None:
    path = tmp_path / "forms.csv"
    path.write_text("region,facility,date,area,city,arrived,district\n"
                    "kyiv,kyiv-01,2026-10-01,North,Kyiv,9:30,Podil\n"
                    "kyiv,kyiv-01,2026-10-02,north,odesa,09:30,\n", encoding="utf-8")
    result = runner.invoke(args=["responses", "import", "--survey", "all_types", str(path)])
    assert "row 3, column city: Please choose one of the options shown." in result.output  # Odesa is not offered in the north
    assert "nothing stored" in result.output
    path.write_text("region,facility,date,area,city,arrived,district\nkyiv,kyiv-01,2026-10-01,North,Kyiv,9:30,Podil\n", encoding="utf-8")
    result = runner.invoke(args=["responses", "import", "--survey", "all_types", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Response)).answers == {"area": "north", "city": "kyiv", "arrived": "09:30", "district": "podil"}


def test_the_import_template_has_no_column_for_a_note(client, as_role, all_types) -> None:
    as_role("lead")
    header = client.get("/collect/import/all_types/template.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert "intro" not in header and "late_note" not in header and "arrived" in header


def test_the_correction_page_draws_every_type_and_saves_a_filtered_choice(client, app, as_role, all_types) -> None:
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, all_types["version"])
        user = db.session.scalar(select(User).where(User.username == "demo-monitor"))
        facility = db.session.get(Facility, all_types["kyiv"])
        answers = {"area": "north", "city": "kyiv", "arrived": "09:30", "district": "podil"}
        response_id = store_response(uuid.uuid4(), version, facility, date(2026, 10, 1), answers, user).response.id
        db.session.commit()
    as_role("lead")
    page = client.get(f"/collect/submissions/{response_id}/correct").get_data(as_text=True)
    assert "Ask only about the last visit." in page and 'name="q_intro"' not in page
    assert re.search(r'<input[^>]*id="q_arrived"[^>]*type="time"[^>]*value="09:30"', page)
    # The whole interview is one page: every city is drawn, each with its filter, for the browser to apply.
    assert re.findall(r'value="(\w+)"', field_html(page, "city")) == ["kyiv", "chernihiv", "odesa", "kherson", "elsewhere"]
    form = {"facility": str(all_types["kyiv"]), "interview_date": "2026-10-01", "q_area": "south", "q_city": "kyiv", "q_arrived": "09:30"}
    refused = client.post(f"/collect/submissions/{response_id}/correct", data=form)
    assert refused.status_code == 422 and "Please choose one of the options shown." in field_html(refused.get_data(as_text=True), "city")
    saved = client.post(f"/collect/submissions/{response_id}/correct", data={**form, "q_city": "odesa", "q_district": "arcadia"})
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(Response, response_id).answers == {"area": "south", "city": "odesa", "arrived": "09:30", "district": "arcadia"}
