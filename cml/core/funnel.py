"""Funnel-plot control limits: how far a facility may sit from the common figure by chance.

Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Stat Med
24:1185-1202. For a proportion p0 and a facility with n respondents, the limits are the
binomial quantiles Binom(n, p0) at (1 - level)/2 and (1 + level)/2, divided by n,
interpolated between integers as Spiegelhalter's appendix does, so the funnel is smooth.
For a mean, the normal limits mean0 +/- z * sd / sqrt(n).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FunnelLimits:
    n: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    level: float


def _binomial_limit(p0: float, n: float, quantile: float) -> float:
    """Spiegelhalter's interpolated binomial limit for a proportion at sample size n."""
    # Imported on first use: scipy adds ~70 MB to every process that loads this module (a raw export never needs it).
    from scipy.stats import binom  # type: ignore[import-untyped, unused-ignore]

    whole = max(int(round(n)), 1)
    r = float(binom.ppf(quantile, whole, p0))
    below = float(binom.cdf(r, whole, p0)) - quantile
    at = float(binom.pmf(r, whole, p0))
    alpha = below / at if at > 0 else 0.0
    return min(max((r - alpha) / whole, 0.0), 1.0)


def proportion_limits(p0: float, sizes: Sequence[float], level: float) -> FunnelLimits:
    """Limits around the common proportion `p0` for each sample size in `sizes`."""
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    low_q, high_q = (1 - level) / 2, (1 + level) / 2
    lower = tuple(_binomial_limit(p0, n, low_q) for n in sizes)
    upper = tuple(_binomial_limit(p0, n, high_q) for n in sizes)
    return FunnelLimits(tuple(float(n) for n in sizes), lower, upper, level)


def mean_limits(mean0: float, sd: float, sizes: Sequence[float], level: float, scale: tuple[float, float] | None = None) -> FunnelLimits:
    """Normal limits mean0 +/- z sd / sqrt(n), clipped to the scale when one is given."""
    # Imported on first use, as in _binomial_limit.
    from scipy.stats import norm  # type: ignore[import-untyped, unused-ignore]

    z = float(norm.ppf((1 + level) / 2))
    low, high = scale if scale else (-math.inf, math.inf)
    lower = tuple(max(mean0 - z * sd / math.sqrt(n), low) for n in sizes)
    upper = tuple(min(mean0 + z * sd / math.sqrt(n), high) for n in sizes)
    return FunnelLimits(tuple(float(n) for n in sizes), lower, upper, level)


def size_grid(largest: float, points: int = 60) -> tuple[float, ...]:
    """Sample sizes from 1 to `largest`, denser where the funnel bends (small n)."""
    largest = max(largest, 2.0)
    return tuple(sorted({round(math.exp(math.log(largest) * i / (points - 1)), 3) for i in range(points)}))


def outside_proportion_limits(p0: float, n: int, estimate: float, level: float) -> bool:
    """Whether a unit with n respondents lies outside the limits at its own n."""
    limits = proportion_limits(p0, [n], level)
    return estimate < limits.lower[0] - 1e-12 or estimate > limits.upper[0] + 1e-12


def outside_mean_limits(mean0: float, sd: float, n: int, estimate: float, level: float) -> bool:
    limits = mean_limits(mean0, sd, [n], level)
    return estimate < limits.lower[0] - 1e-12 or estimate > limits.upper[0] + 1e-12
