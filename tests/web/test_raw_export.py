"""Raw exports: scoped to the user's regions, sensitive questions held back, formula-safe, audited."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from cml.core.cells import DANGEROUS_PREFIXES, safe_cell
from cml.extensions import db
from cml.models import AuditEvent, Facility
from cml.services.responses import store_response
from tests.conftest import FIXTURES

ROOT = FIXTURES.parent.parent

PAYLOADS = [prefix + 'HYPERLINK("http://evil.example","x")' for prefix in DANGEROUS_PREFIXES]


@pytest.fixture
def stored(app, mini):
    """Responses in Kyiv (with every dangerous prefix in free text) and one in Odesa."""
    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        odesa = db.session.scalar(select(Facility).where(Facility.code == "odesa-01"))
        for payload in PAYLOADS:
            answers = {"tested": "yes", "wait": 10, "attitude": "rude", "clinic_name_seen": payload, "story": "secret " + payload, "services": ["pep", "condoms"]}
            store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 1), answers, None)
        store_response(uuid.uuid4(), version, odesa, date(2026, 10, 1), {"tested": "no", "why_not": "refused"}, None)
        db.session.commit()


def download(client, **fields):
    data = {"survey": "mini", "region": "", "file_format": "csv", "answers_as": "codes", **fields}
    return client.post("/reports/raw", data=data)


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_safe_cell_guards_every_dangerous_prefix() -> None:
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    assert safe_cell("fine") == "fine" and safe_cell(-3) == -3 and safe_cell(None) is None


def test_csv_export_is_formula_safe_and_leaves_out_sensitive_questions(client, as_role, stored) -> None:
    as_role("lead")
    response = download(client)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = read_csv(response)
    assert len(rows) == len(PAYLOADS)  # the Odesa response is not the Kyiv lead's
    assert {row["region"] for row in rows} == {"kyiv"}
    assert "story" not in rows[0] and "clinic_name_seen" not in rows[0]  # free text is sensitive by default
    assert "secret" not in response.get_data(as_text=True) and "HYPERLINK" not in response.get_data(as_text=True)
    client.post("/logout")
    as_role("admin")
    rows = [row for row in read_csv(download(client, include_sensitive="y")) if row["region"] == "kyiv"]
    assert sorted(row["clinic_name_seen"] for row in rows) == sorted("'" + p for p in PAYLOADS)
    assert rows[0]["services"] == "pep|condoms"  # as stored
    assert [row["clinic_name_seen"] for row in rows] == ["'" + p for p in PAYLOADS]  # oldest first
    assert str(uuid.UUID(rows[0]["submission_id"])) == rows[0]["submission_id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d)?", rows[0]["received_at"])
    assert rows[0]["interview_date"] == "2026-10-01" and rows[0]["version"] == "1" and rows[0]["source"] == "web"


def test_xlsx_export_is_formula_safe(client, as_role, stored) -> None:
    as_role("admin")
    response = download(client, file_format="xlsx", include_sensitive="y")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    column = header.index("clinic_name_seen")
    values = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in values if cell.value is not None)
    # XlsxWriter stores a carriage return as the OOXML escape _x000D_, which openpyxl leaves as is.
    read = sorted(c.value.replace("_x000D_", "\r") for c in values if c.value)
    assert read == sorted("'" + p for p in PAYLOADS)
    assert len(values) == len(PAYLOADS) + 1  # an administrator sees every region


def test_only_admins_may_include_sensitive_answers_and_it_is_audited(client, app, as_role, stored) -> None:
    as_role("lead")
    assert download(client, include_sensitive="y").status_code == 403
    client.post("/logout")
    as_role("admin")
    rows = read_csv(download(client, include_sensitive="y"))
    assert all(row["story"].startswith("secret") for row in rows if row["region"] == "kyiv")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.raw")).all()
        assert [e.details["sensitive"] for e in events] == [True]
        assert events[0].details["rows"] == len(PAYLOADS) + 1
        assert "secret" not in str(events[0].details)


def test_labels_in_the_chosen_language(client, as_role, stored) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "uk"})
    rows = read_csv(download(client, answers_as="labels"))
    assert rows[0]["tested"] == "Так" and rows[0]["attitude"] == "Грубе"
    assert rows[0]["services"] == "ПКП; Презервативи"


def test_lead_cannot_export_another_region_and_monitor_cannot_export(client, app, as_role, stored) -> None:
    with app.app_context():
        from cml.services.regions import region_by_code

        odesa = region_by_code("odesa").id
    as_role("lead")
    assert download(client, region=str(odesa)).status_code in (404, 422)  # not yours: as a region that is not there
    client.post("/logout")
    as_role("monitor")
    assert download(client).status_code == 403


def test_audit_log_lists_and_filters_events(client, as_role, stored) -> None:
    as_role("admin")
    download(client)
    page = client.get("/admin/audit?action=export.raw").get_data(as_text=True)
    assert "export.raw" in page and "demo-admin" in page
    assert "login" not in client.get("/admin/audit?action=export.raw").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0].replace("export.raw", "")
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert "login" in everything and "questionnaire.publish" in everything
    unreadable = client.get("/admin/audit?from=not-a-date&page=-3")  # the filter left out, the first page shown
    assert unreadable.status_code == 200 and "questionnaire.publish" in unreadable.get_data(as_text=True)


def test_a_fresh_app_does_not_load_scipy_numpy_or_xlsx_writers(tmp_path) -> None:
    """A new worker or CLI process that only exports CSV stays small (~70 MB less): statistics load scipy on first use."""
    code = (
        "import sys\n"
        "from cml import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x', 'INSTANCE_PATH': {str(tmp_path)!r}}})\n"
        "from cml.services import raw_export\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'numpy', 'openpyxl', 'xlsxwriter'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)  # noqa: S603
    assert done.stdout.strip().splitlines()[-1] == "[]"


ODD_ANSWERS: list[dict[str, object]] = [  # what an older version or a hand-edited row might hold
    {"tested": "yes", "wait": 1, "cost": 40.0, "attitude": "rude", "services": ["pep", "condoms"], "clinic_name_seen": 'a,b "c"\nd',
     "story": "=1+2, «Так»\r\n😀"},
    {"tested": True, "wait": True, "cost": 40, "attitude": 1, "services": "pep", "clinic_name_seen": "@x", "story": ["-1", "+2"]},
    {"tested": ["yes"], "wait": 1.0, "cost": -0.0, "attitude": ["=x", 'q"'], "services": [["pep"]], "rating": {"a": 1}},
    {"wait": 2**70, "cost": 1e-7, "services": [], "clinic_name_seen": "", "visit_date": "2026-10-01", "why_not": "refused"},
    {"wait": -(2**64), "cost": 1e300, "services": ["pep", 2**65], "clinic_name_seen": 2**64 - 1, "story": 1e16, "rating": 2**63},
]


def csv_writer_export(request) -> bytes:
    """What the CSV download was before it stopped using csv.writer: `rows` written by csv.writer."""
    from cml.services import raw_export

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for batch in raw_export.rows(request):
        writer.writerows(batch)
    return ("\ufeff" + buffer.getvalue()).encode()


@pytest.mark.parametrize("language", [None, "uk"])
def test_csv_bytes_are_what_csv_writer_writes_for_the_rows(app, stored, language) -> None:
    from cml.models import Response
    from cml.services import raw_export

    with app.app_context():
        responses = db.session.scalars(select(Response).order_by(Response.id)).all()
        for response, answers in zip(responses, ODD_ANSWERS, strict=False):
            response.answers = answers
        db.session.commit()
        request = raw_export.RawExportRequest("mini", None, include_sensitive=True, labels_language=language)
        assert b"".join(raw_export.csv_chunks(request)) == csv_writer_export(request)
        if db.engine.dialect.name == "sqlite":  # SQLite keeps any text: one needing quotes sends the chunk the long way
            db.session.execute(text("UPDATE responses SET interview_date = '2026-10-01,\"x\"' WHERE id = :id"), {"id": responses[0].id})
            db.session.commit()
            exported = b"".join(raw_export.csv_chunks(request))
            assert exported == csv_writer_export(request) and b'"2026-10-01,""x"""' in exported


