"""Raw export of sealed answers: an administrator who asks gets them opened and exact; a lead never gets them."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility
from cml.services import surveys
from cml.services.responses import store_response

FREE_TEXT = ("missing", "first_use", "suggestions")
ANSWERS = [
    {"event_type": "training", "needs_met": "partly", "missing": "More on PEP for Tetiana's group", "applicability": "fully",
     "first_use": "=cmd|' /C calc'!A0", "overall_grade": 4, "suggestions": "Без імен, будь ласка; «лапки», \"quotes\"\nnew line"},
    {"event_type": "training", "needs_met": "fully", "applicability": "fully", "overall_grade": 5},
]


@pytest.fixture
def training(app, world):
    with app.app_context():
        version = surveys.latest_version("training_evaluation")
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        ids = [uuid.uuid4() for _ in ANSWERS]
        for sid, answers in zip(ids, ANSWERS, strict=True):
            store_response(sid, version, kyiv, date(2026, 10, 1), answers, None)
        db.session.commit()
        return ids


def export(client, **fields) -> list[dict[str, str]]:
    data = {"survey": "training_evaluation", "region": "", "file_format": "csv", "answers_as": "codes", **fields}
    response = client.post("/reports/raw", data=data)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_leads_get_no_free_text_of_the_training_evaluation(client, as_role, training) -> None:
    as_role("lead")
    rows = export(client)
    assert len(rows) == 2 and rows[0]["needs_met"] == "partly" and rows[0]["overall_grade"] == "4"
    assert not set(FREE_TEXT) & set(rows[0])


def test_admins_asking_for_sensitive_answers_get_them_opened_exactly(client, as_role, training) -> None:
    as_role("admin")
    rows = export(client, include_sensitive="y")
    by_id = {uuid.UUID(row["submission_id"]): row for row in rows}
    first, second = by_id[training[0]], by_id[training[1]]
    assert first["missing"] == ANSWERS[0]["missing"]
    assert first["first_use"] == "'" + ANSWERS[0]["first_use"]  # still formula-safe after opening
    assert first["suggestions"] == ANSWERS[0]["suggestions"]
    assert first["needs_met"] == "partly" and first["overall_grade"] == "4"
    assert second["missing"] == "" and second["suggestions"] == "" and second["overall_grade"] == "5"
    assert not set(FREE_TEXT) & set(export(client)[0])  # without asking: not even for an admin


def test_xlsx_of_sensitive_answers_matches(client, as_role, training) -> None:
    from openpyxl import load_workbook

    as_role("admin")
    response = client.post("/reports/raw", data={"survey": "training_evaluation", "region": "", "file_format": "xlsx",
                                                 "answers_as": "codes", "include_sensitive": "y"})
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    values = {row[header.index("submission_id")].value: row[header.index("missing")].value for row in sheet.iter_rows(min_row=2)}
    assert values[str(training[0])] == ANSWERS[0]["missing"] and values[str(training[1])] is None
