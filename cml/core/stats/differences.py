"""Change in a proportion between two periods (or two groups): p1 - p2."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ._common import as_count, check_level, clamp, t_value, z_value
from .clustered import ClusteredProportion, clustered_proportion
from .proportions import wilson_bounds


@dataclass(frozen=True)
class Difference:
    """p1 - p2 with its interval (within [-1, 1]) and a two-sided p-value from `test`."""

    estimate: float
    lower: float
    upper: float
    p_value: float
    method: str
    test: str
    level: float


@dataclass(frozen=True)
class ClusteredDifference:
    """p1 - p2 of two independent clustered estimates, with both estimates."""

    estimate: float
    lower: float
    upper: float
    method: str
    level: float
    first: ClusteredProportion
    second: ClusteredProportion


@dataclass(frozen=True)
class PairedDifference:
    """p1 - p2 for the same facilities in two periods (design-based, with covariance).

    `method` is "design_based_paired" or, with fewer than two facilities or zero variance
    of the difference, "newcombe_hybrid_score" on the pooled counts (then `t_stat` is None
    and the p-value is the pooled z-test's).
    """

    estimate: float
    lower: float
    upper: float
    se: float
    df: int
    t_stat: float | None
    p_value: float
    p1: float
    p2: float
    var_1: float
    var_2: float
    covariance: float
    se_if_independent: float
    clusters: int
    method: str
    level: float


def square_and_add(p1: float, bounds_1: tuple[float, float], p2: float, bounds_2: tuple[float, float]) -> tuple[float, float]:
    """Newcombe's square-and-add (MOVER) limits for p1 - p2 from each proportion's limits.

    Formula: d = p1 - p2; lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2);
    upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Source: Newcombe (1998) Stat Med 17:873, method 10; Zou & Donner (2008) Stat Med 27:1693.
    """
    d = p1 - p2
    lower = d - math.sqrt((p1 - bounds_1[0]) ** 2 + (bounds_2[1] - p2) ** 2)
    upper = d + math.sqrt((bounds_1[1] - p1) ** 2 + (p2 - bounds_2[0]) ** 2)
    return clamp(min(lower, d), -1.0, 1.0), clamp(max(upper, d), -1.0, 1.0)


def pooled_z_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (= Pearson chi-square, no correction).

    Formula: p = (x1 + x2)/(n1 + n2), z = (p1 - p2)/sqrt(p(1-p)(1/n1 + 1/n2)), P = 2(1 - Phi(|z|));
    P = 1 when p is 0 or 1 (no variation: no evidence of a difference).
    Source: Agresti (2013) Categorical Data Analysis, 3rd ed., sec. 3.1 / 2.4.
    """
    # Tail areas straight from scipy.special: the same numbers as scipy.stats.norm.sf and
    # scipy.stats.t.sf (which call these), without their per-call argument handling.
    # Imported on first use, as in _common.z_value.
    from scipy.special import ndtr  # type: ignore[import-untyped, unused-ignore]

    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(min(1.0, 2.0 * ndtr(-abs(z))))


def _check_pair(x: int, n: int, label: str) -> tuple[int, int]:
    x, n = as_count(x, f"x{label}"), as_count(n, f"n{label}")
    if n == 0:
        raise ValueError(f"n{label} must be positive")
    if x > n:
        raise ValueError(f"x{label} ({x}) cannot exceed n{label} ({n})")
    return x, n


