"""The API's endpoints as each role meets them: questionnaires, submissions by the offline app's checks,
one's own submissions, indicator tables as numbers through the export's disclosure gate, and the CSV export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import AuditEvent, Region, Response
from cml.services import surveys
from cml.services.indicator_export import ExportRequest, build
from cml.services.indicator_spreadsheets import indicator_csv
from tests.api.helpers import bearer, token_for
from tests.fixtures.mini_survey import api_submission

API = "/api/v1"


@pytest.fixture
def tokens(app, world) -> dict[str, dict[str, str]]:
    return {role: bearer(token_for(app, f"demo-{role}")) for role in ("monitor", "lead", "advocate", "admin")}


def post(client, headers, data: Any):
    return client.post(f"{API}/submissions", data=json.dumps(data), content_type="application/json", headers=headers)


def test_the_openapi_document_is_valid_and_public(client, app) -> None:
    from openapi_spec_validator import validate

    answer = client.get(f"{API}/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    validate(document)
    assert document["openapi"] == "3.0.3"
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                                     "description": "A personal access token (cml_pat_…)."}
    paths = document["paths"]
    assert set(paths) == {f"{API}/questionnaires", f"{API}/questionnaires/{{code}}/versions/{{number}}", f"{API}/submissions",
                          f"{API}/indicators/{{code}}", f"{API}/exports/{{code}}/indicators.csv"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for code in ("401", "403", "422"):
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method)
    assert set(document["components"]["schemas"]["Error"]["required"]) == {"error", "status", "message"}


def test_questionnaires_and_their_versions(client, app, tokens) -> None:
    listing = client.get(f"{API}/questionnaires", headers=tokens["monitor"])
    assert listing.status_code == 200
    found = {q["code"]: q for q in listing.get_json()["questionnaires"]}
    assert set(found) == {"clinic_exit", "incident_report", "training_evaluation", "violence_12m"}
    exit_interview = found["clinic_exit"]
    with app.app_context():
        assert exit_interview["version"] == surveys.collectable_version("clinic_exit").version
    version = client.get(f"{API}/questionnaires/clinic_exit/versions/{exit_interview['version']}", headers=tokens["lead"])
    data = version.get_json()
    assert data["code"] == "clinic_exit" and data["retired"] is False and data["definition"]["id"] == "clinic_exit"
    assert client.get(f"{API}/questionnaires/clinic_exit/versions/99", headers=tokens["lead"]).status_code == 404
    # Past the 32-bit version column: PostgreSQL would refuse the comparison (schemathesis found it), so a 404 too.
    assert client.get(f"{API}/questionnaires/clinic_exit/versions/{2**63 - 2}", headers=tokens["lead"]).status_code == 404
    missing = client.get(f"{API}/questionnaires/nothing/versions/1", headers=tokens["lead"])
    assert missing.status_code == 404 and missing.get_json()["error"] == 404
    refused = client.get(f"{API}/questionnaires", headers=tokens["advocate"])  # advocates record no interviews
    assert refused.status_code == 403 and refused.get_json() == {"status": "forbidden", "error": 403, "message": refused.get_json()["message"]}


def test_a_submission_is_stored_once_as_the_offline_app_stores_it(client, app, tokens, mini) -> None:
    sent = api_submission(mini)
    first = post(client, tokens["monitor"], sent)
    assert first.status_code == 201, first.get_json()
    receipt = first.get_json()["receipt"]
    assert first.get_json()["status"] == "stored" and receipt["submission_id"] == sent["submission_id"]
    again = post(client, tokens["monitor"], sent)
    assert again.status_code == 200 and again.get_json() == {"status": "duplicate", "receipt": receipt}
    changed = post(client, tokens["monitor"], {**sent, "answers": {**sent["answers"], "wait": "40"}})
    assert changed.status_code == 409 and changed.get_json()["error"] == 409 and changed.get_json()["status"] == "conflict"
    with app.app_context():
        stored = db.session.scalar(select(Response))
        assert stored.source == "api" and str(stored.submission_id) == sent["submission_id"]
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_refused_submissions_store_nothing(client, app, tokens, mini) -> None:
    invalid = post(client, tokens["monitor"], api_submission(mini, answers={"tested": "maybe"}))
    assert invalid.status_code == 422
    data = invalid.get_json()
    assert data["error"] == 422 and data["status"] == "invalid" and {e["question"] for e in data["errors"]} >= {"tested"}
    other_region = post(client, tokens["monitor"], api_submission(mini, facility=mini.odesa))  # a facility outside the monitor's regions
    assert other_region.status_code == 422
    for broken in ("{not json", json.dumps([1, 2]), json.dumps({**api_submission(mini), "version": "1"}), json.dumps({"answers": {}})):
        answer = client.post(f"{API}/submissions", data=broken, content_type="application/json", headers=tokens["monitor"])
        assert answer.status_code == 400 and answer.get_json()["error"] == 400, broken
    big = client.post(f"{API}/submissions", data=b"x" * (600 * 1024), content_type="application/json", headers=tokens["monitor"])
    assert big.status_code == 413 and big.is_json
    assert post(client, tokens["advocate"], api_submission(mini)).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_ones_own_submissions_paginated_without_answers(client, app, tokens, mini) -> None:
    sent = [api_submission(mini) for _ in range(3)]
    for data in sent:
        assert post(client, tokens["monitor"], data).status_code == 201
    assert post(client, tokens["lead"], api_submission(mini)).status_code == 201  # another account's: never listed
    first = client.get(f"{API}/submissions?per_page=2", headers=tokens["monitor"]).get_json()
    second = client.get(f"{API}/submissions?per_page=2&page=2", headers=tokens["monitor"]).get_json()
    assert first["total"] == second["total"] == 3 and len(first["submissions"]) == 2 and len(second["submissions"]) == 1
    listed = [s["submission_id"] for s in first["submissions"] + second["submissions"]]
    assert sorted(listed) == sorted(d["submission_id"] for d in sent)
    one = first["submissions"][0]
    assert one["questionnaire"] == "mini" and one["facility_id"] == mini.kyiv and one["review_state"] == "received"
    assert "answers" not in one and "respectful" not in json.dumps(first)
    bad = client.get(f"{API}/submissions?per_page=1000", headers=tokens["monitor"])
    assert bad.status_code == 422 and "per_page" in bad.get_json()["errors"]["query"]
    assert client.get(f"{API}/submissions", headers=tokens["advocate"]).status_code == 403


def _page_csv(app) -> list[dict[str, str]]:
    """The download page's CSV of an advocate (cml.reports.tables builds this request), made directly."""
    with app.test_request_context():
        made = build(ExportRequest(code="clinic_exit", by=("region", "period"), grain="quarter", region_ids=None, aggregates_only=True,
                                   language="en", k=5))
        return list(csv.DictReader(io.StringIO(indicator_csv(made).decode("utf-8-sig"))))


