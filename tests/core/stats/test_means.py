"""Clustered means from raw values and from per-facility sums."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cml.core.stats import clustered_mean, clustered_mean_from_totals

LIKERT = [[4, 5, 3, 4], [2, 3, 2], [5, 5, 4, 5, 4], [3, 4, 3]]


def totals(groups: list[list[int]]) -> list[tuple[float, int, float]]:
    return [(float(sum(g)), len(g), float(sum(y * y for y in g))) for g in groups]


def test_raw_values_delegate_to_totals() -> None:
    assert clustered_mean(LIKERT) == clustered_mean_from_totals(totals(LIKERT))


def test_one_facility_is_the_ordinary_t_interval() -> None:
    values = [4, 5, 3, 4, 2]
    result = clustered_mean([values])
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    half = stats.t.ppf(0.975, len(values) - 1) * sd / math.sqrt(len(values))
    assert (result.method, result.df, result.clusters) == ("t_single_facility", 4, 1)
    assert result.lower == pytest.approx(mean - half, abs=1e-12)
    assert result.upper == pytest.approx(mean + half, abs=1e-12)


def test_single_response_spans_the_scale() -> None:
    result = clustered_mean([[4]], scale=(1, 5))
    assert (result.estimate, result.lower, result.upper, result.method) == (4.0, 1.0, 5.0, "single_response")
    unbounded = clustered_mean([[], [4]])
    assert (unbounded.lower, unbounded.upper) == (-math.inf, math.inf)


def test_scale_clips_the_limits() -> None:
    counts = [[0, 1, 0, 2], [3, 5, 2], [0, 0, 0, 1, 0], [1, 2, 1], [6, 4, 8]]
    unclipped = clustered_mean(counts)
    assert unclipped.lower < 0
    clipped = clustered_mean(counts, scale=(0, 100))
    assert (clipped.lower, clipped.upper) == (0.0, unclipped.upper)


def test_identical_facility_means_do_not_give_a_zero_width_interval() -> None:
    result = clustered_mean([[4, 5], [5, 4], [3, 5, 5, 5]], scale=(1, 5))
    assert result.method == "t_srs_zero_variance"
    assert result.design_effect == pytest.approx(0.0, abs=1e-12)
    assert result.lower < 4.5 < result.upper


def test_empty_facilities_are_ignored() -> None:
    assert clustered_mean([*LIKERT, []]) == clustered_mean(LIKERT)


@pytest.mark.parametrize(
    ("triples", "scale", "message"),
    [
        ([], None, "no values"),
        ([(3.0, 0, 0.0), (0.0, 0, 0.0)], None, "non-zero sums"),
        ([(10.0, 2, 20.0)], None, "sum of squares"),
        ([(10.0, 2, 52.0)], (1.0, 4.0), "outside the scale"),
        ([(10.0, 2, 52.0)], (5.0, 1.0), "scale"),
        ([(float("nan"), 2, 52.0)], None, "finite"),
        ([(10.0, -2, 52.0)], None, "negative"),
    ],
)
def test_invalid_totals_raise(triples: list[tuple[float, int, float]], scale: tuple[float, float] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clustered_mean_from_totals(triples, scale=scale)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=1, max_value=5), min_size=0, max_size=12), min_size=1, max_size=10).filter(
        lambda groups: any(groups)
    ),
    st.floats(min_value=0.5, max_value=0.999),
)
def test_mean_interval_stays_on_the_scale(groups: list[list[int]], level: float) -> None:
    result = clustered_mean(groups, level, scale=(1, 5))
    assert 1.0 <= result.lower <= result.estimate <= result.upper <= 5.0
    assert result.n == sum(len(g) for g in groups)
    assert result.estimate == pytest.approx(statistics.fmean([y for g in groups for y in g]))