def difference_interval(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Difference:
    """Newcombe hybrid score interval for p1 - p2 of two independent samples, with a p-value.

    Interval: d = p1 - p2 with Wilson limits (l_i, u_i) of each proportion;
    lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Source: Newcombe R.G. (1998) Stat Med 17:873, method 10 (statsmodels
    confint_proportions_2indep(method="newcomb")).
    p-value: two-sided pooled z-test (Pearson chi-square without continuity correction).
    The two are different procedures: near the 5% boundary the interval can exclude 0
    while p > 0.05 or vice versa; report the interval as the primary result.
    """
    level = check_level(level)
    x1, n1 = _check_pair(x1, n1, "1")
    x2, n2 = _check_pair(x2, n2, "2")
    p1, p2 = x1 / n1, x2 / n2
    z = z_value(level)
    lower, upper = square_and_add(p1, wilson_bounds(p1, n1, z), p2, wilson_bounds(p2, n2, z))
    return Difference(
        estimate=p1 - p2, lower=lower, upper=upper, p_value=pooled_z_p_value(x1, n1, x2, n2),
        method="newcombe_hybrid_score", test="pooled_z", level=level,
    )  # fmt: skip


def clustered_difference(
    clusters_1: Iterable[tuple[int, int]], clusters_2: Iterable[tuple[int, int]], level: float = 0.95
) -> ClusteredDifference:
    """Difference of two clustered proportions from independent sets of facilities.

    Formula ("mover_wilson_kg_neff"): each period's limits are the design-effect-adjusted
    Wilson limits (Wilson with n = the Korn-Graubard/NCHS n*, see `clustered_proportion`,
    plain Wilson with fewer than two facilities), combined by Newcombe's square-and-add:
    lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Assumes independent samples; for the same facilities in both periods use
    `paired_clustered_difference`. No p-value is given.
    Source: Newcombe (1998) Stat Med 17:873; Zou & Donner (2008) Stat Med 27:1693 (MOVER);
    Korn & Graubard (1998) Surv Methodol 24:193.
    """
    level = check_level(level)
    first = clustered_proportion(clusters_1, level, method="wilson_kg_neff")
    second = clustered_proportion(clusters_2, level, method="wilson_kg_neff")
    lower, upper = square_and_add(first.estimate, (first.lower, first.upper), second.estimate, (second.lower, second.upper))
    estimate = first.estimate - second.estimate
    return ClusteredDifference(
        estimate=estimate, lower=lower, upper=upper, method="mover_wilson_kg_neff", level=level,
        first=first, second=second,
    )  # fmt: skip


def paired_clustered_difference(rows: Iterable[tuple[int, int, int, int]], level: float = 0.95) -> PairedDifference:
    """Design-based p1 - p2 when the same facilities report in both periods.

    Rows are per facility (x_i1, n_i1, x_i2, n_i2); rows empty in both periods are ignored.
    Formula: z_i = (x_i1 - p1 n_i1)/N1 - (x_i2 - p2 n_i2)/N2,
    v = k/(k-1) sum (z_i - mean z)^2, CI = (p1 - p2) -/+ t_{1-alpha/2, k-1} sqrt(v) (clipped
    to [-1, 1]); p-value from the t-test of (p1 - p2)/sqrt(v) on k - 1 df. The covariance
    of p1 and p2 is (v1 + v2 - v)/2 with v1, v2 each period's linearised variance.
    Fall-back with fewer than two facilities or v = 0: Newcombe's interval on the pooled
    counts with the pooled z-test.
    Source: Wolter (2007) Introduction to Variance Estimation, ch. 6; R survey svycontrast
    on svyratio/svymean with ids = ~clinic; Newcombe (1998) Stat Med 17:873.
    """
    level = check_level(level)
    kept: list[tuple[int, int, int, int]] = []
    for index, row in enumerate(rows):
        if len(row) != 4:
            raise ValueError(f"facility {index}: expected (x1, n1, x2, n2), got {row!r}")
        x1, n1, x2, n2 = row
        if not (type(x1) is int and type(n1) is int and type(x2) is int and type(n2) is int and min(x1, n1, x2, n2) >= 0):
            # Anything but non-negative ints (the common case, checked cheaply above) goes through as_count.
            x1, n1, x2, n2 = (
                as_count(value, f"facility {index}: {name}") for value, name in zip(row, ("x1", "n1", "x2", "n2"), strict=True)
            )
        if x1 > n1 or x2 > n2:
            raise ValueError(f"facility {index}: x cannot exceed n in {row!r}")
        if n1 or n2:
            kept.append((x1, n1, x2, n2))
    k = len(kept)
    big_x1, big_n1 = sum(r[0] for r in kept), sum(r[1] for r in kept)
    big_x2, big_n2 = sum(r[2] for r in kept), sum(r[3] for r in kept)
    if big_n1 == 0 or big_n2 == 0:
        raise ValueError("each period needs at least one respondent")
    p1, p2 = big_x1 / big_n1, big_x2 / big_n2
    # Integer numerators of z_i (over N^2) keep the sums exact: zero variance is exactly 0.
    a1 = [x1 * big_n1 - big_x1 * n1 for x1, n1, _, _ in kept]
    a2 = [x2 * big_n2 - big_x2 * n2 for _, _, x2, n2 in kept]
    factor = k / (k - 1) if k >= 2 else 0.0
    var_1 = factor * sum(a * a for a in a1) / big_n1**4
    var_2 = factor * sum(a * a for a in a2) / big_n2**4
    diff_num = [a * big_n2**2 - b * big_n1**2 for a, b in zip(a1, a2, strict=True)]
    v = factor * (sum(a * a for a in diff_num) / (big_n1 * big_n2) ** 4)
    covariance = (var_1 + var_2 - v) / 2.0
    independent_se = math.sqrt(var_1 + var_2)
    d = p1 - p2
    if k < 2 or v == 0.0:
        fallback = difference_interval(big_x1, big_n1, big_x2, big_n2, level)
        return PairedDifference(
            estimate=d, lower=fallback.lower, upper=fallback.upper, se=math.sqrt(v), df=max(k - 1, 0),
            t_stat=None, p_value=fallback.p_value, p1=p1, p2=p2, var_1=var_1, var_2=var_2,
            covariance=covariance, se_if_independent=independent_se, clusters=k,
            method=fallback.method, level=level,
        )  # fmt: skip
    se = math.sqrt(v)
    df = k - 1
    half = t_value(level, df) * se
    t_stat = d / se
    # Imported on first use, as in _common.z_value.
    from scipy.special import stdtr  # type: ignore[import-untyped, unused-ignore]

    p_value = float(min(1.0, 2.0 * stdtr(df, -abs(t_stat))))
    lower, upper = clamp(d - half, -1.0, d), clamp(d + half, d, 1.0)
    return PairedDifference(
        estimate=d, lower=lower, upper=upper, se=se, df=df, t_stat=t_stat, p_value=p_value,
        p1=p1, p2=p2, var_1=var_1, var_2=var_2, covariance=covariance,
        se_if_independent=independent_se, clusters=k, method="design_based_paired", level=level,
    )  # fmt: skip
