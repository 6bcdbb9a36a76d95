"""Stratified and region-clustered estimates beyond the reference file: the sums path, edges, input checks."""

from __future__ import annotations

import math
import random

import pytest

from cml.core.stats import (
    clustered_mean_from_totals,
    clustered_proportion,
    proportion_interval,
    region_clustered_mean,
    region_clustered_proportion,
    single_facility_proportion,
    stratified_difference,
    stratified_mean,
    stratified_mean_from_totals,
    stratified_proportion,
)


def totals(groups: list[list[int]]) -> list[tuple[float, int, float]]:
    return [(float(sum(g)), len(g), float(sum(y * y for y in g))) for g in groups]


@pytest.mark.parametrize("seed", range(25))
def test_mean_from_sums_equals_mean_from_values(seed: int) -> None:
    rng = random.Random(seed)
    groups = [[rng.randint(1, 5) for _ in range(rng.choice([1, 1, 2, 7, 30]))] for _ in range(rng.randint(1, 8))]
    from_values = stratified_mean(groups, 0.95, (1, 5))
    from_sums = stratified_mean_from_totals(totals(groups), 0.95, (1, 5))
    assert from_sums.method == from_values.method and from_sums.df == from_values.df
    for field in ("estimate", "lower", "upper", "variance", "variance_used", "sample_variance", "deff"):
        a, b = getattr(from_values, field), getattr(from_sums, field)
        assert (a is None and b is None) or a == pytest.approx(b, rel=1e-12, abs=1e-14), field


def test_facilities_whose_answers_are_all_the_same_have_exactly_no_within_variance() -> None:
    result = stratified_mean_from_totals(totals([[2, 2, 2], [4, 4, 4, 4]]), 0.95, (1, 5))
    assert result.variance == 0.0 and result.floor_active and result.lower is not None and result.lower < result.estimate
    flat = stratified_mean_from_totals(totals([[3, 3], [3, 3, 3]]), 0.95, (1, 5))
    assert flat.no_variation and flat.lower == flat.upper == 3.0


def test_three_monitored_facilities_at_about_half_give_about_13_points() -> None:
    result = stratified_proportion([(10, 20), (10, 20), (10, 20)])
    assert 0.12 <= (result.upper - result.lower) / 2 <= 0.14  # type: ignore[operator]
    cluster = clustered_proportion([(10, 20), (10, 20), (10, 20)])
    assert cluster.upper - cluster.lower > 0.5  # facilities - 1 = 2 df, identical clinics: n* = N r2


def test_a_fall_from_87_to_15_percent_is_clear() -> None:
    change = stratified_difference([(7, 8), (7, 8), (7, 8)], [(2, 13), (2, 13), (2, 14)])
    assert change.estimate < -0.7 and change.upper is not None and change.upper < 0.0
    assert change.p_value is not None and change.p_value < 0.001


def test_region_mean_of_one_region_is_the_cluster_mean_with_its_floor() -> None:
    sums = totals([[1, 2, 2, 3], [4, 5, 5, 4, 4], [2, 3, 1]])
    one = region_clustered_mean({1: sums}, 0.95, (1, 5))
    today = clustered_mean_from_totals(sums, 0.95, (1, 5))
    assert one.df == today.df == 2 and one.estimate == pytest.approx(today.estimate)
    assert one.variance == pytest.approx(today.se**2) and not one.floor_active
    assert (one.lower, one.upper) == (pytest.approx(today.lower), pytest.approx(today.upper))


def test_region_mean_is_never_narrower_than_simple_random_sampling() -> None:
    sums = totals([[1, 5, 1, 5], [5, 1, 5, 1], [1, 5, 5, 1]])  # identical facility means: v = 0
    result = region_clustered_mean({1: sums[:2], 2: sums[2:]}, 0.95, (1, 5))
    assert result.variance == pytest.approx(0.0, abs=1e-15) and result.floor_active
    assert result.variance_used == pytest.approx(result.sample_variance / 12)  # type: ignore[operator]
    assert result.df == 1 and result.method == "strata_lonely_adjust"


def test_one_facility_is_wilson_with_its_clients_variance_for_tests() -> None:
    one = single_facility_proportion(7, 25)
    wilson = proportion_interval(7, 25)
    assert (one.lower, one.upper, one.method) == (wilson.lower, wilson.upper, "single_facility_wilson")
    assert one.df == 24 and one.variance == pytest.approx(0.28 * 0.72 / 24)
    assert single_facility_proportion(1, 1).method == "single_client_wilson"
    with pytest.raises(ValueError):
        single_facility_proportion(0, 0)


def test_region_figures_with_one_facility_fall_back() -> None:
    single = region_clustered_proportion({"A": [(3, 10)], "B": []})
    assert single.method == "single_facility_wilson" and single.units == 1
    mean = region_clustered_mean({1: totals([[2, 3, 4]])}, 0.95, (1, 5))
    assert mean.method == "single_facility_t" and mean.df == 2
    lone = region_clustered_mean({1: totals([[4]])}, 0.95, (1, 5))
    assert lone.lower is None and lone.method == "single_response_not_estimable"


def test_a_mean_difference_without_an_interval_in_one_period_has_none() -> None:
    change = stratified_difference([[4]], [[2, 3], [4, 5]], measure="mean", scale=(1, 5))
    assert change.lower is None and change.upper is None and change.estimate == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda: stratified_proportion([]),
        lambda: stratified_proportion([(3, 2)]),
        lambda: stratified_proportion([(1, 2)], level=1.5),
        lambda: stratified_mean([[]]),
        lambda: stratified_mean([[7, 8]], scale=(1, 5)),
        lambda: stratified_mean([[math.nan]]),
        lambda: stratified_mean_from_totals([(10.0, 2, 1.0)]),
        lambda: stratified_difference([(1, 2)], [(1, 2)], measure="median"),  # type: ignore[arg-type]
        lambda: region_clustered_proportion({}),
    ],
)
def test_bad_input_is_a_value_error(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_a_collapsed_period_adds_no_degrees_of_freedom_to_a_difference() -> None:
    change = stratified_difference([(1, 1), (0, 1), (1, 1)], [(3, 10), (5, 12)])
    assert change.first.method == "collapsed_df0" and change.first.df == 2 and change.first.df_design == 0
    assert change.df == 20  # (3 - 3) + (22 - 2), R degf of the combined design
    both = stratified_difference([(1, 1), (0, 1), (1, 1)], [(0, 1), (1, 1)])
    assert both.df == 2 + 1  # nothing left of the design: each period's collapsed df
