"""Funnel-plot control limits: how far a facility may sit from the common figure by chance.

Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Stat Med
24:1185-1202. For a proportion p0 and a facility with n respondents, the limits are the
binomial quantiles Binom(n, p0) at (1 - level)/2 and (1 + level)/2, divided by n,
interpolated between integers as Spiegelhalter's appendix does, so the funnel is smooth,
except at the ends: when the upper quantile is n itself the upper limit is exactly 100%
(and when the lower quantile is 0 the lower limit is exactly 0%), since a facility where
all n said yes is then within the limits; the interpolation would put the limit just
below 100% and mark it (11 of 11 at an overall 89.6% is inside the 95% limits).
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


def _binomial_limits(p0: float, sizes: Sequence[float], quantile: float) -> tuple[float, ...]:
    """Spiegelhalter's interpolated binomial limit for a proportion at each sample size.

    One vectorised call per distribution function for every size: the same element-wise
    values as one call per size, without SciPy's per-call overhead (~1 ms each, and a
    funnel asks for a hundred sizes per band)."""
    # Imported on first use: scipy adds ~70 MB to every process that loads this module (a raw export never needs it).
    import numpy as np
    from scipy.stats import binom  # type: ignore[import-untyped, unused-ignore]

    whole = np.maximum(np.rint(np.asarray(sizes, dtype=float)), 1.0)
    r = binom.ppf(quantile, whole, p0)
    below = binom.cdf(r, whole, p0) - quantile
    at = binom.pmf(r, whole, p0)
    alpha = np.divide(below, at, out=np.zeros_like(below), where=at > 0)
    limits = np.clip((r - alpha) / whole, 0.0, 1.0)
    # Exact at the ends: all n (upper) or none (lower) inside the limits when the quantile is there.
    limits = np.where(r >= whole, 1.0, limits) if quantile > 0.5 else np.where(r <= 0, 0.0, limits)
    return tuple(float(v) for v in limits)


def proportion_limits(p0: float, sizes: Sequence[float], level: float) -> FunnelLimits:
    """Limits around the common proportion `p0` for each sample size in `sizes`."""
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    low_q, high_q = (1 - level) / 2, (1 + level) / 2
    lower = _binomial_limits(p0, sizes, low_q)
    upper = _binomial_limits(p0, sizes, high_q)
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


def outside_proportion_limits(p0: float, units: Sequence[tuple[int, float]], level: float) -> list[bool]:
    """For each unit (n respondents, estimate): whether it lies outside the limits at its own n."""
    limits = proportion_limits(p0, [n for n, _ in units], level)
    return _outside(units, limits)


def outside_mean_limits(mean0: float, sd: float, units: Sequence[tuple[int, float]], level: float) -> list[bool]:
    """For each unit (n respondents, mean): whether it lies outside the normal limits at its own n."""
    limits = mean_limits(mean0, sd, [n for n, _ in units], level)
    return _outside(units, limits)


def _outside(units: Sequence[tuple[int, float]], limits: FunnelLimits) -> list[bool]:
    # The tolerance keeps a unit sitting exactly on a limit (floating-point noise) inside.
    return [estimate < low - 1e-12 or estimate > high + 1e-12 for (_, estimate), low, high in zip(units, limits.lower, limits.upper, strict=True)]
