"""Figures over several regions when facilities were drawn at random: regions as strata, facilities as clusters.

For programmes that sample facilities ("sampled"), a national figure pools regions that
were each sampled on their own: regions are strata, facilities the primary units
(clusters, with replacement) within each, clients weight 1; df = k - H (facilities minus
regions). R: svydesign(ids=~facility, strata=~region). One region is today's cluster
design (`clustered_proportion`, `clustered_mean_from_totals`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from ._common import check_level
from .clustered import clean_clusters, pooled_counts
from .strata import (
    COLLAPSED,
    SINGLE_FACILITY,
    SINGLE_FACILITY_T,
    STRATA,
    STRATA_LONELY,
    Group,
    Scale,
    StratifiedEstimate,
    _check_scale,
    _checked_mean,
    _mean_figures,
    _nchs,
    _not_estimable,
    _sample_variance,
    _wilson,
    groups_from_totals,
)


def _region_sum(numerators: Sequence[int]) -> tuple[int, int]:
    """(k_h sum a^2 - (sum a)^2, k_h): k_h times a region's sum of squared deviations, in integers."""
    return len(numerators) * sum(a * a for a in numerators) - sum(numerators) ** 2, len(numerators)


def region_clustered_proportion(regions: Mapping[str, Iterable[tuple[int, int]]] | Mapping[int, Iterable[tuple[int, int]]],
                                level: float = 0.95) -> StratifiedEstimate:
    """Proportion over regions (strata) of sampled facilities (clusters) from per-facility (x, n).

    Estimate p = X/N over all clients. With z_hi = (x_hi - p n_hi)/N for facility i of
    region h (k_h facilities): v = sum_h k_h/(k_h - 1) sum_i (z_hi - zbar_h)^2, and for a
    region with one facility z_h^2 (R survey.lonely.psu = "adjust"); df = k - H. Every
    region with one facility (k = H): regions are dropped, today's cluster design,
    v = k/(k-1) sum z_i^2, df = k - 1. One facility in all: Wilson on (X, N). Interval:
    Korn-Graubard under the NCHS rules with N = clients (see `stratified_proportion`).
    Computed in integers (z_hi N^2 = x_hi N - X n_hi) so identical facilities give v = 0.
    Source: Wolter (2007) Introduction to Variance Estimation, ch. 6; Korn & Graubard
    (1998) Surv Methodol 24:193; R survey 4.1-1 svyciprop with
    svydesign(ids=~facility, strata=~region).
    """
    level = check_level(level)
    cleaned = [pairs for pairs in (clean_clusters(r) for r in regions.values()) if pairs]
    everything = [pair for pairs in cleaned for pair in pairs]
    k, h = len(everything), len(cleaned)
    x_total, n_total = pooled_counts(everything)
    p = x_total / n_total
    if k == 1:
        return _wilson(x_total, n_total, level, k, h, SINGLE_FACILITY)
    scores = [[x * n_total - x_total * n for x, n in pairs] for pairs in cleaned]
    scale = n_total**4
    if k == h:
        flat = [a for region in scores for a in region]
        v = k / (k - 1) * (sum(a * a for a in flat) / scale)
        return _nchs(p, v, n_total, k - 1, level, k, h, x_total, COLLAPSED)
    total = 0.0
    lonely = False
    for region in scores:
        if len(region) == 1:
            lonely = True
            total += region[0] * region[0] / scale
        else:
            spread, size = _region_sum(region)
            total += spread / (size - 1) / scale
    return _nchs(p, total, n_total, k - h, level, k, h, x_total, STRATA_LONELY if lonely else STRATA)


def region_clustered_mean(regions: Mapping[int, Iterable[tuple[float, int, float]]] | Mapping[str, Iterable[tuple[float, int, float]]],
                          level: float = 0.95, scale: Scale | None = None) -> StratifiedEstimate:
    """Mean over regions (strata) of sampled facilities (clusters) from per-facility (sum y, count, sum y^2).

    The same design as `region_clustered_proportion` with z_hi = (T_hi - ybar m_hi)/N;
    one facility in all: the t interval of a simple random sample of its clients
    (df = N - 1). As for monitored facilities, the interval uses max(v, s^2/N) (never
    narrower than a simple random sample of the N clients), clipped to `scale`; one
    value in all gives no interval.
    Source: Wolter (2007) Introduction to Variance Estimation, ch. 6; R survey svymean with
    svydesign(ids=~facility, strata=~region) and confint(df = degf).
    """
    level = check_level(level)
    _check_scale(scale)
    cleaned: list[list[Group]] = [g for g in (groups_from_totals(r) for r in regions.values()) if g]
    everything = [group for region in cleaned for group in region]
    k, h = len(everything), len(cleaned)
    n_total, mean = _checked_mean(everything, scale)
    if n_total == 1:
        return _not_estimable(mean, level, k, h)
    s2 = _sample_variance(everything, mean, n_total)
    if k == 1:
        return _mean_figures(mean, s2 / n_total, s2, n_total, n_total - 1, level, scale, k, h, SINGLE_FACILITY_T)
    scores = [[(t - mean * n) / n_total for t, n, _ in region] for region in cleaned]
    if k == h:
        flat = [z for region in scores for z in region]
        centre = math.fsum(flat) / k
        v = k / (k - 1) * math.fsum((z - centre) ** 2 for z in flat)
        return _mean_figures(mean, v, s2, n_total, k - 1, level, scale, k, h, COLLAPSED)
    v = 0.0
    lonely = False
    for region in scores:
        if len(region) == 1:
            lonely = True
            v += region[0] ** 2
        else:
            centre = math.fsum(region) / len(region)
            v += len(region) / (len(region) - 1) * math.fsum((z - centre) ** 2 for z in region)
    return _mean_figures(mean, v, s2, n_total, k - h, level, scale, k, h, STRATA_LONELY if lonely else STRATA)
