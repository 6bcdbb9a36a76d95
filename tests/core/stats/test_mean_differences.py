"""Change in a mean between periods: design-based paired, Welch for independent samples."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from cml.core.stats import clustered_mean, independent_mean_difference, paired_mean_difference


def totals(values: list[float]) -> tuple[float, int, float]:
    return (math.fsum(values), len(values), math.fsum(v * v for v in values))


FIRST = [[4, 5, 4], [3, 3, 4], [5, 5], [2, 3, 3, 2]]
SECOND = [[3, 3, 4], [2, 2], [4, 5], [2, 2, 3]]


def test_paired_difference_matches_the_linearisation_by_hand() -> None:
    rows = [(totals(a), totals(b)) for a, b in zip(FIRST, SECOND, strict=True)]
    result = paired_mean_difference(rows)
    assert result is not None and result.method == "design_based_paired" and result.clusters == 4
    m1, n1 = sum(map(sum, FIRST)), sum(map(len, FIRST))
    m2, n2 = sum(map(sum, SECOND)), sum(map(len, SECOND))
    y1, y2 = m1 / n1, m2 / n2
    z = [(sum(a) - y1 * len(a)) / n1 - (sum(b) - y2 * len(b)) / n2 for a, b in zip(FIRST, SECOND, strict=True)]
    v = 4 / 3 * sum((zi - sum(z) / 4) ** 2 for zi in z)
    half = stats.t.ppf(0.975, 3) * math.sqrt(v)
    assert result.estimate == pytest.approx(y1 - y2)
    assert (result.lower, result.upper) == (pytest.approx(y1 - y2 - half), pytest.approx(y1 - y2 + half))
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(y1 - y2) / math.sqrt(v), 3))


def test_independent_difference_is_welch_on_the_clustered_means() -> None:
    first, second = clustered_mean(FIRST), clustered_mean(SECOND)
    result = independent_mean_difference(first, second)
    assert result is not None and result.method == "welch_independent"
    v1, v2 = first.se**2, second.se**2
    df = (v1 + v2) ** 2 / (v1**2 / first.df + v2**2 / second.df)
    assert result.df == pytest.approx(df)
    assert result.upper - result.estimate == pytest.approx(stats.t.ppf(0.975, df) * math.sqrt(v1 + v2))


def test_one_facility_falls_back_to_welch_and_a_single_value_gives_nothing() -> None:
    result = paired_mean_difference([(totals([4, 5, 5]), totals([2, 3]))], scale=(1, 5))
    assert result is not None and result.method == "welch_independent"
    assert -4 <= result.lower <= result.estimate <= result.upper <= 4
    assert paired_mean_difference([(totals([4]), totals([2, 3]))]) is None
    assert paired_mean_difference([(totals([4, 4]), (0.0, 0, 0.0))]) is None


def test_identical_values_give_a_point_interval() -> None:
    result = paired_mean_difference([(totals([4, 4]), totals([4, 4])), (totals([4]), totals([4, 4, 4]))])
    assert result is not None and (result.lower, result.upper, result.p_value) == (0.0, 0.0, 1.0)
