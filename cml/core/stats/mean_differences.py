"""Change in a mean (a rating, a waiting time) between two periods: mean1 - mean2.

Works on per-facility totals (T_i = sum of y, m_i = count, Q_i = sum of y^2), as the
database returns them, like `clustered_mean_from_totals`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ._common import check_level, clamp, t_value
from .means import ClusteredMean, clustered_mean_from_totals

Totals = tuple[float, int, float]


@dataclass(frozen=True)
class MeanDifference:
    """mean1 - mean2 with its t interval and two-sided p-value.

    `method` is "design_based_paired" (the same facilities in both periods, covariance
    included) or "welch_independent" (independent samples, Welch-Satterthwaite df).
    """

    estimate: float
    lower: float
    upper: float
    se: float
    df: float
    p_value: float
    method: str
    level: float
    clusters: int


def _t_result(d: float, se: float, df: float, level: float, bound: float) -> tuple[float, float, float]:
    # The same numbers as scipy.stats.t.sf (which calls it), without its per-call argument handling.
    # Imported on first use, as in _common.z_value.
    from scipy.special import stdtr  # type: ignore[import-untyped, unused-ignore]

    if se == 0.0:
        return d, d, (1.0 if d == 0.0 else 0.0)
    half = t_value(level, df) * se
    p_value = float(min(1.0, 2.0 * stdtr(df, -abs(d / se))))
    return clamp(d - half, -bound, d), clamp(d + half, d, bound), p_value


def independent_mean_difference(
    first: ClusteredMean, second: ClusteredMean, level: float = 0.95, bound: float = math.inf
) -> MeanDifference | None:
    """Difference of two independent (clustered) means; None when either has no finite se.

    Formula: d = ybar1 - ybar2, se = sqrt(se1^2 + se2^2), df by Welch-Satterthwaite,
    df = (v1 + v2)^2 / (v1^2/df1 + v2^2/df2) (v_i = se_i^2, each df_i at least 1);
    interval d -/+ t_{1-alpha/2, df} se, clipped to [-bound, bound] (the width of the
    scale), p-value of the t-test of d/se. When both variances are 0 the interval is the
    point d and p is 1 if d = 0 else 0.
    Source: Welch (1947) Biometrika 34:28; Satterthwaite (1946) Biometrics 2:110; each
    mean's se and df as in `clustered_mean_from_totals` (Wolter 2007, ch. 6).
    """
    level = check_level(level)
    if not (math.isfinite(first.se) and math.isfinite(second.se)):
        return None
    v1, v2 = first.se**2, second.se**2
    d = first.estimate - second.estimate
    se = math.sqrt(v1 + v2)
    df1, df2 = max(first.df, 1), max(second.df, 1)
    denominator = v1 * v1 / df1 + v2 * v2 / df2
    df = (v1 + v2) ** 2 / denominator if denominator > 0.0 else float(df1 + df2)
    lower, upper, p_value = _t_result(d, se, df, level, bound)
    return MeanDifference(d, lower, upper, se, df, p_value, "welch_independent", level, first.clusters + second.clusters)


def paired_mean_difference(
    rows: Iterable[tuple[Totals, Totals]],
    level: float = 0.95,
    scale: tuple[float, float] | None = None,
) -> MeanDifference | None:
    """Design-based mean1 - mean2 when the same facilities report in both periods.

    Rows are per facility ((T_i1, m_i1, Q_i1), (T_i2, m_i2, Q_i2)); a facility may be
    empty (m = 0) in one of the periods. Formula: ybar_j = sum T_ij / M_j,
    z_i = (T_i1 - ybar1 m_i1)/M1 - (T_i2 - ybar2 m_i2)/M2, v = k/(k-1) sum (z_i - mean z)^2,
    interval d -/+ t_{1-alpha/2, k-1} sqrt(v), p-value from the t-test on k - 1 df.
    Falls back to `independent_mean_difference` with fewer than two facilities or v = 0;
    None when a period has no values or no finite se.
    Source: Wolter (2007) Introduction to Variance Estimation, ch. 6 (linearisation of a
    difference of ratios); R survey svycontrast on svyby(~y, ~period, svymean) with
    ids = ~clinic.
    """
    level = check_level(level)
    kept = [(a, b) for a, b in rows if a[1] > 0 or b[1] > 0]
    big_m1 = sum(a[1] for a, _ in kept)
    big_m2 = sum(b[1] for _, b in kept)
    if big_m1 == 0 or big_m2 == 0:
        return None
    bound = scale[1] - scale[0] if scale is not None else math.inf
    k = len(kept)
    if k >= 2:
        mean1 = sum(a[0] for a, _ in kept) / big_m1
        mean2 = sum(b[0] for _, b in kept) / big_m2
        zs = [(a[0] - mean1 * a[1]) / big_m1 - (b[0] - mean2 * b[1]) / big_m2 for a, b in kept]
        z_bar = sum(zs) / k
        v = k / (k - 1) * sum((z - z_bar) ** 2 for z in zs)
        if v > 0.0:
            d = mean1 - mean2
            lower, upper, p_value = _t_result(d, math.sqrt(v), k - 1, level, bound)
            return MeanDifference(d, lower, upper, math.sqrt(v), float(k - 1), p_value, "design_based_paired", level, k)
    first = clustered_mean_from_totals([a for a, _ in kept], level, scale)
    second = clustered_mean_from_totals([b for _, b in kept], level, scale)
    return independent_mean_difference(first, second, level, bound)
