"""Questionnaires in the browser: upload as a draft (every problem at once), compare, publish; retire a version."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import date

from sqlalchemy import func, select

from cml.extensions import db
from cml.models import AuditEvent, Draft, Facility, IndicatorFact, QuestionnaireDraft, QuestionnaireVersion, Response
from cml.services import surveys, users
from tests.conftest import FIXTURES, PASSWORD, login


def mini_document(**changes: object) -> dict:
    document = json.loads((FIXTURES / "mini.json").read_text())
    document.update(changes)
    return document


def upload(client, content: bytes, name: str = "mini.json"):
    return client.post("/admin/questionnaires", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(QuestionnaireDraft.id))) or 0,
                db.session.scalar(select(func.count(QuestionnaireVersion.id))) or 0)


def test_every_problem_of_a_json_file_is_listed_with_its_line_and_nothing_is_stored(client, app, as_role, mini) -> None:
    as_role("admin")
    before = counts(app)
    document = mini_document(version=2)
    document["sections"][0]["questions"][1]["show_if"] = {"question": "nowhere", "equals": "no"}
    document["indicators"][0]["numerator"] = {"question": "tested", "equals": "perhaps"}
    text = json.dumps(document, indent=2, ensure_ascii=False)
    response = upload(client, text.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 problems" in page
    show_if_line = text.splitlines().index(next(line for line in text.splitlines() if '"nowhere"' in line)) + 1
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    problems = [" ".join(i.split()) for i in items if "line" in i]
    assert any(f"line {show_if_line}<" in p and "nowhere" in p for p in problems), problems
    assert any("perhaps" in p for p in problems), problems
    assert counts(app) == before


def test_a_broken_file_gets_a_clear_message(client, app, as_role, mini) -> None:
    as_role("admin")
    before = counts(app)
    for content, name, words in ((b'{"id": "mini",\n "version": }', "q.json", "not valid JSON"), (b"\xff\xfe", "q.json", "not UTF-8"),
                                 (b"PK\x03\x04garbage", "form.xlsx", "XLSForm")):
        response = upload(client, content, name)
        assert response.status_code == 200 and words in response.get_data(as_text=True), name
    assert counts(app) == before


def test_a_valid_upload_becomes_a_draft_compared_then_published_and_collected(client, app, as_role, mini) -> None:
    as_role("admin")
    document = mini_document(version=2)
    document["sections"][0]["questions"][2]["label"].update(en="How long did you wait?", uk="Скільки ви чекали?")
    document["indicators"][0]["numerator"] = {"question": "tested", "equals": "no"}
    drafts, versions = counts(app)
    response = upload(client, json.dumps(document).encode())
    assert response.status_code == 303
    draft_url = response.headers["Location"]
    assert counts(app) == (drafts + 1, versions)  # a draft, nothing published
    page = client.get(draft_url).get_data(as_text=True)
    assert 'data-question="wait" data-kind="changed"' in page and "wording" in page
    assert 'data-indicator="offered_test" data-kind="changed"' in page and "numerator" in page
    assert "indicators rebuild --survey mini" in page and "offered_test" in page
    preview = client.get(draft_url + "/preview").get_data(as_text=True)
    setup = json.loads(re.search(r'<script type="application/json" id="preview-setup">(.*?)</script>', preview, re.S).group(1))
    assert setup["definition"]["version"] == 2 and set(setup["strings"]) >= {"en", "uk", "ru"}
    assert "offline/form.js" in preview and "offline/questionnaire.js" in preview
    published = client.post(draft_url + "/publish")
    assert published.status_code == 303 and published.headers["Location"].endswith("/admin/questionnaires")
    assert "Published mini version 2" in client.get("/admin/questionnaires").get_data(as_text=True)
    assert counts(app) == (drafts, versions + 1)
    with app.app_context():
        events = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert events[-2:] == ["questionnaire.draft", "questionnaire.publish"]
        assert surveys.collectable_version("mini").version == 2
    with app.app_context():
        kyiv = db.session.scalar(select(Facility.id).where(Facility.code == "kyiv-01"))
    as_role("monitor")
    sid = str(uuid.uuid4())
    started = client.post("/collect/mini/", data={"submission_id": sid, "facility": kyiv, "interview_date": date.today().isoformat()})
    assert started.status_code == 302
    assert "How long did you wait?" in client.get(started.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        draft = db.session.get(Draft, uuid.UUID(sid))
        assert db.session.get(QuestionnaireVersion, draft.questionnaire_version_id).version == 2


def test_the_same_content_says_so_and_a_skipped_number_is_refused(client, app, as_role, mini) -> None:
    as_role("admin")
    before = counts(app)
    same = upload(client, (FIXTURES / "mini.json").read_bytes())
    page = client.get(same.headers["Location"]).get_data(as_text=True)
    assert 'id="same-content"' in page
    client.post(same.headers["Location"] + "/publish")
    assert "was already published with exactly this content" in client.get("/admin/questionnaires").get_data(as_text=True)
    skipped = upload(client, json.dumps(mini_document(version=4)).encode())
    refused = client.post(skipped.headers["Location"] + "/publish", follow_redirects=True).get_data(as_text=True)
    assert "skips a number" in refused and "set &#34;version&#34; to 2" in refused
    assert counts(app)[1] == before[1]


def test_a_draft_is_its_uploaders_alone(client, app, as_role, mini) -> None:
    as_role("admin")
    drafts, versions = counts(app)
    draft_url = upload(client, json.dumps(mini_document(version=2)).encode()).headers["Location"]
    with app.app_context():
        users.create_user("second-admin", PASSWORD, "admin", [])
        db.session.commit()
    other = app.test_client()
    assert login(other, "second-admin").status_code == 302
    assert other.get(draft_url).status_code == 404
    assert other.get(draft_url + "/preview").status_code == 404
    assert other.post(draft_url + "/publish").status_code == 404
    assert other.post(draft_url + "/discard").status_code == 404
    assert counts(app) == (drafts + 1, versions)
    assert client.post(draft_url + "/discard").status_code == 303
    assert counts(app) == (drafts, versions)
    assert client.get(draft_url).status_code == 404  # gone for its uploader too


def test_only_admins_manage_questionnaires(client, as_role, mini) -> None:
    as_role("lead")
    assert client.get("/admin/questionnaires").status_code == 403
    assert upload(client, (FIXTURES / "mini.json").read_bytes()).status_code == 403
    assert client.post("/admin/questionnaires/mini/1/retire").status_code == 403


def test_a_retired_version_starts_no_interview_anywhere_and_its_responses_keep_counting(client, app, as_role, generated) -> None:
    with app.app_context():
        facts = db.session.scalar(select(func.count(IndicatorFact.response_id)))
        responses = db.session.scalar(select(func.count(Response.id)))
        number = surveys.latest_version("clinic_exit").version
    assert responses > 0 and facts > 0
    as_role("admin")
    assert client.post(f"/admin/questionnaires/clinic_exit/{number}/retire").status_code == 303
    listing = client.get("/admin/questionnaires").get_data(as_text=True)
    assert "retired" in listing and "demo-admin" in listing
    as_role("lead")
    assert client.get("/collect/clinic_exit/").status_code == 404
    assert "/collect/clinic_exit/" not in client.get("/").get_data(as_text=True)
    setup = client.get("/collect/api/v1/setup").get_json()
    assert "clinic_exit" not in [q["code"] for q in setup["questionnaires"]] and setup["questionnaires"]
    refused = client.post("/collect/import", data={"survey": "clinic_exit", "version": "", "file": (io.BytesIO(b"region\n"), "f.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "retired" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(IndicatorFact.response_id))) == facts
        assert db.session.scalar(select(func.count(Response.id))) == responses
    as_role("admin")
    assert client.post(f"/admin/questionnaires/clinic_exit/{number}/retire", data={"retire": "0"}).status_code == 303
    as_role("lead")
    start = client.get("/collect/clinic_exit/")
    assert start.status_code == 200 and "Begin" in start.get_data(as_text=True) and "Podil community drop-in · Kyiv" in start.get_data(as_text=True)
    with app.app_context():
        assert [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("questionnaire.%retire")))] == [
            "questionnaire.retire", "questionnaire.unretire"]


def test_an_older_version_takes_over_when_the_newest_is_retired(client, app, as_role, mini) -> None:
    with app.app_context():
        surveys.publish(json.dumps(mini_document(version=2)).encode())
        db.session.commit()
    as_role("admin")
    client.post("/admin/questionnaires/mini/2/retire")
    with app.app_context():
        assert surveys.collectable_version("mini").version == 1
        assert surveys.collectable_version("mini", 2) is None
    assert client.post("/admin/questionnaires/mini/9/retire").status_code == 404


def test_an_xlsform_upload_lists_sheet_row_and_column_then_the_fixed_file_is_a_draft(client, app, as_role, world) -> None:
    from tests.authoring_files import NEW_WORDING, clinic_exit_workbook

    as_role("admin")
    before = counts(app)
    broken, rows = clinic_exit_workbook(mistakes=True)
    page = upload(client, broken, "clinic_exit.xlsx").get_data(as_text=True)
    assert "2 problems" in page
    text = " ".join(page.split())
    assert f"sheet survey, row {rows['type']}, column type:" in text and "geopoint" in text
    assert f"sheet survey, row {rows['relevant']}, column relevant:" in text and "${nowhere}" in text
    assert counts(app) == before
    fixed, _rows = clinic_exit_workbook(mistakes=False)
    response = upload(client, fixed, "clinic_exit.xlsx")
    assert response.status_code == 303
    draft = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NEW_WORDING["en"] in draft and 'data-kind="changed"' in draft and draft.count("data-question=") == 1
    with app.app_context():
        stored = db.session.scalars(select(QuestionnaireDraft)).one()
        assert stored.source_filename == "clinic_exit.xlsx" and json.loads(stored.content)["id"] == "clinic_exit"


def test_a_file_over_the_size_limit_is_refused_unread(client, app, as_role, mini) -> None:
    from cml.services.questionnaire_drafts import MAX_UPLOAD_BYTES

    as_role("admin")
    before = counts(app)
    for name in ("big.json", "big.xlsx"):
        page = upload(client, b" " * (MAX_UPLOAD_BYTES + 1), name).get_data(as_text=True)
        assert "at most 5,242,880 are accepted" in page, name
    assert counts(app) == before


def test_a_post_without_its_csrf_token_stores_nothing(make_app, world) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert client.post("/login", data={"username": "demo-admin", "password": PASSWORD, "csrf_token": token.group(1)}).status_code == 302
    before = counts(app)
    assert upload(client, (FIXTURES / "mini.json").read_bytes()).status_code == 400
    assert client.post("/admin/questionnaires/clinic_exit/2/retire").status_code == 400
    assert counts(app) == before
    with app.app_context():
        assert surveys.collectable_version("clinic_exit") is not None
