"""Estimates over monitored facilities: each facility is a stratum, its clients are sampled.

Most programmes monitor a chosen set of facilities and interview clients in each; the
figure describes the clients of those facilities, so the facilities are strata (a census
of the facilities of interest), not a sample of clusters. Each client is a primary unit
sampled with replacement within its facility, every client has weight 1, df = N - H
(clients minus facilities). R: svydesign(ids=~1, strata=~facility), svyciprop, degf.

Edge rules (the project's reference file, `rules_proposed`): a facility with one client
is centred at the overall figure (R survey.lonely.psu = "adjust"); when every facility
has one client (df = 0) the strata are collapsed into one (df = N - 1); one client in all
gives Wilson's interval; zero variance or a figure of 0% or 100% takes n_eff = N (the
NCHS rule). A mean's variance is never taken below that of a simple random sample of its
N clients, max(v, s^2/N). See DESIGN.md, "Statistics defaults".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from ._common import check_level, clamp, clean_totals, contain, t_value, z_value
from .clustered import clean_clusters, korn_graubard_nchs, pooled_counts
from .proportions import wilson_bounds

STRATA: Final = "strata"
STRATA_LONELY: Final = "strata_lonely_adjust"
COLLAPSED: Final = "collapsed_df0"
SINGLE_CLIENT: Final = "single_client_wilson"
SINGLE_FACILITY: Final = "single_facility_wilson"
SINGLE_FACILITY_T: Final = "single_facility_t"
NOT_ESTIMABLE: Final = "single_response_not_estimable"
RULE_ORDER: Final = (STRATA, STRATA_LONELY, COLLAPSED, SINGLE_FACILITY_T, SINGLE_CLIENT, SINGLE_FACILITY, NOT_ESTIMABLE)
"""The rules in rising order of departure from the plain design (a difference reports the further one)."""

Scale = tuple[float, float]
Group = tuple[float, int, float]
"""A facility's (total, count, within-facility sum of squared deviations) of a numeric item."""


@dataclass(frozen=True)
class StratifiedEstimate:
    """A proportion or mean with its interval under a stratified design.

    `method` is the rule that produced the figures (`strata`, `strata_lonely_adjust`,
    `collapsed_df0`, `single_client_wilson`, `single_facility_wilson`, `single_facility_t`,
    `single_response_not_estimable`). `lower`/`upper` are None only when no interval can
    be given (a mean from one response). `variance` is the design variance, `variance_used`
    the one behind the interval (the mean's floor max(v, s^2/N); for a proportion the
    same as `variance`). `deff` is v / (p(1-p)/N) for a proportion and v / (s^2/N) for a
    mean (None where 0/0); `n_eff` is p(1-p)/v for a proportion (None when v = 0) and
    s^2/`variance_used` for a mean. `n_star` is the Korn-Graubard size of a proportion's
    interval. `no_variation`: every value of a mean is the same (a zero-width interval
    that says nothing about precision).
    """

    estimate: float
    lower: float | None
    upper: float | None
    df: int
    deff: float | None
    n_eff: float | None
    method: str
    se: float
    variance: float
    variance_used: float
    n: int
    x: int | None
    units: int
    strata: int
    level: float
    n_star: float | None = None
    sample_variance: float | None = None
    floor_active: bool = False
    no_variation: bool = False
    df_design: int = 0
    """N - H (k - H for regions) of the design before any fall-back: 0 where the strata were
    collapsed (every stratum a single unit); the df a difference of periods adds up."""


@dataclass(frozen=True)
class StratifiedDifference:
    """Period 2 minus period 1, with both periods' own figures.

    `p_value` is the two-sided t-test on `df` of the variance behind the interval (the
    design variance for proportions, the floored one for means); None when that variance
    is 0 or a period has no interval.
    """

    estimate: float
    lower: float | None
    upper: float | None
    se: float
    df: int
    t_stat: float | None
    p_value: float | None
    method: str
    level: float
    first: StratifiedEstimate
    second: StratifiedEstimate


