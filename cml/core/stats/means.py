"""A mean of a numeric item (a 1-5 rating, a count of incidents) pooled over facilities.

The database keeps per-facility sums, so the work is done on (sum_y, n, sum_y^2) triples;
`clustered_mean` on raw values only turns them into such triples.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._common import check_level, clamp, clean_totals, t_value

Scale = tuple[float, float]


@dataclass(frozen=True)
class ClusteredMean:
    """Pooled mean over facilities with its t interval.

    `method` is "t_linearised" (two or more facilities, df = k - 1), "t_srs_zero_variance"
    (two or more facilities with identical means: the simple-random-sample variance
    s^2/N is used instead of a zero one, df = k - 1), "t_single_facility" (one facility,
    ordinary t interval, df = n - 1) or "single_response" (one value in all: the
    interval is the whole `scale`, or infinite without one). When every value is the
    same (s = 0) the interval has zero width.
    `design_effect` = v/(s^2/N) with s^2 the pooled SD^2 (N - 1 divisor); None when
    undefined. `effective_n` = N/design_effect, or N when the variance is zero.
    """

    estimate: float
    lower: float
    upper: float
    se: float
    design_effect: float | None
    effective_n: float
    df: int
    n: int
    clusters: int
    method: str
    level: float


def _check_scale(scale: Scale | None) -> None:
    if scale is not None and not (math.isfinite(scale[0]) and math.isfinite(scale[1]) and scale[0] < scale[1]):
        raise ValueError(f"scale must be a (low, high) pair of finite numbers with low < high, got {scale!r}")


def clustered_mean_from_totals(
    totals: Iterable[tuple[float, int, float]],
    level: float = 0.95,
    scale: Scale | None = None,
    population_clusters: int | None = None,
) -> ClusteredMean:
    """Mean over facilities from per-facility (T_i = sum of y, m_i = count, Q_i = sum of y^2).

    Estimate: ratio mean ybar = sum T_i / N, N = sum m_i (facilities with m_i = 0 ignored).
    Variance (k >= 2): z_i = (T_i - ybar m_i)/N, v = k/(k-1) sum (z_i - mean z)^2, times
    (M-k)/M with `population_clusters` M; interval ybar -/+ t_{1-alpha/2, k-1} sqrt(v).
    One facility: ordinary t interval ybar -/+ t_{1-alpha/2, N-1} s/sqrt(N), with
    s^2 = (Q - N ybar^2)/(N - 1). Identical facility means (v = 0, s > 0): v := s^2/N. Design effect v/(s^2/N) with the pooled s^2.
    Limits are clipped to `scale` = (low, high) when given.
    Source: Woodruff (1971) JASA 66:411; Wolter (2007) Introduction to Variance
    Estimation, ch. 6; R survey svymean with ids = ~clinic and confint(df = degf).
    """
    level = check_level(level)
    _check_scale(scale)
    triples = clean_totals(totals)
    k = len(triples)
    n_total = sum(n for _, n, _ in triples)
    if n_total == 0:
        raise ValueError("no values in any facility: a mean needs n > 0")
    total = sum(t for t, _, _ in triples)
    mean = total / n_total
    if scale is not None:
        tolerance = 1e-9 * (scale[1] - scale[0])
        if not (scale[0] - tolerance <= mean <= scale[1] + tolerance):
            raise ValueError(f"the mean {mean} lies outside the scale {scale!r}")
        mean = clamp(mean, scale[0], scale[1])
    sum_sq = sum(q for _, _, q in triples)
    s2 = max(0.0, (sum_sq - n_total * mean * mean) / (n_total - 1)) if n_total > 1 else math.nan
    if k >= 2:
        zs = [(t - mean * n) / n_total for t, n, _ in triples]
        z_bar = sum(zs) / k
        v = k / (k - 1) * sum((z - z_bar) ** 2 for z in zs)
        if population_clusters is not None:
            if population_clusters < k:
                raise ValueError(f"population_clusters ({population_clusters}) is smaller than the {k} facilities")
            v *= (population_clusters - k) / population_clusters
        df, method = k - 1, "t_linearised"
        design_v = v
        if s2 > 0.0 and v <= 1e-12 * s2 / n_total and population_clusters is None:
            # Identical facility means (up to rounding): do not claim a zero-width interval.
            v, method = s2 / n_total, "t_srs_zero_variance"
    elif n_total > 1:
        v = design_v = s2 / n_total
        df, method = n_total - 1, "t_single_facility"
    else:
        low, high = scale if scale is not None else (-math.inf, math.inf)
        return ClusteredMean(
            estimate=mean, lower=low, upper=high, se=math.inf, design_effect=None, effective_n=1.0,
            df=0, n=1, clusters=k, method="single_response", level=level,
        )  # fmt: skip
    se = math.sqrt(v)
    half = t_value(level, df) * se
    lower, upper = mean - half, mean + half
    if scale is not None:
        lower, upper = clamp(lower, scale[0], mean), clamp(upper, mean, scale[1])
    design_effect = design_v / (s2 / n_total) if s2 > 0.0 else None
    effective_n = n_total / design_effect if design_effect else float(n_total)
    return ClusteredMean(
        estimate=mean, lower=lower, upper=upper, se=se, design_effect=design_effect,
        effective_n=effective_n, df=df, n=n_total, clusters=k, method=method, level=level,
    )  # fmt: skip


def clustered_mean(
    groups: Iterable[Sequence[float]],
    level: float = 0.95,
    scale: Scale | None = None,
    population_clusters: int | None = None,
) -> ClusteredMean:
    """Mean over facilities from the raw values of each facility (one list per facility).

    Reduces each facility to (sum y, count, sum y^2) and calls `clustered_mean_from_totals`;
    see there for the formulas and sources. Empty facilities are ignored.
    """
    totals: list[tuple[float, int, float]] = []
    for index, values in enumerate(groups):
        floats = [float(y) for y in values]
        if not all(math.isfinite(y) for y in floats):
            raise ValueError(f"facility {index}: values must be finite numbers")
        totals.append((math.fsum(floats), len(floats), math.fsum(y * y for y in floats)))
    return clustered_mean_from_totals(totals, level, scale, population_clusters)
