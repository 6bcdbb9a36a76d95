"""Raw export options: a codebook, one column per choice, dates as dates, a date range, CSV for Ukrainian or Russian Excel."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cml.extensions import db
from cml.models import AuditEvent, Facility
from cml.services.responses import store_response


@pytest.fixture
def stored(app, mini):
    """Three Kyiv interviews on three dates (one with a formula in free text) and one in Odesa."""
    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        odesa = db.session.scalar(select(Facility).where(Facility.code == "odesa-01"))
        store_response(uuid.uuid4(), version, kyiv, date(2026, 9, 1), {"tested": "yes", "wait": 10, "cost": 12.5, "services": ["pep", "condoms"],
                                                                       "visit_date": "2026-08-30", "clinic_name_seen": "=1+1"}, None)
        store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 1), {"tested": "yes", "wait": 20, "services": ["syringes"]}, None)
        store_response(uuid.uuid4(), version, kyiv, date(2026, 11, 1), {"tested": "no", "why_not": "refused"}, None)
        store_response(uuid.uuid4(), version, odesa, date(2026, 10, 1), {"tested": "no", "why_not": "refused"}, None)
        db.session.commit()


def download(client, **fields):
    data = {"survey": "mini", "region": "", "file_format": "csv", "answers_as": "codes", **fields}
    return client.post("/reports/raw", data=data)


def read_csv(response, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=delimiter))


def test_multiple_choice_as_one_column_per_choice(client, as_role, stored) -> None:
    as_role("lead")
    rows = read_csv(download(client, choices_as_columns="y"))
    assert "services" not in rows[0]
    assert [(r["services/pep"], r["services/condoms"], r["services/syringes"]) for r in rows] == [("1", "1", "0"), ("0", "0", "1"), ("", "", "")]
    assert rows[0]["tested"] == "yes" and rows[0]["wait"] == "10"
    assert {r["region"] for r in rows} == {"kyiv"}  # still the lead's regions only


def test_a_date_range_limits_the_interviews_and_bad_dates_are_told_beside_the_field(client, app, as_role, stored) -> None:
    as_role("lead")
    rows = read_csv(download(client, date_from="2026-09-15", date_to="2026-10-31"))
    assert [r["interview_date"] for r in rows] == ["2026-10-01"]
    assert [r["interview_date"] for r in read_csv(download(client, date_from="2026-10-02"))] == ["2026-11-01"]
    assert [r["interview_date"] for r in read_csv(download(client, date_to="2026-09-01"))] == ["2026-09-01"]
    bad = download(client, date_from="31.12.2026")
    assert bad.status_code == 422 and "Please enter a date as year-month-day" in bad.get_data(as_text=True)
    backwards = download(client, date_from="2026-11-01", date_to="2026-10-01")
    assert backwards.status_code == 422 and "The end of the range is before its start." in backwards.get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.raw").order_by(AuditEvent.id)).all()
        assert events[0].details["rows"] == 1 and events[0].details["dates"] == "2026-09-15..2026-10-31"


def test_csv_for_excel_in_ukrainian_or_russian_has_semicolons_and_decimal_commas(client, as_role, stored) -> None:
    as_role("admin")
    response = download(client, file_format="csv_semicolon", include_sensitive="y")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffsubmission_id;questionnaire;version;")
    rows = read_csv(response, ";")
    first = next(r for r in rows if r["interview_date"] == "2026-09-01")
    assert first["cost"] == "12,5" and first["wait"] == "10"
    assert first["clinic_name_seen"] == "'=1+1"  # still formula-safe
    assert first["services"] == "pep|condoms"


def test_xlsx_has_dates_as_dates_and_a_codebook_sheet(client, as_role, stored) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "uk"})
    response = download(client, file_format="xlsx", choices_as_columns="y")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    first = [c.value for c in sheet[2]]
    assert first[header.index("interview_date")] == datetime(2026, 9, 1)
    assert first[header.index("visit_date")] == datetime(2026, 8, 30)
    assert sheet.cell(2, header.index("interview_date") + 1).is_date
    assert isinstance(first[header.index("received_at")], datetime)
    assert first[header.index("services/pep")] == 1
    codebook = book.worksheets[1]
    assert codebook.title == "кодова книга"
    entries = {row[0]: row for row in codebook.iter_rows(min_row=2, values_only=True)}
    assert entries["tested"][2:4] == ("Вам запропонували тест?", "yes_no_dk") and "yes = Так" in entries["tested"][4]
    assert "services/pep" in entries and "interview_date" in entries and "story" not in entries  # sensitive questions only when exported


def test_the_codebook_alone_as_csv(client, as_role, stored) -> None:
    as_role("lead")
    response = download(client, file_format="codebook")
    assert response.status_code == 200 and "codebook" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    attitude = next(r for r in rows if r["column"] == "attitude")
    assert attitude["type"] == "single_choice" and "rude = " in attitude["choices"]
    assert "story" not in {r["column"] for r in rows}


def test_the_written_csv_streams_chunk_by_chunk(app, stored, monkeypatch) -> None:
    from cml.services import raw_export

    monkeypatch.setattr(raw_export, "CHUNK", 1)
    with app.app_context():
        request = raw_export.RawExportRequest("mini", None, excel_locale=True, choices_as_columns=True)
        chunks = list(raw_export.csv_chunks(request))
    assert len(chunks) == 1 + 4  # the header, then a chunk per fetched row
