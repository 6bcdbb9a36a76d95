"""Analysts' files: SPSS .sav and Stata .dta read back with pyreadstat (values, variable and value labels), and the R script."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import date, datetime

import pyreadstat
import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import AuditEvent, Facility
from cml.services.responses import store_response

READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}
LONG_STORY = ("Довга історія. " * 300).strip()  # (SPSS pads texts with spaces: a trailing one is not kept) over Stata's 2045 bytes of a plain string: a strL


@pytest.fixture
def stored(app, mini):
    """Three Kyiv interviews and one in Odesa (another region)."""
    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        odesa = db.session.scalar(select(Facility).where(Facility.code == "odesa-01"))
        store_response(uuid.uuid4(), version, kyiv, date(2026, 9, 1), {"tested": "yes", "wait": 10, "cost": 12.5, "services": ["pep", "condoms"],
                                                                       "rating": 4, "visit_date": "2026-08-30", "clinic_name_seen": "=1+1",
                                                                       "story": LONG_STORY}, None)
        store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 1), {"tested": "dont_know", "wait": 20, "services": ["syringes"]}, None)
        store_response(uuid.uuid4(), version, kyiv, date(2026, 11, 1), {"tested": "no", "why_not": "refused"}, None)
        store_response(uuid.uuid4(), version, odesa, date(2026, 10, 1), {"tested": "no", "why_not": "no_kits", "wait": 99}, None)
        db.session.commit()


def download(client, tmp_path, file_format: str, **fields):
    data = {"survey": "mini", "region": "", "file_format": file_format, "answers_as": "codes", **fields}
    response = client.post("/reports/raw", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    path = tmp_path / f"export.{file_format}"
    path.write_bytes(response.data)
    return response, path


def read(client, tmp_path, file_format: str, **fields):
    _response, path = download(client, tmp_path, file_format, **fields)
    frame, meta = READERS[file_format](str(path))
    rows = sorted(frame.to_dict("records"), key=lambda r: (r["interview_date"], r["region"]))
    return rows, meta


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_values_and_labels_read_back_in_ukrainian(client, as_role, stored, tmp_path, file_format) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "uk"})
    rows, meta = read(client, tmp_path, file_format)
    assert [r["region"] for r in rows] == ["kyiv"] * 3  # the lead's region only: never Odesa's row
    first, second, third = rows
    labels = meta.column_names_to_labels
    assert labels["tested"] == "Вам запропонували тест?" and labels["interview_date"]
    assert labels["services_pep"] == "Отримані послуги: ПКП"
    tested = meta.variable_value_labels["tested"]
    assert tested == {1: "Так", 2: "Ні", 3: "Не знаю"}
    assert [tested[r["tested"]] for r in rows] == ["Так", "Не знаю", "Ні"]  # single choice: labelled integer codes
    assert third["why_not"] == 2 and meta.variable_value_labels["why_not"][2]
    # multiple choice: one 0/1 column per choice, missing (not 0) when unanswered
    assert (first["services_pep"], first["services_condoms"], first["services_syringes"]) == (1, 1, 0)
    assert (second["services_pep"], second["services_syringes"]) == (0, 1)
    assert all(third[f"services_{c}"] != third[f"services_{c}"] for c in ("pep", "condoms", "syringes"))  # NaN
    assert meta.variable_value_labels["services_pep"] == {0: "не вибрано", 1: "вибрано"}
    # numbers as numbers, dates as dates
    assert first["wait"] == 10 and first["cost"] == 12.5 and first["rating"] == 4 and third["wait"] != third["wait"]
    assert first["interview_date"] in (date(2026, 9, 1), datetime(2026, 9, 1))
    assert first["visit_date"] in (date(2026, 8, 30), datetime(2026, 8, 30))
    assert isinstance(first["received_at"], datetime)
    assert first["version"] == 1 and first["facility"] == "kyiv-01"
    assert "clinic_name_seen" not in first and "story" not in first  # sensitive: a lead never gets them


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_labels_in_english_and_sensitive_answers_for_an_admin_who_asks(client, as_role, stored, tmp_path, file_format) -> None:
    as_role("admin")
    client.post("/language", data={"lang": "en"})
    rows, meta = read(client, tmp_path, file_format, include_sensitive="y")
    assert [r["region"] for r in rows] == ["kyiv", "kyiv", "odesa", "kyiv"]
    assert meta.column_names_to_labels["tested"] == "Were you offered a test?"
    assert meta.variable_value_labels["tested"] == {1: "Yes", 2: "No", 3: "Don't know"}
    first = rows[0]
    assert first["clinic_name_seen"] == "'=1+1"  # as formula-safe as every other export
    assert first["story"] == LONG_STORY  # long text whole (a strL in Stata), never cut
    assert rows[2]["story"] == ""  # unanswered text: empty


def test_downloads_are_audited_with_their_format(client, app, as_role, stored, tmp_path) -> None:
    as_role("lead")
    download(client, tmp_path, "sav")
    download(client, tmp_path, "dta")
    download(client, tmp_path, "r")  # no answers in it: not an export of data
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.raw").order_by(AuditEvent.id)).all()
        assert [(e.details["format"], e.details["rows"]) for e in events] == [("sav", 3), ("dta", 3)]


def test_a_lead_cannot_ask_for_sensitive_answers_in_any_format(client, as_role, stored) -> None:
    as_role("lead")
    for file_format in ("sav", "dta", "r"):
        response = client.post("/reports/raw", data={"survey": "mini", "region": "", "file_format": file_format, "answers_as": "codes",
                                                     "include_sensitive": "y"})
        assert response.status_code == 403


def test_the_r_script_names_labels_and_levels_every_column(client, as_role, stored, tmp_path) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "uk"})
    response, path = download(client, tmp_path, "r")
    assert response.headers["Content-Disposition"].endswith('cml-mini-read-csv.R"')
    script = path.read_text()
    assert all(line.startswith("#") or line.split("  # ")[0].isascii() for line in script.splitlines())  # labels as \u escapes: the same in any locale
    assert 'cml$tested <- labelled(as_choice(column("tested"), c("yes", "no", "dont_know"), c("\\u0422\\u0430\\u043a"' in script
    assert "# Вам запропонували тест?" in script  # a comment shows the label as text
    assert 'cml$services_pep <- labelled(as_flag("services", "pep"' in script
    assert 'cml$visit_date <- labelled(as_day(column("visit_date"))' in script
    assert "story" not in script


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed (CI has none)")
@pytest.mark.parametrize("csv_options", [{"file_format": "csv", "choices_as_columns": "y"},
                                         {"file_format": "csv_semicolon", "answers_as": "labels"}])
def test_the_r_script_reads_the_csv_with_labels(client, as_role, stored, tmp_path, csv_options) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "uk"})
    _response, script = download(client, tmp_path, "r")
    _response, csv_file = download(client, tmp_path, **csv_options)
    check = r'''
source(script_file)
stopifnot(nrow(cml) == 3)
stopifnot(identical(attr(cml$tested, "label"), "Вам запропонували тест?"))
stopifnot(identical(attr(cml$services_pep, "label"), "Отримані послуги: ПКП"))
cml <- cml[order(cml$interview_date), ]  # (a subset keeps no labels: R's rule)
stopifnot(identical(levels(cml$tested), c("Так", "Ні", "Не знаю")))
stopifnot(identical(as.character(cml$tested), c("Так", "Не знаю", "Ні")))
stopifnot(identical(cml$services_pep, c(1L, 0L, NA)), identical(cml$services_syringes, c(0L, 1L, NA)))
stopifnot(identical(cml$wait, c(10, 20, NA)), isTRUE(all.equal(cml$cost, c(12.5, NA, NA))))
stopifnot(inherits(cml$interview_date, "Date"), identical(format(cml$visit_date[1]), "2026-08-30"))
stopifnot(inherits(cml$received_at, "POSIXct"), all(cml$region == "kyiv"))
cat("ok\n")
'''
    checker = tmp_path / "check.R"
    checker.write_text("script_file <- commandArgs(trailingOnly = TRUE)[2]\n" + check, encoding="utf-8")
    result = subprocess.run(["Rscript", str(checker), str(csv_file), str(script)],
                            capture_output=True, text=True, timeout=120, env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-2000:]


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_an_empty_range_gives_a_file_of_labelled_variables_and_no_rows(client, as_role, stored, tmp_path, file_format) -> None:
    as_role("lead")
    rows, meta = read(client, tmp_path, file_format, date_from="2030-01-01")
    assert rows == [] and meta.number_rows == 0
    assert "services_pep" in meta.column_names and meta.variable_value_labels["tested"][1] == "Yes"