def _nchs(p: float, variance: float, n_total: int, df: int, level: float, units: int, strata: int, x: int,
          method: str, se_variance: float | None = None) -> StratifiedEstimate:
    """The figures of a proportion with design variance `variance` on `df` (Korn-Graubard, NCHS rules)."""
    lower, upper, n_star = korn_graubard_nchs(p, variance, n_total, df, level)
    lower, upper = contain(p, lower, upper)
    interior = 0.0 < p < 1.0
    return StratifiedEstimate(
        estimate=p, lower=lower, upper=upper, df=df,
        deff=variance / (p * (1.0 - p) / n_total) if interior else None,
        n_eff=p * (1.0 - p) / variance if variance > 0.0 else None,
        method=method, se=math.sqrt(variance), variance=variance, variance_used=variance,
        n=n_total, x=x, units=units, strata=strata, level=level, n_star=n_star, df_design=0 if method == COLLAPSED else df,
    )  # fmt: skip


def _wilson(x: int, n: int, level: float, units: int, strata: int, method: str) -> StratifiedEstimate:
    """Wilson's interval on the pooled (x, n): one client, or one facility in a cluster design.

    One facility of n >= 2 clients carries the variance of a simple random sample of them,
    p(1-p)/(n-1) on n - 1 df (what a change between periods is tested on); one client, none.
    """
    p = x / n
    lower, upper = contain(p, *wilson_bounds(p, float(n), z_value(level)))
    variance, df = (p * (1.0 - p) / (n - 1), n - 1) if n >= 2 else (0.0, 0)
    return StratifiedEstimate(
        estimate=p, lower=lower, upper=upper, df=df, deff=None, n_eff=None, method=method, se=math.sqrt(variance),
        variance=variance, variance_used=variance, n=n, x=x, units=units, strata=strata, level=level, df_design=df,
    )  # fmt: skip


def stratified_proportion(strata: Iterable[tuple[int, int]], level: float = 0.95) -> StratifiedEstimate:
    """Proportion over monitored facilities (strata) from per-facility (x_h, n_h) counts.

    Estimate p = X/N. Variance v = (1/N^2) [sum over n_h >= 2 of x_h (n_h - x_h)/(n_h - 1)
    + sum over n_h = 1 of (x_h - p)^2] (a one-client facility centred at p: R "adjust");
    df = N - H. Every facility with one client (df = 0): one stratum, v = p(1-p)/(N-1),
    df = N - 1. Interval: Korn-Graubard under the NCHS rules, n* = min(N, n_eff r2) with
    n_eff = p(1-p)/v (N when v = 0) and r2 = (t_{alpha/2,N-1}/t_{alpha/2,df})^2,
    Clopper-Pearson at (p n*, n*), 0 at p = 0 and 1 at p = 1. One client in all: Wilson.
    Facilities with n_h = 0 are ignored. Raises ValueError without respondents.
    Source: Cochran (1977) Sampling Techniques, ch. 5; Korn & Graubard (1998) Surv Methodol
    24:193; Parker et al. (2017) NCHS Vital Health Stat 2(175); R survey 4.1-1 svyciprop
    with svydesign(ids=~1, strata=~facility), options(survey.lonely.psu = "adjust").
    """
    level = check_level(level)
    pairs = clean_clusters(strata)
    h = len(pairs)
    x_total, n_total = pooled_counts(pairs)
    p = x_total / n_total
    if n_total == 1:
        return _wilson(x_total, n_total, level, h, h, SINGLE_CLIENT)
    if h == n_total:
        return _nchs(p, p * (1.0 - p) / (n_total - 1), n_total, n_total - 1, level, h, h, x_total, COLLAPSED)
    lonely = [x for x, n in pairs if n == 1]
    within = sum(x * (n - x) / (n - 1) for x, n in pairs if n >= 2)
    v = (within + sum((x - p) ** 2 for x in lonely)) / n_total**2
    return _nchs(p, v, n_total, n_total - h, level, h, h, x_total, STRATA_LONELY if lonely else STRATA)


