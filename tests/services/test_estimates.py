"""Estimates read from the database equal those computed from the same responses in memory."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.core.indicators import contributions
from cml.core.periods import period_key
from cml.core.stats import single_facility_proportion, stratified_mean, stratified_proportion
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Response
from cml.services import demo_data, surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.estimates import estimate_cells
from cml.services.regions import region_by_code
from cml.services.responses import all_answers

TODAY = date(2026, 2, 10)  # the last 8 quarters, 2024Q2 to 2026Q1, cross two new years


@pytest.fixture
def dataset(app, world) -> Any:
    with app.app_context():
        for _ in demo_data.generate(900, seed=11, today=TODAY, chunk=500):
            db.session.commit()
    return app


def in_memory(code: str, by: tuple[str, ...], grain: str, region_ids: set[int] | None = None) -> dict[tuple, Any]:
    """Every cell computed straight from Response.answers, looping in Python (the shipped
    questionnaires monitor their facilities: facilities are strata; means from the raw values)."""
    version = surveys.latest_version(code)
    assert version is not None
    questionnaire = surveys.model_of(version)
    values: dict[tuple, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    query = select(Response).join(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire_id == version.questionnaire_id)
    for response in db.session.scalars(query):
        if region_ids is not None and response.region_id not in region_ids:
            continue
        for part in contributions(questionnaire, all_answers(response)):
            key = (
                part.indicator_id,
                response.region_id if {"region", "facility"} & set(by) else None,
                response.facility_id if "facility" in by else None,
                period_key(response.month, grain) if "period" in by else None,  # type: ignore[arg-type]
            )
            values[key][response.facility_id].append(part.numerator)
            counts[key][response.facility_id][0] += int(part.numerator)
            counts[key][response.facility_id][1] += int(part.denominator)
    result = {}
    for key in values:
        indicator = questionnaire.indicator(key[0])
        assert indicator is not None
        if indicator.type == "proportion":
            pairs = [tuple(c) for c in counts[key].values()]
            result[key] = single_facility_proportion(*pairs[0]) if len(pairs) == 1 else stratified_proportion(pairs)
        else:
            question = questionnaire.question(indicator.question or "")
            assert question is not None and question.minimum is not None and question.maximum is not None
            result[key] = stratified_mean(list(values[key].values()), scale=(question.minimum, question.maximum))
    return result


def assert_same(table, expected: dict[tuple, Any]) -> None:
    got = {(r.indicator, r.region_id, r.facility_id, r.period): r for r in table}
    assert got.keys() == expected.keys()
    for key, row in got.items():
        want = expected[key]
        assert row.n == want.n and row.facilities == want.units, key
        if row.kind == "proportion":
            assert row.x == want.x, key
        assert row.method == METHODS[row.kind][want.method], key
        for name in ("estimate", "lower", "upper", "se"):
            if getattr(want, name) is None:  # one response: no interval (the cell shows the whole scale)
                continue
            assert getattr(row, name) == pytest.approx(getattr(want, name), rel=1e-9, abs=1e-12), (key, name)


METHODS = {
    "proportion": {"strata": "facility_strata_kg_nchs", "strata_lonely_adjust": "facility_strata_kg_nchs_adjust",
                   "collapsed_df0": "collapsed_kg_nchs", "single_client_wilson": "wilson",
                   "single_facility_wilson": "wilson"},
    "mean": {"strata": "facility_strata_t", "strata_lonely_adjust": "facility_strata_t_adjust", "collapsed_df0": "collapsed_t",
             "single_response_not_estimable": "single_response"},
}

TABLES = [
    ("clinic_exit", ("region", "period"), "quarter"),
    ("clinic_exit", ("period",), "year"),
    ("clinic_exit", (), "quarter"),
    ("incident_report", ("facility", "period"), "quarter"),
    ("training_evaluation", ("region",), "month"),
]


def test_database_estimates_equal_the_in_memory_ones(dataset) -> None:
    with dataset.app_context():
        for code, by, grain in TABLES:
            table = estimate_cells(code, by=by, grain=grain)  # type: ignore[arg-type]
            assert len(table) > 0
            assert_same(table, in_memory(code, by, grain))


def test_a_period_range_and_region_scope_limit_the_cells(dataset) -> None:
    with dataset.app_context():
        kyiv = region_by_code("kyiv")
        assert kyiv is not None
        everything = estimate_cells("clinic_exit", by=("region", "period"))
        scoped = estimate_cells("clinic_exit", by=("region", "period"), region_ids={kyiv.id}, period_range=(20251, 20254))
        assert {r.region_id for r in everything} > {kyiv.id}
        assert {r.region_id for r in scoped} == {kyiv.id}
        assert {r.period for r in scoped} == {20251, 20252, 20253, 20254}
        expected = {k: v for k, v in in_memory("clinic_exit", ("region", "period"), "quarter", {kyiv.id}).items() if 20251 <= k[3] <= 20254}
        assert_same(scoped, expected)
        # The first quarter's change is computed from the quarter before the range.
        first = next(r for r in scoped if r.period == 20251 and r.indicator == "hiv_test_offered")
        assert first.change is not None and first.change.previous_period == 20244
        # A national figure for a regional lead pools their regions only.
        national = estimate_cells("clinic_exit", by=(), region_ids={kyiv.id})
        assert_same(national, in_memory("clinic_exit", (), "quarter", {kyiv.id}))
        assert len(estimate_cells("clinic_exit", region_ids=set())) == 0


def test_changes_verdicts_and_labels_come_with_the_rows(dataset) -> None:
    with dataset.app_context():
        table = estimate_cells("clinic_exit", indicator_ids=["waiting_time", "hiv_test_offered"], by=("period",))
        assert [i.id for i in table.indicators] == ["waiting_time", "hiv_test_offered"]
        assert table.questionnaire.id == "clinic_exit" and table.rows[0].indicator == "waiting_time"
        periods = sorted({r.period for r in table})
        assert periods == [20242, 20243, 20244, 20251, 20252, 20253, 20254, 20261]
        for row in table:
            assert row.verdict in ("meets", "misses", "not_enough_data")
            assert (row.change is None) == (row.period == 20242)
            if row.change is not None:
                assert row.change.method in ("mover_kg_nchs", "t_floor") and row.change.p_adjusted is not None
        offered = [r for r in table if r.indicator == "hiv_test_offered"]
        assert offered[0].target == 0.9 and offered[0].better == "higher"


def test_unknown_questionnaire_or_indicator_is_refused(app, world) -> None:
    with app.app_context():
        with pytest.raises(LookupError):
            estimate_cells("nope")
        with pytest.raises(ValueError, match="no indicator"):
            estimate_cells("clinic_exit", indicator_ids=["nope"])
        with pytest.raises(ValueError, match="not a quarter key"):
            estimate_cells("clinic_exit", period_range=(2025, 2026))
        with pytest.raises(ValueError, match="not a month key"):
            estimate_cells("clinic_exit", grain="month", period_range=(202513, 202601))
        with pytest.raises(ValueError, match="dimension"):
            estimate_cells("clinic_exit", by=("clinic",))  # type: ignore[arg-type]
        assert len(estimate_cells("clinic_exit")) == 0  # nothing collected yet


def test_months_quarters_and_years_are_cut_right_across_new_year(app, mini) -> None:
    days = [date(2024, 12, 31), date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 1), date(2025, 12, 31), date(2026, 1, 1)]
    with app.app_context():
        version = mini.questionnaire_version()
        facility = db.session.scalar(select(Facility).order_by(Facility.code).limit(1))
        assert facility is not None
        items = [
            NewResponse(uuid.uuid4(), facility.id, facility.region_id, day, {"tested": "yes", "wait": 10 * (i + 1)})
            for i, day in enumerate(days)
        ]
        assert store_many(version, items, source="import").stored == 6
        db.session.commit()

        def counts(grain: str) -> dict[str, int]:
            table = estimate_cells("mini", indicator_ids=["offered_test"], by=("period",), grain=grain)  # type: ignore[arg-type]
            return {r.period_label: r.n for r in table}

        assert counts("month") == {"2024-12": 1, "2025-01": 1, "2025-03": 1, "2025-04": 1, "2025-12": 1, "2026-01": 1}
        assert counts("quarter") == {"2024Q4": 1, "2025Q1": 2, "2025Q2": 1, "2025Q4": 1, "2026Q1": 1}
        assert counts("year") == {"2024": 1, "2025": 4, "2026": 1}
        quarter = estimate_cells("mini", indicator_ids=["mean_wait"], by=("period",), period_range=(20251, 20251))
        assert [(r.period_label, r.estimate) for r in quarter] == [("2025Q1", 25.0)]
        assert quarter.rows[0].change is None  # one waiting time in 2024Q4: no interval, so no change