def test_an_advocates_table_is_the_exports_numbers_and_withheld_cells_carry_none(client, app, tokens, generated) -> None:
    answer = client.get(f"{API}/indicators/clinic_exit", headers=tokens["advocate"])
    assert answer.status_code == 200
    table = answer.get_json()
    assert table["aggregates_only"] is True and table["suppression_threshold"] == 5 and table["breakdown"] == "region"
    cells = {(c["indicator"], c["region"], c["period"]): c for c in table["cells"]}
    rows = _page_csv(app)
    assert len(rows) == len(cells)
    published = withheld = 0
    for row in rows:
        cell = cells[(row["indicator"], row["region"], row["period"])]
        assert cell["suppressed"] == (row["suppressed"] == "yes")
        if cell["suppressed"]:
            withheld += 1
            assert [cell[k] for k in ("estimate", "low", "high", "n", "numerator", "facilities", "effective_n", "design_effect")] == [None] * 8
            continue
        if row["estimate"] == "":
            continue  # a region or period without respondents: n = 0
        published += 1
        assert cell["estimate"] == pytest.approx(float(row["estimate"])) and isinstance(cell["estimate"], float)
        assert cell["low"] == pytest.approx(float(row["lower"])) and cell["high"] == pytest.approx(float(row["upper"]))
        assert cell["n"] == int(row["denominator"]) and cell["facilities"] == int(row["facilities"])
        assert cell["method"] == row["method"] and cell["method_words"] and cell["method_words"] != cell["method"]
        assert cell["low"] <= cell["estimate"] <= cell["high"]
    assert published > 10 and withheld > 0
    assert {c["region"] for c in table["cells"]} >= {"ALL"} and all(c["facility"] == "" for c in table["cells"])


