"""Differences between two proportions: independent, clustered and paired."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cml.core.stats import (
    clustered_difference,
    clustered_proportion,
    difference_interval,
    paired_clustered_difference,
)


@st.composite
def xn(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=500))
    return draw(st.integers(min_value=0, max_value=n)), n


def test_p_value_is_the_pooled_z_test() -> None:
    result = difference_interval(12, 40, 5, 38)
    chi2, p_value, _, _ = stats.chi2_contingency([[12, 28], [5, 33]], correction=False)
    assert result.test == "pooled_z"
    assert result.p_value == pytest.approx(p_value, rel=1e-10)


def test_no_variation_gives_p_value_one() -> None:
    assert difference_interval(0, 10, 0, 20).p_value == 1.0
    assert difference_interval(10, 10, 20, 20).p_value == 1.0


@pytest.mark.parametrize(("args", "message"), [((1, 0, 1, 2), "positive"), ((3, 2, 1, 2), "exceed")])
def test_invalid_difference_input(args: tuple[int, int, int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        difference_interval(*args)


@settings(max_examples=150, deadline=None)
@given(xn(), xn(), st.floats(min_value=0.5, max_value=0.999))
def test_newcombe_interval_is_valid(first: tuple[int, int], second: tuple[int, int], level: float) -> None:
    result = difference_interval(*first, *second, level)
    assert -1.0 <= result.lower <= result.estimate <= result.upper <= 1.0
    assert 0.0 <= result.p_value <= 1.0


def test_clustered_difference_with_single_facility_periods_uses_wilson() -> None:
    result = clustered_difference([(3, 10)], [(1, 12), (0, 0)])
    assert result.first.method == result.second.method == "wilson"
    plain = difference_interval(3, 10, 1, 12)
    assert (result.lower, result.upper) == pytest.approx((plain.lower, plain.upper), abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8),
)
def test_clustered_difference_is_valid(raw_1: list[tuple[int, int]], raw_2: list[tuple[int, int]]) -> None:
    clusters_1 = [(min(a, b), max(a, b) + 1) for a, b in raw_1]
    clusters_2 = [(min(a, b), max(a, b) + 1) for a, b in raw_2]
    result = clustered_difference(clusters_1, clusters_2)
    assert -1.0 <= result.lower <= result.estimate <= result.upper <= 1.0
    assert result.first == clustered_proportion(clusters_1, method="wilson_kg_neff")


def test_paired_falls_back_with_one_facility() -> None:
    result = paired_clustered_difference([(3, 10, 1, 12)])
    plain = difference_interval(3, 10, 1, 12)
    assert (result.method, result.t_stat, result.df) == ("newcombe_hybrid_score", None, 0)
    assert (result.lower, result.upper, result.p_value) == (plain.lower, plain.upper, plain.p_value)


def test_paired_falls_back_with_zero_variance() -> None:
    # Every clinic has the same pattern: the linearised difference has no variation.
    result = paired_clustered_difference([(2, 10, 1, 10)] * 4)
    assert result.method == "newcombe_hybrid_score"
    assert result.lower < result.estimate < result.upper


def test_paired_ignores_facilities_empty_in_both_periods() -> None:
    rows = [(3, 10, 1, 12), (5, 12, 2, 10), (2, 8, 2, 9)]
    assert paired_clustered_difference([*rows, (0, 0, 0, 0)]) == paired_clustered_difference(rows)


def test_paired_needs_respondents_in_both_periods() -> None:
    with pytest.raises(ValueError, match="each period"):
        paired_clustered_difference([(3, 10, 0, 0), (2, 5, 0, 0)])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=8),
    st.floats(min_value=0.5, max_value=0.999),
)
def test_paired_interval_is_valid(raw: list[tuple[int, int, int, int]], level: float) -> None:
    rows = [(min(a, b), max(a, b) + 1, min(c, d), max(c, d) + 1) for a, b, c, d in raw]
    result = paired_clustered_difference(rows, level)
    assert -1.0 <= result.lower <= result.estimate <= result.upper <= 1.0
    assert 0.0 <= result.p_value <= 1.0
    assert result.covariance == pytest.approx((result.var_1 + result.var_2 - result.se**2) / 2, abs=1e-12)
