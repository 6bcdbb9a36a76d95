"""The attack on advocates' outputs, through the HTTP interface, as issue 12 ran it.

Demo data plus a crafted small region (two facilities, a handful of interviews in two
quarters) is downloaded as an advocate gets it: every questionnaire's indicator table,
by region and nationally, by quarter and by year, for all periods and period by period.
Every figure of every download is pooled, and each withheld figure is attacked with
integer programs (`tests.disclosure_attacker`): none may be recovered, and none narrowed
to a range less than k wide. With the gate reduced to primary suppression the same attack
must find what it protects, or the test would prove nothing.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.core import publication
from cml.core.periods import parse_period, period_key
from cml.core.stats.disclosure import primary_reason
from cml.core.synthetic import SyntheticFacility, facility_profiles
from cml.extensions import db
from cml.models import Facility, Region
from cml.services import surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.regions import RegionSpec, load_regions
from tests.disclosure_attacker import attack_indicator
from tests.web.generated import facility_sums

CODES = ("clinic_exit", "incident_report", "training_evaluation")
SMALL = "zz-small"


@pytest.fixture
def crafted(app, generated) -> None:
    """A small region of two facilities: 3 interviews in one quarter, 7 in another (per questionnaire)."""
    from cml.core.synthetic import Generator
    from cml.services.demo_data import window

    with app.app_context():
        clinics = [{"code": f"{SMALL}-{i}", "name": f"Small clinic {i}", "kind": "clinic"} for i in (1, 2)]
        load_regions([RegionSpec(SMALL, {"en": "Small", "uk": "Мала", "ru": "Малая"}, clinics)])
        db.session.commit()
        places = db.session.execute(select(Facility.id, Facility.region_id).join(Region).where(Region.code == SMALL)).all()
        profiles: list[SyntheticFacility] = facility_profiles([(f, r) for f, r in places], random.Random("crafted"))
        today = date.today()
        first = window(today)
        for code in CODES:
            version = surveys.latest_version(code)
            assert version is not None
            generator = Generator(surveys.model_of(version), profiles, first, today, today, "crafted")
            made = generator.responses(f"crafted:{code}", 40)
            quarters = sorted({period_key(r.interview_date.year * 100 + r.interview_date.month, "quarter") for r in made})
            keep: list[Any] = []
            for quarter, wanted in zip(quarters[-3:-1], (3, 7), strict=False):
                keep += [r for r in made if period_key(r.interview_date.year * 100 + r.interview_date.month, "quarter") == quarter][:wanted]
            items = [NewResponse(uuid.uuid4(), r.facility_id, r.region_id, r.interview_date, r.answers) for r in keep]
            store_many(version, items, source="test")
            db.session.commit()


def download(client, code: str, breakdown: str, grain: str, first: str = "", last: str = "") -> list[dict[str, str]]:
    response = client.post("/reports/indicators", data={"survey": code, "breakdown": breakdown, "grain": grain, "first": first, "last": last, "file_format": "csv"})
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def figure(row: dict[str, str]) -> tuple[str, ...]:
    """A row's figures; floats to 9 digits (PostgreSQL's float sums depend on the order it adds rows in)."""
    def rounded(text: str) -> str:
        return f"{float(text):.9g}" if text else ""

    return (*(row[c] for c in ("indicator", "region", "period", "numerator", "denominator", "suppressed")),
            *(rounded(row[c]) for c in ("estimate", "lower", "upper")))


def every_download(client) -> dict[str, list[dict[str, str]]]:
    """Every indicator table an advocate can download: breakdowns, grains, all periods and each period alone."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for code in CODES:
        for grain in ("quarter", "year"):
            for breakdown in ("region", "national"):
                whole = download(client, code, breakdown, grain)
                rows[code] += whole
                if breakdown == "region":
                    for period in sorted({row["period"] for row in whole}):
                        alone = download(client, code, breakdown, grain, period, period)
                        assert {figure(r) for r in alone} <= {figure(r) for r in whole}  # the same figures, whatever the range
                        rows[code] += alone
    return rows


def attack_all(app, rows_by_code: dict[str, list[dict[str, str]]], k: int) -> dict[str, int]:
    figures = {"cells": 0, "withheld": 0, "recovered": 0, "narrow": 0}
    with app.app_context():
        regions = {r.label("en"): r.id for r in db.session.scalars(select(Region))}
        for code, rows in rows_by_code.items():
            model = surveys.model_of(surveys.latest_version(code))  # type: ignore[arg-type]
            for indicator in model.indicators:
                published: dict[tuple[Any, str, int], tuple[int, int | None]] = {}
                withheld: set[tuple[Any, str, int]] = set()
                for row in rows:
                    if row["indicator"] != indicator.id:
                        continue
                    parsed = parse_period(row["period"])
                    assert parsed is not None and parsed[0] in ("quarter", "year"), row["period"]
                    figure = (None if row["region"] in ("ALL", "") else regions[row["region"]], parsed[0], parsed[1])
                    if row["suppressed"] == "yes":
                        assert row["denominator"] == "" and row["estimate"] == "" and row["change"] == ""
                        withheld.add(figure)
                    else:
                        published[figure] = (int(row["denominator"]), int(row["numerator"]) if row["numerator"] else None)
                truth: dict[tuple[int, int], tuple[int, int | None]] = defaultdict(lambda: (0, 0))
                for (quarter, region, _facility), (x, n, _) in facility_sums(code, indicator.id).items():
                    before = truth[(region, quarter)]
                    truth[(region, quarter)] = (before[0] + int(n), (before[1] or 0) + int(x))
                if indicator.type != "proportion":
                    truth = defaultdict(lambda: (0, None), {key: (n, None) for key, (n, _) in truth.items()})
                shown = [*published, *withheld]
                cube_regions = sorted({r for r, _ in truth} | {r for r, _, _ in shown if r is not None})
                cube_quarters = sorted({q for _, q in truth} | {p for _, grain, p in shown if grain == "quarter"})
                checked, recovered, narrow = attack_indicator(cube_regions, cube_quarters, published, sorted(withheld, key=str), truth, k,
                                                              standard=model.disclosure == "standard")
                figures["cells"] += len(published) + len(withheld)
                figures["withheld"] += checked
                figures["recovered"] += recovered
                figures["narrow"] += len(narrow)
    return figures


@pytest.mark.slow
def test_no_withheld_figure_can_be_worked_out_from_every_download(client, app, as_role, crafted) -> None:
    as_role("advocate")
    figures = attack_all(app, every_download(client), app.config["SUPPRESSION_THRESHOLD"])
    print(f"disclosure attack: {figures}")  # noqa: T201  (the closing note quotes these figures)
    assert figures["withheld"] > 20, "the data should need suppression"
    assert figures["recovered"] == 0 and figures["narrow"] == 0, figures
    assert figures["cells"] - figures["withheld"] > 0.4 * figures["cells"], "most figures should still be published"


@pytest.mark.slow
def test_the_attack_finds_cells_when_the_gate_only_withholds_small_cells(client, app, as_role, crafted, monkeypatch) -> None:
    def primary_only(self, indicator, region_id, grain, period, period_range=None):
        counts = self.counts.get((indicator, region_id, grain, period))
        if counts is None or grain == "month":
            return publication.HIDDEN
        return publication.HIDDEN if primary_reason(counts[1], counts[0], 5) else publication.SHOWN

    monkeypatch.setattr(publication.Cube, "status", primary_only)
    as_role("advocate")
    figures = attack_all(app, every_download(client), app.config["SUPPRESSION_THRESHOLD"])
    assert figures["recovered"] > 0 and figures["narrow"] > 0, figures
