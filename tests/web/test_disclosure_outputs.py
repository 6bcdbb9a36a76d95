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


@pytest.mark.slow
def test_dashboard_json_and_pages_show_no_withheld_figure(client, app, as_role, crafted) -> None:  # noqa: F811
    as_role("advocate")
    labels = regions_by_label(app)
    with app.app_context():
        small = region_by_code(SMALL)
        assert small is not None
        small_id = small.id
    checked = withheld_seen = 0
    for code in CODES:
        cube = cube_of(app, code)
        small_quarters = [q for q in cube.quarters if cube.counts.get((next(iter(cube.published))[0], small_id, "quarter", q), (0, 0))[0]]
        periods = [("quarter", q) for q in sorted({*small_quarters, *cube.quarters[-2:]})] + [("year", y) for y in sorted({q // 10 for q in cube.quarters})]
        with app.app_context():
            from cml.services import surveys

            indicators = [i.id for i in surveys.model_of(surveys.latest_version(code)).indicators]  # type: ignore[arg-type]
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
                    if row is not None and n and not shown:
                        assert 'data-label="n">—' in row.group(1) and "<strong>" not in row.group(1), (code, indicator, text, region_code)
                        withheld_seen += 1
                for indicator in indicators[:4]:
                    data = client.get("/dashboard/indicator.json", query_string={**query, "indicator": indicator})
                    assert data.status_code == 200 and data.headers["Cache-Control"] == "no-store"
                    body = data.get_json()
                    for unit in body["units"]:
                        status = cube.status(indicator, labels[unit["label"]], grain, period).published
                        assert (unit["n"] is None) == (not status), unit
                        if not status:
                            assert unit["estimate"] == unit["interval"] == unit["change"] == "" and unit["suppressed"]
                        checked += 1
                    for row in body["trend"]:
                        key = row["key"]
                        trend_period = int(key.replace("Q", "")) if grain == "quarter" else int(key)
                        status = cube.status(indicator, region_id, grain, trend_period).published
                        assert (row["n"] is None) == (not status), row
                        if row["change"]:
                            assert cube.change_shown(indicator, region_id, grain, trend_period), row
                        checked += 1
    assert checked > 200 and withheld_seen > 5


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