def single_facility_proportion(x: int, n: int, level: float = 0.95) -> StratifiedEstimate:
    """One facility's proportion x of n: Wilson's score interval on its clients (DESIGN.md: one facility or
    any plain x of n), with the variance p(1-p)/(n-1) on n - 1 df for tests of change.

    Source: Wilson (1927) JASA 22:209; Newcombe (1998) Stat Med 17:857, method 3.
    """
    level = check_level(level)
    ((x, n),) = clean_clusters([(x, n)]) or [(0, 0)]
    if n == 0:
        raise ValueError("n must be positive: there is no proportion of zero respondents")
    return _wilson(x, n, level, 1, 1, SINGLE_FACILITY if n >= 2 else SINGLE_CLIENT)


def _check_scale(scale: Scale | None) -> None:
    if scale is not None and not (math.isfinite(scale[0]) and math.isfinite(scale[1]) and scale[0] < scale[1]):
        raise ValueError(f"scale must be a (low, high) pair of finite numbers with low < high, got {scale!r}")


def groups_from_values(groups: Iterable[Sequence[float]]) -> list[Group]:
    """Each facility's values as (total, count, sum of squared deviations from its mean)."""
    result: list[Group] = []
    for index, values in enumerate(groups):
        floats = [float(y) for y in values]
        if not all(math.isfinite(y) for y in floats):
            raise ValueError(f"facility {index}: values must be finite numbers")
        if floats:
            mean = math.fsum(floats) / len(floats)
            result.append((math.fsum(floats), len(floats), math.fsum((y - mean) ** 2 for y in floats)))
    return result


def groups_from_totals(totals: Iterable[tuple[float, int, float]]) -> list[Group]:
    """Each facility's (total, count, sum of squares) as (total, count, sum of squared deviations).

    Exact: sum (y - ybar_h)^2 = (n Q - T^2)/n; with whole-number answers n Q - T^2 is an
    integer, so a facility whose answers are all the same gives exactly 0.
    """
    # The exact deviations are never below 0 beyond rounding: clean_totals refuses swapped columns.
    return [(total, n, max(0.0, (n * squares - total * total) / n)) for total, n, squares in clean_totals(totals)]


def _mean_figures(mean: float, v: float, s2: float, n_total: int, df: int, level: float, scale: Scale | None,
                  units: int, strata: int, method: str) -> StratifiedEstimate:
    """A mean's t interval on max(v, s^2/N) with `df`, clipped to `scale`."""
    srs = s2 / n_total
    used = max(v, srs)
    floor_active = srs > v * (1.0 + 1e-12)
    half = t_value(level, df) * math.sqrt(used)
    lower, upper = mean - half, mean + half
    if scale is not None:
        lower, upper = clamp(lower, scale[0], mean), clamp(upper, mean, scale[1])
    return StratifiedEstimate(
        estimate=mean, lower=lower, upper=upper, df=df, deff=v / srs if s2 > 0.0 else None,
        n_eff=s2 / used if used > 0.0 else None, method=method, se=math.sqrt(v), variance=v, variance_used=used,
        n=n_total, x=None, units=units, strata=strata, level=level, sample_variance=s2, floor_active=floor_active,
        no_variation=s2 == 0.0, df_design=0 if method == COLLAPSED else df,
    )  # fmt: skip


def _checked_mean(groups: Sequence[Group], scale: Scale | None) -> tuple[int, float]:
    n_total = sum(n for _, n, _ in groups)
    if n_total == 0:
        raise ValueError("no values in any facility: a mean needs n > 0")
    mean = sum(t for t, _, _ in groups) / n_total
    if scale is not None:
        tolerance = 1e-9 * (scale[1] - scale[0])
        if not (scale[0] - tolerance <= mean <= scale[1] + tolerance):
            raise ValueError(f"the mean {mean} lies outside the scale {scale!r}")
        mean = clamp(mean, scale[0], scale[1])
    return n_total, mean