@pytest.mark.parametrize("text", [
    '{"a": "Київ", "b": 1.1, "c": 1e16, "d": 5e-324, "e": 1.7976931348623157e308, "f": -0.0, "g": [1, 2.50, "x"]}',
    '{"a": "\\u041a\\u0438\\u0457\\u0432 \\ud83d\\ude00", "b": 0.1, "c": 2.675, "d": 123456789012345678, "e": -9223372036854775808}',
    '  {"a": 1}  ', '{"a": 1, "a": 2}', '{"a": 18446744073709551615}', '{"a": {"b": [true, false, null]}}',
])
def test_orjson_reads_stored_answers_as_json_loads_does(text) -> None:
    """Where orjson differs (NaN, Infinity, lone surrogates, integers past 64 bits), the CSV export decodes with json.loads."""
    import json

    import orjson

    expected, got = json.loads(text), orjson.loads(text)
    assert repr(got) == repr(expected)  # repr: 1 and 1.0, -0.0 and 0.0 told apart
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize("text", ['{"wait": NaN, "cost": Infinity}', '{"story": "\\ud800"}', '{"cost": 1e400}', '[1, 2]', '"text"', "null",
                                  '{"wait": 18446744073709551616, "cost": -9223372036854775809, "story": "e+"}', '{"wait": 1, "tested": "yes"}'])
def test_answer_lines_are_those_of_json_loads(text) -> None:
    from cml.core.answer_cells import AnswerFields
    from cml.core.questionnaire import load_questionnaire
    from cml.services.raw_export import _answer_lines, _answers

    mini = load_questionnaire(FIXTURES / "mini.json")
    line = AnswerFields(list(mini.questions), mini, None).line
    texts = ('{"wait": 2, "story": "fine"}', text)
    assert _answer_lines(texts, line) == [line(_answers(answers_text)) for answers_text in texts]


def test_a_download_stopped_half_way_leaves_the_session_usable(app, stored, monkeypatch) -> None:
    """Batches of two rows, so the next one is in flight (PostgreSQL's pipeline) when the download stops."""
    from cml.services import raw_export

    monkeypatch.setattr(raw_export, "BATCH", 2)
    monkeypatch.setattr(raw_export, "CHUNK", 1)
    with app.app_context():
        request = raw_export.RawExportRequest("mini", None)
        whole = b"".join(raw_export.csv_chunks(request))
        assert whole.count(b"\r\n") == len(PAYLOADS) + 2  # header, Kyiv, Odesa
        chunks = raw_export.csv_chunks(request)
        assert [next(chunks) for _ in range(3)][-1] in whole
        chunks.close()
        assert raw_export.count_rows(request) == len(PAYLOADS) + 1
