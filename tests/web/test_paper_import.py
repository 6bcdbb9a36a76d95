"""Paper-form import: every bad row reported, all or nothing, never twice."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import IndicatorFact, Response
from cml.services.responses import all_answers

HEADER = "region,facility,date,tested,why_not,wait,cost,attitude,services,rating,visit_date,clinic_name_seen,story\n"
GOOD = [
    "kyiv,kyiv-01,2026-10-01,yes,,20,,respectful,condoms|pep,4,,,\n",
    "Київ,City AIDS Centre,01.10.2026,Ні,Відмовили,45,12.5,Грубое,,2,2026-09-30,,\n",  # labels in uk/ru, names, dd.mm.yyyy
    "KYIV,kyiv-02,2026-10-02,no,no_kits,,,rude,syringes,,,Sign,\n",
]
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
BAD = [
    ("atlantis,kyiv-01,2026-10-01,yes,,20,,,,,,,\n", "region", "unknown region"),
    ("kyiv,nowhere,2026-10-01,yes,,20,,,,,,,\n", "facility", "no facility"),
    ("kyiv,odesa-01,2026-10-01,yes,,20,,,,,,,\n", "facility", "no facility"),
    ("kyiv,kyiv-01,31/12/2025,yes,,20,,,,,,,\n", "date", "not a date"),
    (f"kyiv,kyiv-01,{TOMORROW},yes,,20,,,,,,,\n", "date", "in the future"),
    ("kyiv,kyiv-01,2026-10-01,,,20,,,,,,,\n", "tested", "Please answer this question."),
    ("kyiv,kyiv-01,2026-10-01,maybe,,20,,,,,,,\n", "tested", "choose one of the options"),
    ("kyiv,kyiv-01,2026-10-01,yes,,9000,,,,,,,\n", "wait", "largest allowed value is 600"),
    ("kyiv,kyiv-01,2026-10-01,yes,,twenty,,,,,,,\n", "wait", "whole number"),
    ("kyiv,kyiv-01,2026-10-01,yes,,20,,,pep|condoms|syringes,,,,\n", "services", "at most 2"),
    ("kyiv,kyiv-01,2026-10-01,yes,,20,,,,,,,,extra\n", "", "different number of cells"),
    ("kyiv,kyiv-01,2026-10-01,no,,20,,,,,,,\n", "why_not", "Please answer this question."),
]


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Response)), db.session.scalar(select(func.count()).select_from(IndicatorFact)))


def write(tmp_path, rows) -> str:
    path = tmp_path / "forms.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def test_a_valid_file_is_imported_once(runner, app, mini, tmp_path) -> None:
    path = write(tmp_path, GOOD)
    first = runner.invoke(args=["responses", "import", "--survey", "mini", path])
    assert first.exit_code == 0, first.output
    assert "3 rows: 3 stored, 0 already imported, 0 invalid" in first.output
    again = runner.invoke(args=["responses", "import", "--survey", "mini", path])
    assert "3 rows: 0 stored, 3 already imported" in again.output
    assert counts(app)[0] == 3
    with app.app_context():
        by_answers = {r.answers["tested"]: all_answers(r) for r in db.session.scalars(select(Response))}
        assert by_answers["no"] in ({"tested": "no", "why_not": "refused", "wait": 45, "cost": 12.5, "attitude": "rude", "rating": 2, "visit_date": "2026-09-30"},
                                    {"tested": "no", "why_not": "no_kits", "attitude": "rude", "services": ["syringes"], "clinic_name_seen": "Sign"})


def test_identical_rows_are_distinct_interviews(runner, app, mini, tmp_path) -> None:
    path = write(tmp_path, [GOOD[0], GOOD[0]])
    assert "2 stored" in runner.invoke(args=["responses", "import", "--survey", "mini", path]).output
    assert "0 stored, 2 already imported" in runner.invoke(args=["responses", "import", "--survey", "mini", path]).output


def test_every_kind_of_bad_row_is_reported_and_nothing_stored(runner, app, mini, tmp_path) -> None:
    path = write(tmp_path, GOOD + [row for row, _, _ in BAD])
    result = runner.invoke(args=["responses", "import", "--survey", "mini", path])
    assert result.exit_code == 1
    for offset, (_, column, words) in enumerate(BAD):
        row = 2 + len(GOOD) + offset
        line = next((text for text in result.output.splitlines() if f"row {row}, column {column or '-'}:" in text), "")
        assert words.lower() in line.lower(), (row, column, words, result.output)
    assert "nothing stored" in result.output
    assert counts(app) == (0, 0)


def test_skip_invalid_stores_only_the_valid_rows(runner, app, mini, tmp_path) -> None:
    path = write(tmp_path, GOOD + [BAD[0][0], BAD[5][0]])
    result = runner.invoke(args=["responses", "import", "--survey", "mini", "--skip-invalid", path])
    assert result.exit_code == 0
    assert "5 rows: 3 stored, 0 already imported, 2 invalid" in result.output
    assert counts(app)[0] == 3


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"region,facility\nkyiv,kyiv-01\n", "missing column(s): date"),
        (b"region,facility,date,tested,colour\n", "not questions of mini: colour"),
        (HEADER.encode(), "no rows"),
    ],
)
def test_broken_files_get_one_clear_message(runner, app, mini, tmp_path, content, words) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["responses", "import", "--survey", "mini", str(path)])
    assert result.exit_code == 1 and words in result.output
    assert "Traceback" not in result.output


def test_semicolon_files_from_spreadsheets_work(runner, app, mini, tmp_path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("\ufeff" + HEADER.replace(",", ";") + GOOD[0].replace(",", ";"), encoding="utf-8")
    assert "1 stored" in runner.invoke(args=["responses", "import", "--survey", "mini", str(path)]).output


def test_leads_upload_only_for_their_regions(client, app, as_role, mini) -> None:
    as_role("lead")
    odesa_row = "odesa,odesa-01,2026-10-01,yes,,20,,,,,,,\n"
    data = {"survey": "mini", "file": (io.BytesIO((HEADER + GOOD[0] + odesa_row).encode()), "forms.csv")}
    response = client.post("/collect/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "this region is not one of yours" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)
    data = {"survey": "mini", "file": (io.BytesIO((HEADER + GOOD[0]).encode()), "forms.csv")}
    stored = client.post("/collect/import", data=data, content_type="multipart/form-data")
    assert stored.status_code == 200 and "1 rows: 1 stored, 0 already imported, 0 with problems." in stored.get_data(as_text=True)
    assert counts(app)[0] == 1
    template = client.get("/collect/import/mini/template.csv")
    assert template.get_data(as_text=True).lstrip("\ufeff").startswith("region,facility,date,tested,why_not")


def test_monitors_cannot_import(client, as_role, mini) -> None:
    as_role("monitor")
    assert client.get("/collect/import").status_code == 403


def test_a_paper_form_names_the_facility_in_any_language_and_problems_name_the_region(client, app, as_role, mini) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "uk", "next": "/"})
    rows = "Київ,Міський центр СНІДу,2026-10-01,yes,,20,,,,,,,\nkyiv,nowhere,2026-10-01,yes,,20,,,,,,,\n"
    data = {"survey": "mini", "file": (io.BytesIO((HEADER + rows).encode()), "forms.csv")}
    page = client.post("/collect/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    problems = re.findall(r'<tr><td class="num">(\d+)</td><td><code>\w+</code></td><td>(.*?)</td></tr>', page)
    assert problems == [("3", "у регіоні Київ немає закладу «nowhere»")]  # row 2 named its facility in Ukrainian
