"""Funnel-plot control limits (Spiegelhalter 2005): values, shape, and which units fall outside."""

from __future__ import annotations

import math
import random

import pytest
from scipy.stats import binom, norm

from cml.core.funnel import mean_limits, outside_mean_limits, outside_proportion_limits, proportion_limits, size_grid


def spiegelhalter_limit(p0: float, n: float, quantile: float) -> float:
    """The appendix's interpolated binomial limit, one size at a time with scalar SciPy calls,
    exact at the ends (100% when the upper quantile is n, 0% when the lower one is 0)."""
    whole = max(int(round(n)), 1)
    r = float(binom.ppf(quantile, whole, p0))
    if quantile > 0.5 and r >= whole:
        return 1.0
    if quantile < 0.5 and r <= 0:
        return 0.0
    at = float(binom.pmf(r, whole, p0))
    alpha = (float(binom.cdf(r, whole, p0)) - quantile) / at if at > 0 else 0.0
    return min(max((r - alpha) / whole, 0.0), 1.0)


@pytest.mark.parametrize("p0", [0.0, 1e-6, 0.07, 0.5, 0.83, 1 - 1e-6, 1.0])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_proportion_limits_equal_the_scalar_formula_at_every_size(p0: float, level: float) -> None:
    sizes = [*size_grid(3000), 0.2, 1.4, 2.5, 3.5]
    limits = proportion_limits(p0, sizes, level)
    assert limits.lower == tuple(spiegelhalter_limit(p0, n, (1 - level) / 2) for n in sizes)
    assert limits.upper == tuple(spiegelhalter_limit(p0, n, (1 + level) / 2) for n in sizes)
    assert limits.n == tuple(float(n) for n in sizes)


def test_proportion_limits_bracket_the_centre_narrow_with_n_and_approach_the_normal_limits() -> None:
    p0, sizes = 0.62, size_grid(20000, 40)
    limits = proportion_limits(p0, sizes, 0.95)
    for low, high in zip(limits.lower, limits.upper, strict=True):
        assert 0.0 <= low <= p0 <= high <= 1.0
    widths = [h - lo for lo, h in zip(limits.lower, limits.upper, strict=True)]
    assert all(later <= earlier + 1e-9 for earlier, later in zip(widths[5:], widths[6:], strict=False))
    n = limits.n[-1]
    half = norm.ppf(0.975) * math.sqrt(p0 * (1 - p0) / n)
    assert limits.upper[-1] == pytest.approx(p0 + half, abs=2e-4)
    assert limits.lower[-1] == pytest.approx(p0 - half, abs=2e-4)


def test_all_or_none_is_inside_the_limits_when_chance_explains_it() -> None:
    assert outside_proportion_limits(0.896, [(11, 1.0)], 0.95) == [False]  # P(11 of 11) = 0.30
    assert proportion_limits(0.896, [11], 0.95).upper == (1.0,)
    assert outside_proportion_limits(0.104, [(11, 0.0)], 0.95) == [False]
    assert proportion_limits(0.104, [11], 0.95).lower == (0.0,)
    assert outside_proportion_limits(0.6, [(20, 1.0)], 0.95) == [True]  # P(20 of 20) = 0.00004


def test_a_level_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError):
        proportion_limits(0.5, [10], 1.0)


def test_units_outside_the_proportion_limits_at_their_own_n() -> None:
    p0 = 0.8
    (low,), (high,) = proportion_limits(p0, [50], 0.95).lower, proportion_limits(p0, [50], 0.95).upper
    units = [(50, p0), (50, low), (50, high), (50, low - 0.01), (50, high + 0.01), (400, 0.7), (10, 0.7)]
    assert outside_proportion_limits(p0, units, 0.95) == [False, False, False, True, True, True, False]
    assert outside_proportion_limits(p0, [], 0.95) == []


def test_outside_is_decided_per_unit_as_if_each_were_asked_alone() -> None:
    rng = random.Random(7)
    units = [(rng.randint(1, 500), rng.random()) for _ in range(200)]
    together = outside_proportion_limits(0.4, units, 0.95)
    alone = [outside_proportion_limits(0.4, [unit], 0.95)[0] for unit in units]
    assert together == alone
    assert 0 < sum(together) < len(units)


def test_mean_limits_are_normal_and_clipped_to_the_scale() -> None:
    limits = mean_limits(4.0, 1.5, [1, 9, 100], 0.95)
    z = norm.ppf(0.975)
    assert limits.upper == pytest.approx((4 + z * 1.5, 4 + z * 0.5, 4 + z * 0.15))
    assert limits.lower == pytest.approx((4 - z * 1.5, 4 - z * 0.5, 4 - z * 0.15))
    clipped = mean_limits(4.0, 1.5, [1], 0.95, scale=(1, 5))
    assert (clipped.lower[0], clipped.upper[0]) == (4 - z * 1.5, 5)
    assert outside_mean_limits(4.0, 1.5, [(9, 4.0), (9, 5.2), (9, 2.9), (1, 2.9)], 0.95) == [False, True, True, False]
