"""Dashboards: every figure equals what cml.core.stats computes from the same answers;
advocates see no small cell; filters live in the URL."""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import select

from cml.core.periods import parse_period
from cml.core.stats import proportion_interval, stratified_proportion
from cml.extensions import db
from cml.models import Facility
from cml.services.regions import region_by_code
from cml.web.present import fmt
from tests.web.generated import facility_sums

INDICATOR = "/dashboard/indicator.json?survey=clinic_exit&indicator=condoms_enough"


def last_full_quarter() -> str:
    from datetime import date

    from cml.core.periods import period_label, period_of, previous_period

    return period_label(previous_period(period_of(date.today(), "quarter"), "quarter"), "quarter")


def test_lead_figures_equal_core_stats_from_the_answers(client, app, as_role, generated) -> None:
    as_role("lead")
    data = client.get(f"{INDICATOR}&period={last_full_quarter()}").get_json()
    assert data["unit"] == "facility"
    period = parse_period(data["period"])[1]
    with app.app_context():
        kyiv = region_by_code("kyiv").id
        sums = facility_sums("clinic_exit", "condoms_enough", region_ids={kyiv})
        names = dict(db.session.execute(select(Facility.id, Facility.name)).all())
    shown = {row["label"]: row for row in data["units"]}
    checked = 0
    for (p, _, facility), (x, n, _) in sums.items():
        if p != period or n == 0:
            continue
        expected = proportion_interval(int(x), int(n))  # one facility: Wilson
        row = shown[names[facility]]
        assert row["n"] == int(n)
        assert row["estimate"] == fmt(expected.estimate, True, "en")
        assert row["interval"] == f"{fmt(expected.lower, True, 'en')} – {fmt(expected.upper, True, 'en')}"
        checked += 1
    assert checked >= 2
    by_period: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (p, _, _), (x, n, _) in sums.items():
        by_period[p].append((int(x), int(n)))
    for row in data["trend"]:
        expected = stratified_proportion(by_period[parse_period(row["key"])[1]])
        assert row["estimate"] == fmt(expected.estimate, True, "en")
        assert row["interval"] == f"{fmt(expected.lower, True, 'en')} – {fmt(expected.upper, True, 'en')}"
        assert row["n"] == expected.n


def test_advocates_never_see_a_small_cell(client, app, as_role, generated) -> None:
    as_role("advocate")
    k = app.config["SUPPRESSION_THRESHOLD"]
    for indicator in ("condoms_enough", "judgemental_attitude", "arv_refused_migrants", "tested_without_consent"):
        data = client.get(f"/dashboard/indicator.json?survey=clinic_exit&indicator={indicator}").get_json()
        period = parse_period(data["period"])[1]
        with app.app_context():
            sums = facility_sums("clinic_exit", indicator)
            labels = {region_by_code(code).label("en"): region_by_code(code).id for code in ("kyiv", "kharkiv", "odesa", "dnipro", "lviv", "poltava", "mykolaiv", "chernihiv")}
        for row in data["units"]:
            region = labels[row["label"]]
            x = sum(v[0] for (p, r, _), v in sums.items() if p == period and r == region)
            n = sum(v[1] for (p, r, _), v in sums.items() if p == period and r == region)
            if row["suppressed"]:
                assert row["estimate"] == "" and row["n"] is None
                continue
            if row["n"] == 0:  # a region without respondents is listed, not left out
                assert n == 0 and row["estimate"] == ""
                continue
            assert n >= k and not 1 <= x <= k - 1 and not 1 <= n - x <= k - 1, (indicator, row)
        suppressed = [row for row in data["units"] if row["suppressed"]]
        # A single withheld region could be worked out from the national figure.
        assert len(suppressed) != 1, (indicator, data["units"])


def test_overview_lists_every_indicator_with_n_and_interval(client, as_role, generated) -> None:
    as_role("admin")
    page = client.get("/dashboard/?survey=clinic_exit").get_data(as_text=True)
    for label in ("Offered an HIV test", "Average waiting time (minutes)", "Know where and how to complain"):
        assert label in page
    assert "95% interval" in page and "Meets target" in page or "Misses target" in page


def test_filters_are_in_the_url_and_bad_ones_are_refused_or_replaced(client, as_role, generated) -> None:
    as_role("admin")
    for grain, period in (("month", "2026-01"), ("year", "2026")):
        page = client.get(f"/dashboard/?survey=clinic_exit&grain={grain}&period={period}")
        assert page.status_code == 200 and f'<option value="{period}" selected>' in page.get_data(as_text=True)
    unreadable = client.get("/dashboard/?survey=clinic_exit&period=not-a-period")
    assert unreadable.status_code == 200 and 'id="period-notice"' in unreadable.get_data(as_text=True)  # a notice beside the field
    converted = client.get("/dashboard/?survey=clinic_exit&grain=month&period=2026Q1")
    assert converted.status_code == 200 and re.search(r'<option value="2026-0[123]" selected>', converted.get_data(as_text=True))  # a month of Q1
    assert client.get("/dashboard/?survey=no_such_survey").status_code == 404
    assert client.get("/dashboard/indicator?survey=clinic_exit&indicator=nope").status_code == 404
    page = client.get("/dashboard/indicator?survey=training_evaluation&indicator=mean_overall_grade&region=kyiv").get_data(as_text=True)
    assert 'data-figure="' in page and "/vendor/plotly-" in page


def test_plotly_basic_is_served_from_the_repository_compressed_and_cached(client) -> None:
    from cml.web.vendor import PLOTLY_VERSION, plotly_path

    response = client.get(f"/vendor/plotly-basic-{PLOTLY_VERSION}.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert len(response.data) < 450_000  # the full bundle was ~1.5 MB compressed
    assert plotly_path().read_text(encoding="utf-8").startswith(f"/**\n* plotly.js (basic - minified) v{PLOTLY_VERSION}")
    assert "MIT License" in (plotly_path().parent / "LICENSE").read_text(encoding="utf-8")


def test_sparse_data_never_gives_an_advocate_a_500(client, app, mini, as_role) -> None:
    """A few interviews at one facility: most cells are empty, mean and proportion alike."""
    import uuid
    from datetime import date

    from cml.services.responses import store_response

    with app.app_context():
        version = mini.questionnaire_version()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        odesa = db.session.scalar(select(Facility).where(Facility.code == "odesa-01"))
        store_response(uuid.uuid4(), version, kyiv, date(2026, 4, 2), {"tested": "yes", "wait": 15}, None)
        store_response(uuid.uuid4(), version, odesa, date(2026, 7, 2), {"tested": "no", "why_not": "refused", "wait": 40}, None)
        db.session.commit()
    as_role("advocate")
    for path, heading in (("/dashboard/?survey=mini&period=2026Q3", "<h1>Mini survey</h1>"),
                          ("/dashboard/indicator?survey=mini&indicator=mean_wait&period=2026Q3&from=2026Q1", "<h1>Mean wait</h1>"),
                          ("/reports/brief?survey=mini&period=2026Q3", "<h1>Mini survey</h1>")):
        page = client.get(path)
        assert page.status_code == 200 and heading in page.get_data(as_text=True) and "withheld" in page.get_data(as_text=True), path
    figures = client.get("/dashboard/indicator.json?survey=mini&indicator=offered_test&period=2026Q3").get_json()
    assert figures["period"] == "2026Q3"
    assert all(unit["estimate"] == "" for unit in figures["units"])  # one interview a region: no figure shown
    assert {unit["label"]: unit["suppressed"] for unit in figures["units"]}["Odesa Oblast"] == "withheld"
