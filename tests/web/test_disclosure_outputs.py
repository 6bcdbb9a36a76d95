"""Every advocate-visible page and file shows only what the disclosure gate publishes, and a
lead's brief only the lead's regions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cml.core.periods import period_label
from cml.extensions import db
from cml.models import Region
from cml.reports import brief as brief_module
from cml.services import users
from cml.services.publication import disclosure_cube
from cml.services.regions import region_by_code
from tests.conftest import PASSWORD, login
from tests.web.test_disclosure_attack import CODES, SMALL, crafted  # noqa: F401  (the fixture)


def cube_of(app, code: str):
    with app.test_request_context("/"):
        return disclosure_cube(code, app.config["SUPPRESSION_THRESHOLD"])


def regions_by_label(app) -> dict[str, int]:
    with app.app_context():
        return {r.label("en"): r.id for r in db.session.scalars(select(Region))}


def walk(client, app) -> tuple[int, list[tuple[object, ...]]]:
    """(figures checked, figures shown that the gate withholds) over the advocate's pages and JSON."""
    labels = regions_by_label(app)
    with app.app_context():
        small = region_by_code(SMALL)
        assert small is not None
        small_id = small.id
    checked, leaks = 0, []
    for code in CODES:
        cube = cube_of(app, code)
        with app.app_context():
            from cml.services import surveys

            indicators = [i.id for i in surveys.model_of(surveys.latest_version(code)).indicators]  # type: ignore[arg-type]
        small_quarters = [q for q in cube.quarters if cube.counts.get((indicators[0], small_id, "quarter", q), (0, 0))[0]]
        periods = [("quarter", q) for q in sorted({*small_quarters, *cube.quarters[-2:]})] + [("year", y) for y in sorted({q // 10 for q in cube.quarters})]
        for grain, period in periods:
            text = period_label(period, grain)  # type: ignore[arg-type]
            for region_code, region_id in ((None, None), (SMALL, small_id)):
                query = {"survey": code, "grain": grain, "period": text, **({"region": region_code} if region_code else {})}
                page = client.get("/dashboard/", query_string=query)
                assert page.status_code == 200
                html = page.get_data(as_text=True)
                for indicator in indicators:
                    shown = cube.status(indicator, region_id, grain, period).published
                    n = cube.counts.get((indicator, region_id, grain, period), (0, None))[0]
                    row = re.search(rf'indicator={indicator}[^"]*">[^<]*</a></th>(.*?)</tr>', html, re.S)
                    if row is not None and n:
                        checked += 1
                        if not shown and ('data-label="n">—' not in row.group(1) or "<strong>" in row.group(1)):
                            leaks.append(("overview", code, indicator, text, region_code))
                for indicator in indicators[:4]:
                    data = client.get("/dashboard/indicator.json", query_string={**query, "indicator": indicator})
                    assert data.status_code == 200 and data.headers["Cache-Control"] == "no-store"
                    body = data.get_json()
                    for unit in body["units"]:
                        status = cube.status(indicator, labels[unit["label"]], grain, period).published
                        known = (indicator, labels[unit["label"]], grain, period) in cube.counts  # else: no data there at all
                        checked += 1
                        if known and not status and (unit["n"] is not None or unit["estimate"] or unit["interval"] or unit["change"]):
                            leaks.append(("unit", code, indicator, text, unit["label"]))
                    for row in body["trend"]:
                        key = row["key"]
                        trend_period = int(key.replace("Q", "")) if grain == "quarter" else int(key)
                        status = cube.status(indicator, region_id, grain, trend_period).published
                        known = (indicator, region_id, grain, trend_period) in cube.counts
                        checked += 1
                        if known and not status and (row["n"] is not None or row["estimate"]):
                            leaks.append(("trend", code, indicator, key, region_code))
                        if row["change"] and not cube.change_shown(indicator, region_id, grain, trend_period):
                            leaks.append(("change", code, indicator, key, region_code))
    return checked, leaks


@pytest.mark.slow
def test_dashboard_pages_and_json_show_no_withheld_figure(client, app, as_role, crafted) -> None:  # noqa: F811
    as_role("advocate")
    checked, leaks = walk(client, app)
    assert checked > 300 and leaks == []


@pytest.mark.slow
def test_the_walk_finds_figures_when_the_dashboard_skips_the_gate(client, app, as_role, crafted, monkeypatch) -> None:  # noqa: F811
    from cml.dashboard import views

    monkeypatch.setattr(views, "_gate", lambda filters: None)
    as_role("advocate")
    _, leaks = walk(client, app)
    assert {kind for kind, *_ in leaks} >= {"overview", "unit", "trend"}


def test_the_xlsx_withholds_what_the_csv_withholds(client, app, as_role, generated) -> None:
    import io

    from openpyxl import load_workbook

    from cml.services.indicator_export import COLUMNS

    as_role("advocate")
    fields = {"survey": "clinic_exit", "breakdown": "region", "grain": "quarter", "first": "", "last": ""}
    text = client.post("/reports/indicators", data={**fields, "file_format": "csv"}).get_data(as_text=True).lstrip("\ufeff")
    import csv

    from_csv = [(r["indicator"], r["region"], r["period"], r["suppressed"], r["denominator"]) for r in csv.DictReader(io.StringIO(text))]
    book = load_workbook(io.BytesIO(client.post("/reports/indicators", data={**fields, "file_format": "xlsx"}).data))
    at = {name: COLUMNS.index(name) for name in ("indicator", "region", "period", "suppressed", "denominator")}
    from_xlsx = [tuple("" if row[at[c]] is None else str(row[at[c]]) for c in at) for row in book["Indicators"].iter_rows(min_row=2, values_only=True)]
    assert from_csv == from_xlsx and any(r[3] == "yes" for r in from_csv)


def test_advocates_get_no_months(client, as_role, generated) -> None:
    as_role("advocate")
    page = client.get("/dashboard/", query_string={"survey": "clinic_exit", "grain": "month"})
    assert page.status_code == 200 and 'value="month"' not in page.get_data(as_text=True)
    form = client.get("/reports/indicators").get_data(as_text=True)
    assert 'value="month"' not in form
    refused = client.post("/reports/indicators", data={"survey": "clinic_exit", "breakdown": "region", "grain": "month", "file_format": "csv"})
    assert refused.status_code == 422


@pytest.fixture
def odesa_lead(app, world) -> None:
    with app.app_context():
        odesa = region_by_code("odesa")
        users.create_user("odesa-lead", PASSWORD, "lead", [odesa])
        db.session.commit()


def test_a_leads_brief_and_its_pdf_show_only_the_leads_regions(client, app, generated, odesa_lead, monkeypatch) -> None:
    assert login(client, "odesa-lead").status_code == 302
    with app.app_context():
        others = [r.label(lang) for r in db.session.scalars(select(Region).where(Region.code != "odesa")) for lang in ("en", "uk", "ru")]
        odesa = region_by_code("odesa").label("en")  # type: ignore[union-attr]
    for code in CODES:
        page = client.get("/reports/brief", query_string={"survey": code})
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert odesa in html
        assert not [name for name in others if name in html], code
    assert client.get("/reports/brief", query_string={"region": "kyiv"}).status_code == 404
    printed: list[str] = []
    monkeypatch.setattr(brief_module.shutil, "which", lambda name: "/usr/bin/chromium")
    monkeypatch.setattr(brief_module, "render_pdf", lambda chromium, html: printed.append(html) or b"%PDF-1.4")
    pdf = client.get("/reports/brief.pdf", query_string={"survey": "clinic_exit"})
    assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "no-store"
    assert printed and odesa in printed[0] and not [name for name in others if name in printed[0]]


def test_the_national_brief_withholds_what_the_gate_withholds(client, app, as_role, crafted) -> None:  # noqa: F811
    as_role("advocate")
    page = client.get("/reports/brief", query_string={"survey": "incident_report", "region": SMALL})
    assert page.status_code == 200
    article = page.get_data(as_text=True).split('<article class="brief">', 1)[1]
    assert "Small" in article and "withheld" in article
    assert not re.search(r"Kyiv|Odesa|Kharkiv", article)  # (the region picker above lists them all: advocates may choose any)