def _sample_variance(groups: Sequence[Group], mean: float, n_total: int) -> float:
    """s^2 of all N values (N - 1 divisor): within- plus between-facility sums of squares."""
    within = math.fsum(d for _, _, d in groups)
    between = math.fsum(n * (t / n - mean) ** 2 for t, n, _ in groups)
    return (within + between) / (n_total - 1)


def _not_estimable(mean: float, level: float, units: int, strata: int) -> StratifiedEstimate:
    return StratifiedEstimate(
        estimate=mean, lower=None, upper=None, df=0, deff=None, n_eff=None, method=NOT_ESTIMABLE, se=0.0,
        variance=0.0, variance_used=0.0, n=1, x=None, units=units, strata=strata, level=level,
    )  # fmt: skip


def stratified_mean_from_groups(groups: Iterable[Group], level: float = 0.95, scale: Scale | None = (1, 5)) -> StratifiedEstimate:
    """`stratified_mean` from each facility's (total, count, sum of squared deviations)."""
    level = check_level(level)
    _check_scale(scale)
    kept = [g for g in groups if g[1] > 0]
    h = len(kept)
    n_total, mean = _checked_mean(kept, scale)
    if n_total == 1:
        return _not_estimable(mean, level, h, h)
    s2 = _sample_variance(kept, mean, n_total)
    if h == n_total:
        return _mean_figures(mean, s2 / n_total, s2, n_total, n_total - 1, level, scale, h, h, COLLAPSED)
    lonely = [t for t, n, _ in kept if n == 1]
    within = math.fsum(n * d / (n - 1) for _, n, d in kept if n >= 2)
    v = (within + math.fsum((t - mean) ** 2 for t in lonely)) / n_total**2
    return _mean_figures(mean, v, s2, n_total, n_total - h, level, scale, h, h, STRATA_LONELY if lonely else STRATA)


def stratified_mean(groups: Iterable[Sequence[float]], level: float = 0.95, scale: Scale | None = (1, 5)) -> StratifiedEstimate:
    """Mean over monitored facilities (strata) from one list of values per facility.

    Estimate ybar = (sum of all N values)/N. Variance v = (1/N^2) sum_h n_h s_h^2 over
    facilities with n_h >= 2 (s_h^2 the within-facility variance), plus ((y - ybar)/N)^2 for
    a facility with one value (R "adjust"); df = N - H. Floor: the interval uses
    max(v, s^2/N), s^2 the sample variance of all N values (never narrower than a simple
    random sample of the N clients): ybar -/+ t_{1-alpha/2, df} sqrt(max(v, s^2/N)),
    clipped to `scale` (None: no clipping). Every facility with one value: one stratum,
    v = s^2/N, df = N - 1. One value in all: no interval (lower = upper = None). All
    values equal: the interval is [ybar, ybar] and `no_variation` is set.
    Source: Cochran (1977) Sampling Techniques, ch. 5; R survey 4.1-1 svymean with
    svydesign(ids=~1, strata=~facility) and confint(df = degf); the floor is this
    project's rule (the mean counterpart of the NCHS cap n* <= N).
    """
    return stratified_mean_from_groups(groups_from_values(groups), level, scale)


def stratified_mean_from_totals(totals: Iterable[tuple[float, int, float]], level: float = 0.95,
                                scale: Scale | None = (1, 5)) -> StratifiedEstimate:
    """`stratified_mean` from each facility's (sum of y, count, sum of y^2), as the database keeps them.

    The within-facility variance follows exactly from the sums (see `groups_from_totals`).
    """
    return stratified_mean_from_groups(groups_from_totals(totals), level, scale)


def _rule_of(*results: StratifiedEstimate) -> str:
    return max((r.method for r in results), key=RULE_ORDER.index)


def _t_p_value(statistic: float, df: int) -> float:
    # The same number as scipy.stats.t.sf (which calls it), without its per-call argument handling.
    # Imported on first use, as in _common.z_value.
    from scipy.special import stdtr  # type: ignore[import-untyped, unused-ignore]

    return float(min(1.0, 2.0 * stdtr(df, -abs(statistic))))


