"""Council indicator tables: every figure checked against cml.core.stats; advocates' tables
hold no small cell and solving their margins recovers none."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cml.core.periods import parse_period
from cml.core.stats import single_facility_proportion, stratified_proportion
from cml.extensions import db
from cml.models import AuditEvent, Region
from cml.services import surveys
from cml.services.indicator_export import COLUMNS
from tests.conftest import SURVEYS
from tests.web.generated import facility_sums


def export(client, **fields):
    data = {"survey": "clinic_exit", "breakdown": "region", "grain": "quarter", "first": "", "last": "", "file_format": "xlsx", **fields}
    return client.post("/reports/indicators", data=data)


def sheet_rows(response) -> list[dict[str, object]]:
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Indicators", "Method"]
    sheet = book["Indicators"]
    codes = {title: code for title, code in method_columns(book)}
    header = [codes[c.value] for c in sheet[1]]
    assert header == list(COLUMNS)
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]


def method_columns(book) -> list[tuple[str, str]]:
    """(heading, CSV code) pairs listed on the Method sheet."""
    rows = [(r[0].value, r[1].value) for r in book["Method"].iter_rows()]
    start = next(i for i, (a, b) in enumerate(rows) if b == "Code in the CSV export")
    return rows[start + 1 :]


def test_every_figure_in_the_xlsx_equals_core_stats(client, app, as_role, generated) -> None:
    as_role("advocate")
    response = export(client)
    assert response.status_code == 200
    rows = sheet_rows(response)
    with app.app_context():
        regions = {r.label("en"): r.id for r in db.session.scalars(select(Region))}
        checked = 0
        for indicator in ("condoms_enough", "hiv_test_offered", "know_how_to_complain"):
            sums = facility_sums("clinic_exit", indicator)
            for row in rows:
                if row["indicator"] != indicator or row["suppressed"] == "yes":
                    continue
                period = parse_period(row["period"])[1]
                wanted = {None} if row["region"] == "ALL" else {regions[row["region"]]}
                clusters = [(int(x), int(n)) for (p, r, _), (x, n, _) in sums.items() if p == period and n > 0 and (None in wanted or r in wanted)]
                expected = single_facility_proportion(*clusters[0]) if len(clusters) == 1 else stratified_proportion(clusters)
                assert row["denominator"] == expected.n and row["numerator"] == expected.x
                assert row["estimate"] == pytest.approx(expected.estimate, abs=1e-9)
                assert row["lower"] == pytest.approx(expected.lower, abs=1e-9)
                assert row["upper"] == pytest.approx(expected.upper, abs=1e-9)
                checked += 1
        assert checked > 20


def test_advocate_table_has_no_small_cell_and_its_margins_recover_none(client, app, as_role, generated) -> None:
    as_role("advocate")
    rows = sheet_rows(export(client))
    k = app.config["SUPPRESSION_THRESHOLD"]
    columns: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        if row["suppressed"] == "yes":
            assert row["estimate"] is None and row["denominator"] is None and row["numerator"] is None
        else:
            n, x = row["denominator"], row["numerator"]
            assert n >= k or n == 0, row  # a region or period without respondents is a row with n = 0
            if x is not None:
                assert not 1 <= x <= k - 1 and not 1 <= n - x <= k - 1, row
        columns[(row["indicator"], row["period"])].append(row)
    assert any(row["suppressed"] == "yes" for row in rows), "the generated data should need some suppression"
    for (indicator, period), column in columns.items():
        national = next(r for r in column if r["region"] == "ALL")
        hidden = [r for r in column if r["region"] != "ALL" and r["suppressed"] == "yes"]
        if national["suppressed"] == "yes" or not hidden:
            continue
        # The national total minus the published regions gives the sum of the hidden ones:
        # with one hidden region that sum would be its value.
        assert len(hidden) >= 2, (indicator, period)
        published = [r for r in column if r["region"] != "ALL" and r["suppressed"] == "no"]
        remaining_n = national["denominator"] - sum(r["denominator"] for r in published)
        assert remaining_n >= 2 * 1  # shared by at least two hidden cells, none pinned down


def test_method_sheet_and_csv(client, as_role, generated) -> None:
    as_role("lead")
    book = load_workbook(io.BytesIO(export(client, breakdown="facility").data))
    method = {row[0].value: row[1].value for row in book["Method"].iter_rows()}
    assert book["Indicators"].cell(1, 1).value == "Questionnaire"
    assert "Korn-Graubard" in method["Shares"] and method["Sampling design"].startswith("monitored")
    assert "Benjamini-Hochberg within each indicator" in method["Change between periods"]
    assert method["Questionnaire versions"].startswith("v2 (sha256 ")
    assert "demo-lead" in method["Generated"]
    assert "internal" in method["Disclosure control"]
    facilities = {row[COLUMNS.index("facility")].value for row in book["Indicators"].iter_rows(min_row=2)}
    assert facilities and all(str(f).startswith("kyiv-") for f in facilities)
    text = export(client, file_format="csv").get_data(as_text=True).lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    tested = [r for r in rows if r["change_p_value"]]
    assert tested and all(float(r["change_p_adjusted"]) >= float(r["change_p_value"]) for r in tested)
    assert {r["change_method"] for r in tested} <= {"mover_kg_nchs", "t_floor"}


def test_advocates_cannot_ask_for_facilities_and_exports_are_audited(client, app, as_role, generated) -> None:
    as_role("advocate")
    assert export(client, breakdown="facility").status_code == 422
    export(client, breakdown="national", file_format="csv")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.indicators")).all()
        assert [(e.actor_username, e.details["breakdown"]) for e in events] == [("demo-advocate", "national")]


def test_the_brief_renders_in_each_language(client, as_role, generated) -> None:
    as_role("advocate")
    for language in ("en", "uk", "ru"):
        client.post("/language", data={"lang": language})
        page = client.get("/reports/brief?survey=clinic_exit")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert f'<html lang="{language}">' in text and 'data-figure="' in text


def test_command_line_export_is_aggregates_only(runner, app, generated, tmp_path) -> None:
    target = tmp_path / "table.xlsx"
    result = runner.invoke(args=["indicators", "export", "--survey", "clinic_exit", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(target).worksheets[0].iter_rows(min_row=2, values_only=True))
    header = list(COLUMNS)
    assert rows and all(row[header.index("facility")] in (None, "") for row in rows)
    assert any(row[header.index("region")] == "ALL" for row in rows)
    k = app.config["SUPPRESSION_THRESHOLD"]
    assert all(row[header.index("denominator")] in (None, 0) or row[header.index("denominator")] >= k for row in rows)
    one = runner.invoke(args=["indicators", "export", "--survey", "clinic_exit", "--by", "period", "--period", "2026Q1", "--format", "csv", "-o", "-"])
    assert one.exit_code == 0
    periods = {row["period"] for row in csv.DictReader(io.StringIO(one.stdout.lstrip("\ufeff")))}
    assert periods == {"2026Q1"}
    bad = runner.invoke(args=["indicators", "export", "--survey", "clinic_exit", "--period", "2026-01", "--format", "csv", "-o", "-"])
    assert bad.exit_code == 1 and "not a quarter" in bad.output
    missing = runner.invoke(args=["indicators", "export", "--survey", "nope", "--format", "csv", "-o", "-"])
    assert missing.exit_code == 1 and "no published questionnaire" in missing.output


def test_every_method_note_names_the_declared_sampling(client, app, as_role, generated) -> None:
    monitored = "Facilities are monitored, not drawn at random"
    sampled = "Facilities were drawn at random"
    as_role("admin")
    pages = ["/dashboard/?survey={}", "/dashboard/indicator?survey={}&indicator={}", "/reports/brief?survey={}"]
    for page in pages:
        text = client.get(page.format("clinic_exit", "hiv_test_offered")).get_data(as_text=True)
        assert monitored in text and sampled not in text, page
    method = {row[0].value: row[1].value for row in load_workbook(io.BytesIO(export(client).data))["Method"].iter_rows()}
    assert method["Sampling design"].startswith("monitored")
    with app.app_context():
        document = json.loads((SURVEYS / "clinic_exit.json").read_text())
        document["version"] += 1
        document["sampling"] = {"facilities": "sampled"}
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
    for page in pages:
        text = client.get(page.format("clinic_exit", "hiv_test_offered")).get_data(as_text=True)
        assert sampled in text and monitored not in text, page
    method = {row[0].value: row[1].value for row in load_workbook(io.BytesIO(export(client).data))["Method"].iter_rows()}
    assert method["Sampling design"].startswith("sampled at random")
    assert client.get("/dashboard/indicator.json?survey=clinic_exit&indicator=hiv_test_offered").get_json()["sampling"] == "sampled"
    rows = sheet_rows(export(client))
    national = {r["method"] for r in rows if r["region"] == "ALL" and r["type"] == "proportion" and r["method"]}
    assert national and national <= {"region_strata_kg_nchs", "region_strata_kg_nchs_adjust"}
