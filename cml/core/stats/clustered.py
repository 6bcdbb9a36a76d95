"""A proportion pooled over facilities, with facilities as clusters (primary sampling units).

Respondents interviewed at the same clinic resemble each other, so a regional
proportion is not a simple random sample: the variance comes from between-facility
differences (Taylor linearisation, ultimate-cluster, with replacement), and the interval
is Korn-Graubard's Clopper-Pearson on an effective sample size, as in the NCHS
data presentation standards for proportions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from ._common import as_count, check_level, contain, t_value, z_value
from .proportions import clopper_pearson_bounds, proportion_interval, wilson_bounds

CLUSTER_METHODS: Final = (
    "kg_nchs",
    "kg_r_survey",
    "wilson_kg_neff",
    "wilson_r_survey",
    "logit_t",
    "wald_t",
    "wilson_anova_icc",
)


@dataclass(frozen=True)
class ClusteredProportion:
    """Pooled proportion over facilities with its design-based interval.

    `method` is the interval actually computed: "wilson" when fewer than two facilities
    have respondents, "kg_nchs" when the requested variant is undefined for these data
    (then `requested_method` tells what was asked). `design_effect` is None where it is
    undefined (one facility, or an estimate of 0% or 100%). `effective_n` is
    p(1-p)/variance, or the total n when the variance is zero. `n_star` is the sample
    size the interval was computed on, for the methods that use one.
    """

    estimate: float
    lower: float
    upper: float
    se: float
    design_effect: float | None
    effective_n: float
    df: int
    n: int
    x: int
    clusters: int
    method: str
    level: float
    n_star: float | None
    requested_method: str


def pooled_counts(pairs: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """(x, n) over every facility of cleaned pairs; a proportion needs n > 0."""
    n_total = sum(n for _, n in pairs)
    if n_total == 0:
        raise ValueError("no respondents in any facility: a proportion needs n > 0")
    return sum(x for x, _ in pairs), n_total


def clean_clusters(clusters: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Validated (x_i, n_i) pairs, with facilities that have no respondents (n_i = 0) dropped."""
    pairs: list[tuple[int, int]] = []
    for index, pair in enumerate(clusters):
        if len(pair) != 2:
            raise ValueError(f"facility {index}: expected an (x, n) pair, got {pair!r}")
        x, n = pair
        if not (type(x) is int and type(n) is int and x >= 0 and n >= 0):  # the common case, checked cheaply
            x = as_count(pair[0], f"facility {index}: x")
            n = as_count(pair[1], f"facility {index}: n")
        if x > n:
            raise ValueError(f"facility {index}: x ({x}) cannot exceed n ({n})")
        if n > 0:
            pairs.append((x, n))
    return pairs


def _fpc(k: int, population_clusters: int | None) -> float:
    if population_clusters is None:
        return 1.0
    if population_clusters < k:
        raise ValueError(f"population_clusters ({population_clusters}) is smaller than the {k} facilities sampled")
    return (population_clusters - k) / population_clusters


def linearised_variance(pairs: Sequence[tuple[int, int]], population_clusters: int | None = None) -> float:
    """Taylor-linearised variance of the ratio estimator p = sum x_i / sum n_i.

    Formula: z_i = (x_i - p n_i)/N, v = k/(k-1) * sum_i (z_i - mean z)^2 (mean z = 0),
    times (M-k)/M with M population facilities when a finite population correction is
    asked for. Computed exactly as k/(k-1) * sum (x_i N - X n_i)^2 / N^4 so that identical
    facilities give exactly 0. Needs k >= 2.
    Source: Woodruff (1971) JASA 66:411; Wolter (2007) Introduction to Variance
    Estimation, ch. 6; R survey svymean/svyciprop with ids = ~clinic.
    """
    k = len(pairs)
    if k < 2:
        raise ValueError("the between-facility variance needs at least two facilities")
    big_n = sum(n for _, n in pairs)
    big_x = sum(x for x, _ in pairs)
    squares = sum((x * big_n - big_x * n) ** 2 for x, n in pairs)
    return k / (k - 1) * (squares / big_n**4) * _fpc(k, population_clusters)


