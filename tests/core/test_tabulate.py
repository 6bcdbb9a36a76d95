"""Tabulation: cells from per-facility sums, verdicts against targets, change between periods."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from cml.core.questionnaire import load_questionnaire
from cml.core.stats import (
    benjamini_hochberg,
    clustered_mean_from_totals,
    clustered_proportion,
    proportion_interval,
    region_clustered_mean,
    region_clustered_proportion,
    stratified_difference,
    stratified_mean_from_totals,
    stratified_proportion,
)
from cml.core.stats.strata import difference_of
from cml.core.tabulate import (
    MEETS,
    MISSES,
    NOT_ENOUGH_DATA,
    FacilityTotals,
    IndicatorSpec,
    direction_of,
    indicator_spec,
    tabulate,
    verdict,
)
from tests.conftest import FIXTURES, SURVEYS

P = IndicatorSpec("p", "proportion", target=0.9, better="higher")
M = IndicatorSpec("m", "mean", target=4.0, better="higher", scale=(1.0, 5.0))
PS = replace(P, sampling="sampled")
MS = replace(M, sampling="sampled")


def prop(facility: int, period: int, x: int, n: int, region: int = 1, indicator: str = "p") -> FacilityTotals:
    return FacilityTotals(indicator, region, facility, period, float(x), float(n), float(x), n)


def mean_row(facility: int, period: int, values: list[float], region: int = 1) -> FacilityTotals:
    return FacilityTotals("m", region, facility, period, sum(values), float(len(values)), sum(v * v for v in values), len(values))


# -- verdicts -----------------------------------------------------------------------------


def test_verdict_follows_the_point_estimate_and_says_whether_it_is_clear() -> None:
    assert verdict(0.95, 0.91, 0.98, 100, 0.9, "higher") == (MEETS, True)
    assert verdict(0.95, 0.80, 0.99, 100, 0.9, "higher") == (MEETS, False)
    assert verdict(0.85, 0.70, 0.93, 100, 0.9, "higher") == (MISSES, False)
    assert verdict(0.70, 0.60, 0.80, 100, 0.9, "higher") == (MISSES, True)
    # Lower is better: a 0% target is met by 0 breaches, never "clearly" (the interval touches 0) ...
    assert verdict(0.0, 0.0, 0.1, 40, 0.0, "lower") == (MEETS, False)
    # ... and any breach misses it, clearly once the interval leaves 0.
    assert verdict(0.05, 0.01, 0.15, 40, 0.0, "lower") == (MISSES, True)
    assert verdict(0.03, 0.01, 0.12, 40, 0.05, "lower") == (MEETS, False)


def test_verdict_at_exactly_the_target_meets_it() -> None:
    assert verdict(9 / 10, 0.6, 0.98, 10, 90 / 100, "higher")[0] == MEETS
    assert verdict(19 / 20, 0.75, 0.99, 20, 95 / 100, "higher")[0] == MEETS
    assert verdict(30.0, 20.0, 40.0, 50, 30.0, "lower")[0] == MEETS


def test_verdict_needs_a_target_a_direction_and_enough_respondents() -> None:
    assert verdict(0.5, 0.4, 0.6, 100, None, "higher") == (None, False)
    assert verdict(0.5, 0.4, 0.6, 100, 0.5, None) == (None, False)
    assert verdict(1.0, 0.5, 1.0, 4, 0.9, "higher") == (NOT_ENOUGH_DATA, False)
    assert verdict(1.0, 0.5, 1.0, 5, 0.9, "higher")[0] == MEETS
    assert verdict(1.0, 0.5, 1.0, 9, 0.9, "higher", min_n=10) == (NOT_ENOUGH_DATA, False)


def test_direction_of_a_change() -> None:
    assert direction_of(0.1, "higher") == "better"
    assert direction_of(0.1, "lower") == "worse"
    assert direction_of(-0.1, "lower") == "better"
    assert direction_of(0.0, "higher") == "unchanged"
    assert direction_of(0.1, None) is None


# -- cells -------------------------------------------------------------------------------


def test_sampled_cells_pool_facilities_as_clusters_and_carry_target_and_flags() -> None:
    rows = [prop(1, 20251, 8, 10), prop(2, 20251, 3, 10), prop(3, 20251, 10, 12, region=2)]
    cells = tabulate(rows, {"p": PS}, by=("region", "period"))
    assert [(c.region_id, c.period, c.n, c.x, c.facilities) for c in cells] == [(1, 20251, 20, 11, 2), (2, 20251, 12, 10, 1)]
    expected = clustered_proportion([(8, 10), (3, 10)])
    first = cells[0]
    assert (first.estimate, first.lower, first.upper, first.se) == (expected.estimate, expected.lower, expected.upper, expected.se)
    assert first.method == "kg_nchs" and first.df == 1 and first.design_effect == expected.design_effect
    assert "few_df" in first.flags and "low_effective_n" in first.flags
    assert first.period_label == "2025Q1" and first.target == 0.9 and first.verdict == MISSES
    single = cells[1]
    assert single.method == "wilson" and single.df is None and "few_df" not in single.flags


def test_monitored_cells_take_facilities_as_strata() -> None:
    rows = [prop(1, 20251, 8, 10), prop(2, 20251, 3, 10), prop(3, 20251, 10, 12, region=2)]
    cells = tabulate(rows, {"p": P}, by=("region", "period"))
    expected = stratified_proportion([(8, 10), (3, 10)])
    first = cells[0]
    assert (first.estimate, first.lower, first.upper, first.se) == (expected.estimate, expected.lower, expected.upper, expected.se)
    assert first.method == "facility_strata_kg_nchs" and first.df == 18 and first.design_effect == expected.deff
    assert first.upper - first.lower < 0.5  # two facilities as clusters: 0.00-1.00
    single = cells[1]  # one facility: its clients are a simple random sample, Wilson as before
    assert single.method == "wilson" and single.df is None and single.facilities == 1
    assert (single.lower, single.upper) == (proportion_interval(10, 12).lower, proportion_interval(10, 12).upper)
    (national,) = tabulate(rows, {"p": P}, by=())
    assert national.df == 32 - 3 and national.upper == stratified_proportion([(8, 10), (3, 10), (10, 12)]).upper


def test_sampled_cells_over_several_regions_take_regions_as_strata() -> None:
    rows = [prop(1, 20251, 8, 10), prop(2, 20251, 3, 10), prop(3, 20251, 10, 12, region=2), prop(4, 20251, 4, 9, region=2)]
    (cell,) = tabulate(rows, {"p": PS}, by=())
    expected = region_clustered_proportion({1: [(8, 10), (3, 10)], 2: [(10, 12), (4, 9)]})
    assert (cell.lower, cell.upper, cell.df, cell.method) == (expected.lower, expected.upper, 2, "region_strata_kg_nchs")
    means = [mean_row(1, 20251, [5, 4, 4]), mean_row(2, 20251, [2, 3]), mean_row(3, 20251, [4, 4, 3], region=2), mean_row(4, 20251, [1, 2], region=2)]
    (mean,) = tabulate(means, {"m": MS}, by=())
    sums = {1: [(13.0, 3, 57.0), (5.0, 2, 13.0)], 2: [(11.0, 3, 41.0), (3.0, 2, 5.0)]}
    assert (mean.lower, mean.upper, mean.df) == (region_clustered_mean(sums, 0.95, (1.0, 5.0)).lower, region_clustered_mean(sums, 0.95, (1.0, 5.0)).upper, 2)


def test_a_facility_is_one_cluster_across_the_periods_pooled() -> None:
    rows = [prop(1, 20251, 8, 10), prop(1, 20252, 2, 5), prop(2, 20251, 3, 10), prop(2, 20252, 4, 4)]
    (cell,) = tabulate(rows, {"p": PS}, by=())
    expected = clustered_proportion([(10, 15), (7, 14)])
    assert (cell.region_id, cell.facility_id, cell.period, cell.period_label) == (None, None, None, None)
    assert (cell.estimate, cell.lower, cell.upper, cell.facilities) == (expected.estimate, expected.lower, expected.upper, 2)
    assert cell.change is None
    by_facility = tabulate(rows, {"p": PS}, by=("facility",))
    assert [(c.region_id, c.facility_id, c.n, c.x, c.method) for c in by_facility] == [(1, 1, 15, 10, "wilson"), (1, 2, 14, 7, "wilson")]


def test_order_follows_the_specs_then_keys_and_unknown_indicators_are_ignored() -> None:
    rows = [prop(1, 20252, 1, 5), prop(1, 20251, 1, 5, indicator="q"), prop(1, 20251, 2, 5), prop(1, 20251, 1, 5, indicator="zzz")]
    specs = {"q": IndicatorSpec("q", "proportion"), "p": P}
    cells = tabulate(rows, specs, by=("period",))
    assert [(c.indicator, c.period) for c in cells] == [("q", 20251), ("p", 20251), ("p", 20252)]
    assert cells[0].verdict is None and cells[0].target is None


def test_unknown_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown table dimension"):
        tabulate([prop(1, 20251, 1, 5)], {"p": P}, by=("clinic",))  # type: ignore[arg-type]


def test_sampled_means_use_the_scale_and_single_facility_t() -> None:
    rows = [mean_row(1, 20251, [5, 5, 4, 5]), mean_row(2, 20251, [2, 3, 2]), mean_row(3, 20251, [4, 4, 5, 3, 4], region=2)]
    cells = tabulate(rows, {"m": MS}, by=("region",))
    expected = clustered_mean_from_totals([(19.0, 4, 91.0), (7.0, 3, 17.0)], scale=(1.0, 5.0))
    assert (cells[0].estimate, cells[0].lower, cells[0].upper) == (expected.estimate, expected.lower, expected.upper)
    assert cells[0].x is None and cells[0].kind == "mean" and cells[0].lower >= 1.0 and cells[0].upper <= 5.0
    assert cells[0].method == "cluster_t" and cells[0].sd == pytest.approx(math.sqrt(sum((v - 26 / 7) ** 2 for v in [5, 5, 4, 5, 2, 3, 2]) / 6))
    assert cells[1].method == "t_single_facility" and cells[1].df is None and cells[1].n == 5


def test_sampled_means_are_never_narrower_than_simple_random_sampling() -> None:
    values = [[1, 5] * 10, [5, 1] * 10, [2, 4] * 10]  # identical facility means: no between-facility variance
    rows = [mean_row(f, 20251, v) for f, v in enumerate(values, start=1)]
    (cell,) = tabulate(rows, {"m": MS}, by=())
    everything = [y for v in values for y in v]
    s2 = sum((y - 3.0) ** 2 for y in everything) / 59
    half = 4.302652729911275 * math.sqrt(s2 / 60)  # t_{0.975, 2} s/sqrt(N)
    assert cell.lower == pytest.approx(3.0 - half) and cell.upper == pytest.approx(3.0 + half) and cell.df == 2


def test_monitored_means_use_the_sums_exactly() -> None:
    rows = [mean_row(1, 20251, [5, 5, 4, 5]), mean_row(2, 20251, [2, 3, 2]), mean_row(3, 20251, [4]), mean_row(4, 20251, [3, 3], region=2)]
    (cell,) = tabulate(rows, {"m": M}, by=())
    expected = stratified_mean_from_totals([(19.0, 4, 91.0), (7.0, 3, 17.0), (4.0, 1, 16.0), (6.0, 2, 18.0)], 0.95, (1.0, 5.0))
    assert (cell.estimate, cell.lower, cell.upper, cell.df) == (expected.estimate, expected.lower, expected.upper, 6)
    assert cell.method == "facility_strata_t_adjust"


def test_a_mean_without_variation_is_flagged_and_never_clearly_meets() -> None:
    rows = [mean_row(1, 20251, [5, 5, 5, 5]), mean_row(2, 20251, [5, 5, 5])]
    (cell,) = tabulate(rows, {"m": M}, by=())
    assert cell.lower == cell.upper == 5.0 and "no_variation" in cell.flags
    assert cell.verdict == MEETS and not cell.clear


# -- change ------------------------------------------------------------------------------


def test_monitored_change_compares_the_periods_as_independent_stratified_samples() -> None:
    rows = [prop(1, 20244, 5, 10), prop(2, 20244, 6, 10), prop(3, 20244, 2, 8), prop(1, 20251, 9, 10), prop(2, 20251, 8, 10), prop(3, 20251, 6, 9)]
    cells = tabulate(rows, {"p": P}, by=("period",))
    assert [c.period_label for c in cells] == ["2024Q4", "2025Q1"]  # across the year boundary
    assert cells[0].change is None
    change = cells[1].change
    assert change is not None
    expected = stratified_difference([(5, 10), (6, 10), (2, 8)], [(9, 10), (8, 10), (6, 9)])
    assert change.method == "mover_kg_nchs" and change.previous_period == 20244
    assert (change.estimate, change.lower, change.upper, change.p_value) == (expected.estimate, expected.lower, expected.upper, expected.p_value)
    assert change.previous_n == 28 and change.previous_estimate == pytest.approx(13 / 28)
    assert change.direction == "better"
    assert change.p_adjusted == expected.p_value  # one test in the table: BH changes nothing


@pytest.mark.parametrize("spec", [P, PS])
def test_one_method_for_changes_whatever_the_facilities_shared(spec: IndicatorSpec) -> None:
    shared = [prop(1, 20251, 5, 10), prop(2, 20251, 6, 10), prop(1, 20252, 9, 10), prop(2, 20252, 8, 10)]
    apart = [prop(1, 20251, 5, 10), prop(2, 20251, 6, 10), prop(3, 20252, 9, 10), prop(4, 20252, 8, 10)]
    single = [prop(1, 20251, 5, 10), prop(1, 20252, 9, 10)]
    changes = [tabulate(rows, {"p": spec}, by=("period",))[1].change for rows in (shared, apart, single)]
    assert all(c is not None and c.method == "mover_kg_nchs" for c in changes)
    assert changes[0] == replace(changes[1], previous_period=changes[0].previous_period)  # type: ignore[arg-type]
    one, two = changes[0], changes[2]
    assert one is not None and two is not None and one.estimate == pytest.approx(0.3) and two.estimate == pytest.approx(0.4)


def test_sampled_change_uses_each_period_s_cluster_figures() -> None:
    rows = [prop(1, 20251, 5, 10), prop(2, 20251, 6, 10), prop(3, 20251, 1, 4), prop(1, 20252, 9, 10), prop(2, 20252, 8, 10)]
    change = tabulate(rows, {"p": PS}, by=("period",))[1].change
    before = region_clustered_proportion({1: [(5, 10), (6, 10), (1, 4)]})
    after = region_clustered_proportion({1: [(9, 10), (8, 10)]})
    expected = difference_of(before, after, 0.95, "proportion")
    assert change is not None and (change.estimate, change.lower, change.upper, change.p_value) == (
        expected.estimate, expected.lower, expected.upper, expected.p_value)
    assert expected.df == 2 + 1


def test_a_fall_from_87_to_15_percent_in_three_monitored_clinics_is_clear() -> None:
    rows = [prop(1, 20251, 6, 8), prop(2, 20251, 8, 8), prop(3, 20251, 7, 8),
            prop(1, 20252, 1, 13), prop(2, 20252, 3, 13), prop(3, 20252, 2, 14)]  # fmt: skip
    monitored = tabulate(rows, {"p": P}, by=("region", "period"))[1]
    assert monitored.change is not None and monitored.change.clear and monitored.change.direction == "worse"
    assert monitored.change.upper < -0.4 and monitored.df == 37


def test_p_values_are_adjusted_within_each_indicator_and_clear_follows_the_adjusted_value() -> None:
    rows = []
    for region, (before, after) in enumerate([(2, 9), (5, 6), (4, 7), (1, 10)], start=1):
        rows += [prop(region, 20251, before, 10, region), prop(region, 20252, after, 10, region)]
        rows += [prop(region, 20251, 5, 10, region, "q"), prop(region, 20252, 6, 10, region, "q")]
    cells = tabulate(rows, {"p": P, "q": IndicatorSpec("q", "proportion")}, by=("region", "period"))
    for indicator in ("p", "q"):
        changes = [c.change for c in cells if c.change is not None and c.indicator == indicator]
        assert len(changes) == 4
        raw = [c.p_value for c in changes]
        assert [c.p_adjusted for c in changes] == benjamini_hochberg(raw)  # type: ignore[arg-type]
        assert [c.clear for c in changes] == [q <= 0.05 and (c.lower > 0 or c.upper < 0) for c, q in zip(changes, benjamini_hochberg(raw), strict=True)]  # type: ignore[arg-type]
    assert any(c.change is not None and c.change.clear for c in cells)


def test_only_periods_in_range_are_shown_but_the_one_before_feeds_the_change() -> None:
    rows = [prop(1, 20244, 5, 10), prop(1, 20251, 9, 10), prop(1, 20252, 7, 10)]
    cells = tabulate(rows, {"p": P}, by=("period",), periods=(20251, 20251))
    assert [c.period for c in cells] == [20251]
    assert cells[0].change is not None and cells[0].change.previous_period == 20244
    assert tabulate(rows, {"p": P}, by=("period",), periods=(20251, 20251), change=False)[0].change is None


def test_month_and_year_grains_step_back_across_the_year() -> None:
    rows = [prop(1, 202412, 5, 10), prop(1, 202501, 9, 10)]
    cells = tabulate(rows, {"p": P}, by=("period",), grain="month")
    assert [c.period_label for c in cells] == ["2024-12", "2025-01"]
    assert cells[1].change is not None and cells[1].change.previous_period == 202412
    years = tabulate([prop(1, 2024, 5, 10), prop(1, 2025, 9, 10)], {"p": P}, by=("period",), grain="year")
    assert years[1].change is not None and years[1].period_label == "2025"


def test_mean_change_is_the_floored_t_difference() -> None:
    rows = [
        mean_row(1, 20251, [3, 3, 4]), mean_row(2, 20251, [2, 2]), mean_row(3, 20251, [4, 5]),
        mean_row(1, 20252, [4, 5, 4]), mean_row(2, 20252, [3, 3, 4]), mean_row(3, 20252, [5, 5]),
    ]  # fmt: skip
    change = tabulate(rows, {"m": M}, by=("period",))[1].change
    assert change is not None and change.method == "t_floor" and change.direction == "better"
    assert change.estimate == pytest.approx(33 / 8 - 23 / 7)
    assert change.lower < change.estimate < change.upper


def test_counts_that_are_not_whole_are_refused() -> None:
    with pytest.raises(ValueError, match="whole number"):
        tabulate([FacilityTotals("p", 1, 1, 20251, 2.5, 5.0, 2.5, 5)], {"p": P})


# -- specs -------------------------------------------------------------------------------


def test_indicator_spec_turns_percentage_targets_into_fractions_and_reads_the_scale() -> None:
    questionnaire = load_questionnaire(SURVEYS / "clinic_exit.json")
    specs = {i.id: indicator_spec(questionnaire, i) for i in questionnaire.indicators}
    assert specs["hiv_test_offered"] == IndicatorSpec("hiv_test_offered", "proportion", 0.9, "higher")
    assert specs["overall_rating"] == IndicatorSpec("overall_rating", "mean", 4, "higher", (1.0, 5.0))
    assert specs["waiting_time"].scale == (0.0, 600.0)
    mini = load_questionnaire(FIXTURES / "mini.json")
    assert indicator_spec(mini, mini.indicators[1]).target is None
    assert math.isclose(indicator_spec(mini, mini.indicators[0]).target or 0, 0.9)


def test_a_facility_without_respondents_does_not_turn_one_facility_into_a_design() -> None:
    rows = [prop(1, 20251, 7, 25), FacilityTotals("p", 1, 2, 20251, 0.0, 0.0, 0.0, 3)]
    (cell,) = tabulate(rows, {"p": P}, by=())
    assert cell.method == "wilson" and (cell.lower, cell.upper) == (proportion_interval(7, 25).lower, proportion_interval(7, 25).upper)