def difference_of(first: StratifiedEstimate, second: StratifiedEstimate, level: float, measure: Literal["proportion", "mean"],
                  scale: Scale | None = None) -> StratifiedDifference:
    """Second minus first of two independent estimates (the two periods' own figures).

    Proportions: Newcombe's square-and-add (MOVER) on each period's limits,
    lower = d - sqrt((p2 - l2)^2 + (u1 - p1)^2), upper = d + sqrt((u2 - p2)^2 + (p1 - l1)^2);
    t-test of d / sqrt(v1 + v2). Means: d -/+ t_{df} sqrt(v1' + v2') with each period's
    floored variance v', and the t-test on it; clipped to +/- the width of `scale`.
    df = (N1 - H1) + (N2 - H2), the combined design's (each period's own df if that is 0). No p-value when the variance is 0; no interval when a period has none.
    Source: Newcombe (1998) Stat Med 17:873; Zou & Donner (2008) Stat Med 27:1693.
    """
    d = second.estimate - first.estimate
    # The combined design's df (R degf); only when both periods collapsed, their own dfs.
    df = first.df_design + second.df_design or first.df + second.df
    method = _rule_of(first, second)
    variance = first.variance + second.variance if measure == "proportion" else first.variance_used + second.variance_used
    se = math.sqrt(variance)
    t_stat = d / se if se > 0.0 and df >= 1 else None
    p_value = _t_p_value(t_stat, df) if t_stat is not None else None
    if first.lower is None or first.upper is None or second.lower is None or second.upper is None:
        return StratifiedDifference(d, None, None, se, df, t_stat, p_value, method, level, first, second)
    if measure == "proportion":
        lower = d - math.sqrt((second.estimate - second.lower) ** 2 + (first.upper - first.estimate) ** 2)
        upper = d + math.sqrt((second.upper - second.estimate) ** 2 + (first.estimate - first.lower) ** 2)
        bound = 1.0
    else:
        half = t_value(level, df) * se if df >= 1 else 0.0
        lower, upper = d - half, d + half
        bound = scale[1] - scale[0] if scale is not None else math.inf
    return StratifiedDifference(d, clamp(lower, -bound, d), clamp(upper, d, bound), se, df, t_stat, p_value, method, level, first, second)


def stratified_difference(
    period_1: Iterable[tuple[int, int]] | Iterable[Sequence[float]],
    period_2: Iterable[tuple[int, int]] | Iterable[Sequence[float]],
    level: float = 0.95,
    measure: Literal["proportion", "mean"] = "proportion",
    scale: Scale | None = None,
) -> StratifiedDifference:
    """Change from period 1 to period 2 (estimate = period 2 minus period 1) over monitored facilities.

    Each period is a facilities-as-strata sample of different clients; a facility
    monitored in both periods is two strata, so the periods are independent (covariance
    0), whatever the number of facilities they share. Proportions: each period is
    `stratified_proportion` of its (x, n) per facility; means: `stratified_mean` of its
    lists of values (clipped to `scale`). The interval, test and df are those of
    `difference_of`: df = (N1 - H1) + (N2 - H2), the combined design's (R degf).
    Source: R survey svycontrast on svyby(~y, ~period, svymean) with
    svydesign(ids=~1, strata=~interaction(period, facility)); Newcombe (1998) Stat Med 17:873.
    """
    level = check_level(level)
    if measure == "proportion":
        first = stratified_proportion(period_1, level)  # type: ignore[arg-type]
        second = stratified_proportion(period_2, level)  # type: ignore[arg-type]
    elif measure == "mean":
        first = stratified_mean(period_1, level, scale)
        second = stratified_mean(period_2, level, scale)
    else:
        raise ValueError(f"measure must be 'proportion' or 'mean', got {measure!r}")
    return difference_of(first, second, level, measure, scale)