def df_adjust_factor(n_total: int, df: int, level: float) -> float:
    """Korn-Graubard degrees-of-freedom factor r2 = (t_{alpha/2, N-1} / t_{alpha/2, df})^2.

    Source: Korn & Graubard (1998) Survey Methodology 24:193; R survey svyciprop("beta").
    """
    return (t_value(level, n_total - 1) / t_value(level, df)) ** 2


def korn_graubard_nchs(p: float, variance: float, n_total: int, df: int, level: float) -> tuple[float, float, float]:
    """Korn-Graubard interval under the NCHS rules: (lower, upper, n_star).

    Formula: n_eff = p(1-p)/v if v > 0 else N; n* = min(N, n_eff * r2) with
    r2 = (t_{alpha/2,N-1}/t_{alpha/2,df})^2; Clopper-Pearson at the non-integer
    (p n*, n*), lower = 0 if p = 0 and upper = 1 if p = 1.
    Source: Korn & Graubard (1998) Survey Methodology 24:193; Parker et al. (2017) NCHS
    Data Presentation Standards for Proportions, Vital Health Stat 2(175); Ward (2019)
    Stata kg_nchs.
    """
    n_eff = p * (1.0 - p) / variance if variance > 0.0 else float(n_total)
    n_star = min(float(n_total), n_eff * df_adjust_factor(n_total, df, level))
    lower, upper = clopper_pearson_bounds(p * n_star, n_star, level)
    return lower, upper, n_star