def test_scope_and_breakdowns_by_role(client, app, tokens, generated) -> None:
    with app.app_context():
        region = {r.code: r.id for r in db.session.scalars(select(Region))}
    lead = tokens["lead"]
    own = client.get(f"{API}/indicators/clinic_exit?region={region['kyiv']}", headers=lead)
    assert own.status_code == 200 and {c["region"] for c in own.get_json()["cells"]} == {"Kyiv"}
    refused = client.get(f"{API}/indicators/clinic_exit?region={region['odesa']}", headers=lead)
    assert refused.status_code == 404 and b"Odesa" not in refused.data
    assert client.get(f"{API}/indicators/clinic_exit?region=999999", headers=lead).status_code == 404
    regions = {c["region"] for c in client.get(f"{API}/indicators/clinic_exit", headers=lead).get_json()["cells"]}
    assert regions == {"Kyiv"}  # a lead's regions, region by region; never the nation
    national = client.get(f"{API}/indicators/clinic_exit?breakdown=national", headers=lead)
    assert national.status_code == 422 and national.get_json()["error"] == 422
    facilities = client.get(f"{API}/indicators/clinic_exit?breakdown=facility&grain=month", headers=lead).get_json()
    assert facilities["aggregates_only"] is False and all(c["facility"] for c in facilities["cells"])
    assert {c["region"] for c in facilities["cells"]} == {"Kyiv"}
    advocate = tokens["advocate"]
    assert client.get(f"{API}/indicators/clinic_exit?breakdown=facility", headers=advocate).status_code == 403
    assert client.get(f"{API}/indicators/clinic_exit?grain=month", headers=advocate).status_code == 422
    odesa = client.get(f"{API}/indicators/clinic_exit?region={region['odesa']}", headers=advocate)
    assert odesa.status_code == 200 and {c["region"] for c in odesa.get_json()["cells"]} == {"Odesa Oblast"}
    assert client.get(f"{API}/indicators/nothing", headers=advocate).status_code == 404
    assert client.get(f"{API}/indicators/clinic_exit?first=2019Q9", headers=advocate).status_code == 422
    assert client.get(f"{API}/indicators/clinic_exit?breakdown=everything", headers=advocate).status_code == 422
    years = client.get(f"{API}/indicators/clinic_exit?breakdown=national&grain=year", headers=advocate).get_json()
    assert {c["region"] for c in years["cells"]} == {""} and all(len(c["period"]) == 4 for c in years["cells"])
    assert client.get(f"{API}/indicators/clinic_exit", headers=tokens["monitor"]).status_code == 403


def test_the_csv_export_is_the_pages_file_and_audited(client, app, tokens, generated) -> None:
    answer = client.get(f"{API}/exports/clinic_exit/indicators.csv", headers=tokens["advocate"])
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="cml-clinic_exit-indicators-region-')
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.indicators"))
        assert event.actor_username == "demo-advocate" and event.target == "clinic_exit"
        assert event.details["channel"] == "api" and event.details["format"] == "csv" and event.details["rows"] > 0
    assert list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig")))) == _page_csv(app)
    with app.app_context():
        odesa = db.session.scalar(select(Region.id).where(Region.code == "odesa"))
    assert client.get(f"{API}/exports/clinic_exit/indicators.csv?region={odesa}", headers=tokens["lead"]).status_code == 404