def anova_icc_design_effect(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Design effect xi from the one-way ANOVA intraclass correlation (None if undefined).

    Formula: BMS = (sum x_i^2/n_i - X^2/N)/(k-1); WMS = (X - sum x_i^2/n_i)/sum(n_i - 1);
    n0 = (N^2 - sum n_i^2)/((k-1)N); icc = (BMS - WMS)/(BMS + (n0-1)WMS), truncated at 0;
    xi = sum n_i (1 + (n_i - 1) icc)/N.
    Source: Saha, Miller & Wang (2016) Stat Med 35:3; Short et al. (2020) SMMR 29:111.
    """
    k = len(pairs)
    big_n = sum(n for _, n in pairs)
    big_x = sum(x for x, _ in pairs)
    within_df = big_n - k
    if k < 2 or within_df <= 0:
        return None
    sum_sq = sum(x * x / n for x, n in pairs)
    bms = (sum_sq - big_x * big_x / big_n) / (k - 1)
    wms = (big_x - sum_sq) / within_df
    n0 = (big_n * big_n - sum(n * n for _, n in pairs)) / ((k - 1) * big_n)
    denominator = bms + (n0 - 1.0) * wms
    if denominator <= 0.0:
        return None
    icc = max(0.0, (bms - wms) / denominator)
    return sum(n * (1.0 + (n - 1) * icc) for _, n in pairs) / big_n


def _variant(
    method: str, pairs: Sequence[tuple[int, int]], p: float, v: float, n_total: int, df: int, level: float
) -> tuple[float, float, float | None] | None:
    """(lower, upper, n_star) of one non-default variant, or None where it is undefined."""
    interior = 0.0 < p < 1.0 and v > 0.0
    se = math.sqrt(v)
    if method == "kg_r_survey":
        if not interior:
            return None
        n_star = p * (1.0 - p) / v * df_adjust_factor(n_total, df, level)
        return (*clopper_pearson_bounds(p * n_star, n_star, level), n_star)
    if method == "wilson_kg_neff":
        n_star = korn_graubard_nchs(p, v, n_total, df, level)[2]
        return (*wilson_bounds(p, n_star, z_value(level)), n_star)
    if method == "wilson_r_survey":
        if not interior:
            return None
        return (*wilson_bounds(p, p * (1.0 - p) / v, t_value(level, df)), None)
    if method == "logit_t":
        if not interior:
            return None
        logit = math.log(p / (1.0 - p))
        half = t_value(level, df) * se / (p * (1.0 - p))
        return 1.0 / (1.0 + math.exp(-(logit - half))), 1.0 / (1.0 + math.exp(-(logit + half))), None
    if method == "wald_t":
        if v == 0.0:
            return None  # a zero-width interval is not an honest answer; use kg_nchs
        half = t_value(level, df) * se
        return p - half, p + half, None
    # wilson_anova_icc
    xi = anova_icc_design_effect(pairs)
    if xi is None or p in (0.0, 1.0):
        return None
    return (*wilson_bounds(p, n_total / xi, z_value(level)), n_total / xi)


def clustered_proportion(
    clusters: Iterable[tuple[int, int]],
    level: float = 0.95,
    method: str = "kg_nchs",
    population_clusters: int | None = None,
) -> ClusteredProportion:
    """Proportion over facilities (clusters) from per-facility (x_i, n_i) counts.

    Estimate: ratio p = X/N, X = sum x_i, N = sum n_i (facilities with n_i = 0 ignored).
    Variance: Taylor linearisation with facilities as with-replacement PSUs,
    v = k/(k-1) sum ((x_i - p n_i)/N)^2 (times (M-k)/M with `population_clusters` M);
    se = sqrt(v); df = k - 1; design effect = v / (p(1-p)/N); effective n = p(1-p)/v.
    Interval (alpha = 1 - level, r2 = (t_{alpha/2,N-1}/t_{alpha/2,df})^2):
    - "kg_nchs" (default): Clopper-Pearson at (p n*, n*), n* = min(N, n_eff r2) with
      n_eff = N when v = 0. Korn & Graubard (1998) Surv Methodol 24:193; Parker et al.
      (2017) NCHS Vital Health Stat 2(175).
    - "kg_r_survey": the same without the cap, n* = n_eff r2 (R survey svyciprop "beta").
    - "wilson_kg_neff": Wilson with n = the kg_nchs n* and the normal z.
    - "wilson_r_survey": Wilson with n = n_eff and critical value t_{df} (R survey >= 4.4).
    - "logit_t": expit(logit p -/+ t_{df} se/(p(1-p))) (R "xlogit", Stata svy: proportion).
    - "wald_t": p -/+ t_{df} se (R "mean"), clipped to [0, 1]; for reference only
      (treated as undefined when v = 0, where it would have zero width).
    - "wilson_anova_icc": Wilson with n = N/xi, xi from the ANOVA ICC (Saha et al. 2016).
    Fall-backs: fewer than two facilities -> Wilson on the pooled (X, N); a variant that
    is undefined for the data (p = 0 or 1, zero variance) -> "kg_nchs". The interval
    always lies in [0, 1] and contains the estimate.
    Raises ValueError when there are no respondents at all or the input is invalid.
    """
    level = check_level(level)
    if method not in CLUSTER_METHODS:
        raise ValueError(f"unknown clustered interval method {method!r}; choose one of {', '.join(CLUSTER_METHODS)}")
    pairs = clean_clusters(clusters)
    k = len(pairs)
    x_total, n_total = pooled_counts(pairs)
    p = x_total / n_total
    binomial_var = p * (1.0 - p) / n_total
    if k < 2:
        single = proportion_interval(x_total, n_total, level, "wilson")
        return ClusteredProportion(
            estimate=p, lower=single.lower, upper=single.upper, se=math.sqrt(binomial_var),
            design_effect=None, effective_n=float(n_total), df=0, n=n_total, x=x_total,
            clusters=k, method="wilson", level=level, n_star=None, requested_method=method,
        )  # fmt: skip
    v = linearised_variance(pairs, population_clusters)
    df = k - 1
    design_effect = v / binomial_var if binomial_var > 0.0 else None
    effective_n = p * (1.0 - p) / v if v > 0.0 else float(n_total)
    used = method
    result = None if method == "kg_nchs" else _variant(method, pairs, p, v, n_total, df, level)
    if result is None:
        used = "kg_nchs"
        result = korn_graubard_nchs(p, v, n_total, df, level)
    lower, upper = contain(p, result[0], result[1])
    return ClusteredProportion(
        estimate=p, lower=lower, upper=upper, se=math.sqrt(v), design_effect=design_effect,
        effective_n=effective_n, df=df, n=n_total, x=x_total, clusters=k, method=used,
        level=level, n_star=result[2], requested_method=method,
    )  # fmt: skip
