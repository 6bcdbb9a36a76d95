"""Indicator tables from per-facility sums: estimates, intervals, verdicts, change.

The database sums each indicator's facts per (region, facility, period); this module
groups those sums into the cells of a table (by region, facility and/or period), hands
each cell's per-facility totals to `cml.core.stats`, and adds the target verdict and
the change from the previous period. It never sees a response.

Verdict rule (`verdict`): an indicator with a target "meets" it when the point estimate
is on the good side of the target (at or above it when higher is better, at or below
it when lower is better) and "misses" it otherwise; `clear` says whether the whole
confidence interval is on that side, i.e. whether the difference from the target is
statistically clear. Fewer than `min_n` respondents give "not_enough_data" and no
direction. Why: the estimate is the best single answer to "are we on target?", and the
interval answers "how sure are you?". Requiring the whole interval above the target to
"meet" would call a small clinic with 10 of 10 people tested a failure, and a target of
0% (no confidentiality breaches) could never be met; counting a miss only when it is
clear would hide real problems in small samples. Saying both the direction and whether
it is clear overstates nothing.

Design (`IndicatorSpec.sampling`, the questionnaire's "sampling"): "monitored" facilities
(the default) are strata, clients sampled within each (`stratified_proportion`,
`stratified_mean_from_totals`; df = clients - facilities); "sampled" facilities are
clusters (today's `clustered_proportion` design, df = facilities - 1), and a cell over
several regions takes the regions as strata (`region_clustered_proportion` and
`region_clustered_mean`; df = facilities - regions). Means under both designs are never
narrower than a simple random sample of their clients.

Change: the current minus the previous period of the same cell, by one method whatever
the facilities the two periods share: each period is estimated as above and the two are
compared as independent samples (`difference_of`: Newcombe's square-and-add on each
period's Korn-Graubard limits for a proportion, a t interval on the floored variances for
a mean, with a t-test on the combined design's df). Re-visited facilities make the
periods positively correlated in a sampled design; ignoring that errs on the cautious side. Within each
indicator, the p-values of all the changes of one table (its regions or facilities, and
periods) are adjusted with Benjamini-Hochberg; a change is `clear` when its adjusted
p-value is at most 1 - level and its interval excludes 0 (without a p-value, when its
interval excludes 0 and is not of zero width).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from cml.core.periods import Grain, period_label, previous_period
from cml.core.questionnaire import Indicator, Questionnaire
from cml.core.stats import (
    StratifiedEstimate,
    benjamini_hochberg,
    region_clustered_mean,
    region_clustered_proportion,
    reliability_flags,
    single_facility_proportion,
    stratified_mean_from_totals,
    stratified_proportion,
)
from cml.core.stats.strata import (
    COLLAPSED,
    NOT_ESTIMABLE,
    SINGLE_CLIENT,
    SINGLE_FACILITY,
    SINGLE_FACILITY_T,
    STRATA,
    STRATA_LONELY,
    difference_of,
)

Dimension = Literal["region", "facility", "period"]
DIMENSIONS: tuple[Dimension, ...] = ("region", "facility", "period")
Kind = Literal["proportion", "mean"]
Sampling = Literal["monitored", "sampled"]

MEETS = "meets"
MISSES = "misses"
NOT_ENOUGH_DATA = "not_enough_data"

_EPSILON = 1e-12


class FacilityTotals(NamedTuple):
    """One row of the SQL GROUP BY: an indicator's facts at one facility in one period.

    A named tuple rather than a dataclass: a table reads tens of thousands of them, and
    a tuple is several times cheaper to make.
    """

    indicator: str
    region_id: int
    facility_id: int
    period: int
    numerator: float
    denominator: float
    numerator_squared: float
    count: int  # type: ignore[assignment]  # shadows tuple.count, which nothing here calls


@dataclass(frozen=True)
class IndicatorSpec:
    """What tabulation needs to know of an indicator.

    `target` is in the estimate's units: a fraction (0-1) for a proportion, the
    question's units for a mean. `scale` is the (min, max) of a mean's question, used to
    clip intervals. `sampling` is the questionnaire's design: "monitored" facilities are
    strata, "sampled" ones clusters (see the module doc).
    """

    id: str
    kind: Kind
    target: float | None = None
    better: Literal["higher", "lower"] | None = None
    scale: tuple[float, float] | None = None
    sampling: Sampling = "monitored"


def indicator_spec(questionnaire: Questionnaire, indicator: Indicator) -> IndicatorSpec:
    """The spec of one of the questionnaire's indicators (proportion targets become fractions)."""
    target = indicator.target
    if indicator.type == "proportion":
        return IndicatorSpec(indicator.id, "proportion", None if target is None else target / 100.0, indicator.better,
                             sampling=questionnaire.sampling)
    scale = None
    question = questionnaire.question(indicator.question or "")
    if question is not None and question.minimum is not None and question.maximum is not None and question.minimum < question.maximum:
        scale = (float(question.minimum), float(question.maximum))
    return IndicatorSpec(indicator.id, "mean", target, indicator.better, scale, questionnaire.sampling)


@dataclass(frozen=True)
class Change:
    """Current minus previous period: `estimate` with its interval, p-values and verdict."""

    previous_period: int
    previous_estimate: float
    previous_n: int
    estimate: float
    lower: float
    upper: float
    p_value: float | None
    p_adjusted: float | None
    """Benjamini-Hochberg over every change of the table that has a p-value."""
    method: str
    clear: bool
    direction: Literal["better", "worse", "unchanged"] | None
    """Of the point estimate, by the indicator's `better`; None when it has none."""


@dataclass(frozen=True)
class CellEstimate:
    """One cell of an indicator table.

    Keys: `region_id`, `facility_id` and `period` are None when the table does not
    break down by them (a facility's cell also carries its region). `n` is the number
    of respondents (denominator); `x` the numerator count of a proportion (None for a
    mean). `estimate`, `lower`, `upper`, `se` and `target` are fractions for a
    proportion, the question's units for a mean. `df` is None for an estimate that is
    not design-based (one facility). See the module doc for `verdict`, `clear` and
    `change`.
    """

    indicator: str
    kind: Kind
    region_id: int | None
    facility_id: int | None
    period: int | None
    period_label: str | None
    n: int
    x: int | None
    estimate: float
    lower: float
    upper: float
    se: float
    method: str
    design_effect: float | None
    effective_n: float
    df: int | None
    facilities: int
    flags: tuple[str, ...]
    target: float | None
    better: Literal["higher", "lower"] | None
    verdict: str | None
    clear: bool
    change: Change | None
    level: float
    sd: float | None = None
    """A mean's sample standard deviation over all its values (None for a proportion, or one value)."""


def verdict(
    estimate: float, lower: float, upper: float, n: int, target: float | None, better: str | None, min_n: int = 5
) -> tuple[str | None, bool]:
    """(verdict, clear): "meets"/"misses" by the point estimate, clear when the interval excludes the target.

    None without a target or direction; "not_enough_data" (never clear) below `min_n`
    respondents. At exactly the target the indicator meets it.
    """
    if target is None or better not in ("higher", "lower"):
        return None, False
    if n < min_n:
        return NOT_ENOUGH_DATA, False
    meets = estimate >= target - _EPSILON if better == "higher" else estimate <= target + _EPSILON
    # A zero-width interval (a mean whose answers are all the same) measures nothing: never clear.
    clear = (lower > target + _EPSILON or upper < target - _EPSILON) and upper - lower > _EPSILON
    return (MEETS if meets else MISSES), clear


def direction_of(difference: float, better: str | None) -> Literal["better", "worse", "unchanged"] | None:
    if better not in ("higher", "lower"):
        return None
    if abs(difference) <= _EPSILON:
        return "unchanged"
    return "better" if (difference > 0) == (better == "higher") else "worse"


CellKey = tuple[str, int | None, int | None, int | None]
FacilitySums = dict[int, list[float]]
"""facility id -> [numerator, denominator, numerator squared, count] summed over the cell."""


def group_cells(rows: Iterable[FacilityTotals], by: Sequence[Dimension]) -> dict[CellKey, FacilitySums]:
    """Per-facility sums of each cell (indicator, region, facility, period; None where not broken down)."""
    dims = set(by)
    unknown = dims - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown table dimension(s) {sorted(unknown)}; choose from {', '.join(DIMENSIONS)}")
    by_region, by_facility, by_period = ("region" in dims or "facility" in dims), "facility" in dims, "period" in dims
    cells: dict[CellKey, FacilitySums] = {}
    for indicator, region_id, facility_id, period, numerator, denominator, squared, count in rows:
        key: CellKey = (
            indicator,
            region_id if by_region else None,
            facility_id if by_facility else None,
            period if by_period else None,
        )
        facilities = cells.get(key)
        if facilities is None:
            facilities = cells[key] = {}
        sums = facilities.get(facility_id)
        if sums is None:
            facilities[facility_id] = [numerator, denominator, squared, count]
        else:
            sums[0] += numerator
            sums[1] += denominator
            sums[2] += squared
            sums[3] += count
    return cells


def _count(value: float, what: str) -> int:
    if value.is_integer():  # the common case: sums of whole counts (round() would give the same)
        return int(value)
    rounded = round(value)
    if abs(value - rounded) > 1e-6:
        raise ValueError(f"{what} should be a whole number of respondents, got {value}")
    return int(rounded)


def _pairs(sums: FacilitySums) -> dict[int, tuple[int, int]]:
    return {f: (_count(s[0], "a proportion's numerator"), _count(s[1], "a proportion's denominator")) for f, s in sums.items()}


def _triples(sums: FacilitySums) -> dict[int, tuple[float, int, float]]:
    return {f: (s[0], int(s[3]), s[2]) for f, s in sums.items()}


Converted = dict[int, tuple[int, int]] | dict[int, tuple[float, int, float]]
"""A cell's per-facility sums as the statistics take them: (x, n) pairs for a proportion,
(total, count, sum of squares) for a mean."""

RegionOf = Mapping[int, int]
"""facility id -> its region id: a sampled design's strata for figures over several regions."""


def _converted(sums: FacilitySums, spec: IndicatorSpec) -> Converted:
    return _pairs(sums) if spec.kind == "proportion" else _triples(sums)


def _by_region(values: Converted, region_of: RegionOf) -> dict[int, list[tuple[int, int]] | list[tuple[float, int, float]]]:
    regions: dict[int, list[tuple[int, int]] | list[tuple[float, int, float]]] = {}
    for facility, value in values.items():
        regions.setdefault(region_of.get(facility, -1), []).append(value)  # type: ignore[arg-type]
    return regions


def _figures(values: Converted, spec: IndicatorSpec, level: float, region_of: RegionOf) -> StratifiedEstimate:
    """One cell's estimate under the questionnaire's design (see the module doc)."""
    if spec.kind == "proportion":
        if spec.sampling == "sampled":
            return region_clustered_proportion(_by_region(values, region_of), level)  # type: ignore[arg-type]
        answered: list[tuple[int, int]] = [pair for pair in values.values() if pair[1] > 0]  # type: ignore[misc]
        if len(answered) == 1:  # one facility: its clients are a simple random sample (Wilson), as in a sampled design
            return single_facility_proportion(*answered[0], level)
        return stratified_proportion(answered, level)
    for scale in (spec.scale, None):
        try:
            if spec.sampling == "sampled":
                return region_clustered_mean(_by_region(values, region_of), level, scale)  # type: ignore[arg-type]
            return stratified_mean_from_totals(values.values(), level, scale)  # type: ignore[arg-type]
        except ValueError:
            if scale is None:
                raise
            # Facts of an older version whose scale differed: estimate without clipping.
    raise AssertionError("unreachable")  # pragma: no cover


_METHODS: dict[tuple[Sampling, Kind, bool], dict[str, str]] = {
    ("monitored", "proportion", False): {STRATA: "facility_strata_kg_nchs", STRATA_LONELY: "facility_strata_kg_nchs_adjust",
                                         COLLAPSED: "collapsed_kg_nchs", SINGLE_CLIENT: "wilson", SINGLE_FACILITY: "wilson"},
    ("monitored", "mean", False): {STRATA: "facility_strata_t", STRATA_LONELY: "facility_strata_t_adjust", COLLAPSED: "collapsed_t",
                                   NOT_ESTIMABLE: "single_response"},
    ("sampled", "proportion", False): {STRATA: "kg_nchs", SINGLE_FACILITY: "wilson"},
    ("sampled", "proportion", True): {STRATA: "region_strata_kg_nchs", STRATA_LONELY: "region_strata_kg_nchs_adjust",
                                      COLLAPSED: "kg_nchs", SINGLE_FACILITY: "wilson"},
    ("sampled", "mean", False): {STRATA: "cluster_t", SINGLE_FACILITY_T: "t_single_facility", NOT_ESTIMABLE: "single_response"},
    ("sampled", "mean", True): {STRATA: "region_strata_t", STRATA_LONELY: "region_strata_t_adjust", COLLAPSED: "cluster_t",
                                SINGLE_FACILITY_T: "t_single_facility", NOT_ESTIMABLE: "single_response"},
}
"""The `method` a cell reports, by design, kind and whether it pools several regions (strata)."""
NO_VARIATION = "no_variation"
"""A mean whose values are all the same: its zero-width interval says nothing about precision."""
_SINGLE = (SINGLE_CLIENT, SINGLE_FACILITY, SINGLE_FACILITY_T, NOT_ESTIMABLE)


def estimate_cell(
    key: CellKey, sums: FacilitySums, spec: IndicatorSpec, grain: Grain, level: float, min_n: int, change: Change | None = None,
    region_of: RegionOf | None = None,
) -> CellEstimate:
    """The estimate of one cell, with the `change` given (see `change_between`); `region_of` maps
    facility ids to regions (needed for a sampled design over several regions)."""
    return _estimate_cell(key, _converted(sums, spec), spec, grain, level, min_n, change, region_of or {})


def _estimate_cell(
    key: CellKey, values: Converted, spec: IndicatorSpec, grain: Grain, level: float, min_n: int, change: Change | None,
    region_of: RegionOf,
) -> CellEstimate:
    indicator, region_id, facility_id, period = key
    label = None if period is None else period_label(period, grain)
    r = _figures(values, spec, level, region_of)
    design_df = None if r.method in _SINGLE else r.df
    effective_n = r.n_eff if r.n_eff is not None else float(r.n)
    lower = r.lower if r.lower is not None else (spec.scale[0] if spec.scale else r.estimate)
    upper = r.upper if r.upper is not None else (spec.scale[1] if spec.scale else r.estimate)
    if spec.kind == "proportion":
        flags = reliability_flags(effective_n, lower, upper, design_df)
    else:
        if spec.scale is not None:
            width = 0.30 * (spec.scale[1] - spec.scale[0])
        else:
            width = 0.30 * abs(r.estimate) if r.estimate else math.inf
        flags = reliability_flags(effective_n, lower, upper, design_df, max_width=width) + ((NO_VARIATION,) if r.no_variation else ())
    method = _METHODS[(spec.sampling, spec.kind, spec.sampling == "sampled" and r.strata > 1)].get(r.method, r.method)
    outcome, clear = verdict(r.estimate, lower, upper, r.n, spec.target, spec.better, min_n)
    return CellEstimate(
        indicator=indicator, kind=spec.kind, region_id=region_id, facility_id=facility_id, period=period,
        period_label=label, n=r.n, x=r.x, estimate=r.estimate, lower=lower, upper=upper, se=r.se, method=method,
        design_effect=r.deff, effective_n=effective_n, df=design_df, facilities=r.units, flags=flags,
        target=spec.target, better=spec.better, verdict=outcome, clear=clear, change=change, level=level,
        sd=math.sqrt(r.sample_variance) if r.sample_variance is not None else None,
    )  # fmt: skip


def change_between(
    current: FacilitySums, previous: FacilitySums, spec: IndicatorSpec, previous_key: int, level: float,
    region_of: RegionOf | None = None,
) -> Change | None:
    """Current minus previous period of one cell (see the module doc for the method)."""
    return _change_between(_converted(current, spec), _converted(previous, spec), spec, previous_key, level, region_of or {})


def _change_between(current: Converted, previous: Converted, spec: IndicatorSpec, previous_key: int, level: float,
                    region_of: RegionOf) -> Change | None:
    before = _figures(previous, spec, level, region_of)
    now = _figures(current, spec, level, region_of)
    result = difference_of(before, now, level, spec.kind, spec.scale)
    if result.lower is None or result.upper is None:
        return None
    clear = (result.lower > 0.0 or result.upper < 0.0) and result.upper - result.lower > _EPSILON
    return Change(
        previous_period=previous_key, previous_estimate=before.estimate, previous_n=before.n, estimate=result.estimate,
        lower=result.lower, upper=result.upper, p_value=result.p_value, p_adjusted=None,
        method="mover_kg_nchs" if spec.kind == "proportion" else "t_floor", clear=clear,
        direction=direction_of(result.estimate, spec.better),
    )  # fmt: skip


def adjust_changes(cells: Sequence[CellEstimate]) -> list[CellEstimate]:
    """Benjamini-Hochberg within each indicator over the table's change p-values.

    A change with a p-value is `clear` when its adjusted p-value is at most 1 - level and
    its interval excludes 0; one without (no variance) keeps the interval's verdict.
    """
    tested: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        if cell.change is not None and cell.change.p_value is not None:
            tested.setdefault(cell.indicator, []).append(i)
    result = list(cells)
    for indices in tested.values():
        adjusted = benjamini_hochberg([cells[i].change.p_value for i in indices])  # type: ignore[union-attr,misc]
        for index, q in zip(indices, adjusted, strict=True):
            cell = cells[index]
            assert cell.change is not None
            clear = cell.change.clear and q <= 1.0 - cell.level + _EPSILON
            result[index] = replace(cell, change=replace(cell.change, p_adjusted=q, clear=clear))
    return result


def tabulate(
    rows: Iterable[FacilityTotals],
    specs: Mapping[str, IndicatorSpec],
    by: Sequence[Dimension] = ("region", "period"),
    grain: Grain = "quarter",
    periods: tuple[int, int] | None = None,
    level: float = 0.95,
    min_n: int = 5,
    change: bool = True,
) -> list[CellEstimate]:
    """The cells of an indicator table, in the order of `specs`, then region, facility, period.

    `rows` are per-facility sums at `grain`; rows of indicators not in `specs` are
    ignored. Only periods within `periods` (first, last keys, inclusive; all when None)
    are tabulated; a row of the period before the first is used for the first period's
    change. Cells without respondents do not appear.
    """
    wanted = [row for row in rows if row.indicator in specs]
    region_of = {row.facility_id: row.region_id for row in wanted}
    cells = group_cells(wanted, by)
    shown = [key for key in cells if periods is None or key[3] is None or periods[0] <= key[3] <= periods[1]]
    order = {indicator: index for index, indicator in enumerate(specs)}
    shown.sort(key=lambda k: (order[k[0]], -1 if k[1] is None else k[1], -1 if k[2] is None else k[2], -1 if k[3] is None else k[3]))
    converted: dict[CellKey, Converted] = {}  # each cell's counts are converted once, though read up to three times

    def values(key: CellKey) -> Converted:
        found = converted.get(key)
        if found is None:
            found = converted[key] = _converted(cells[key], specs[key[0]])
        return found

    result = []
    for key in shown:
        spec = specs[key[0]]
        difference = None
        if change and key[3] is not None:
            before = previous_period(key[3], grain)
            previous_key = (key[0], key[1], key[2], before)
            if cells.get(previous_key):
                difference = _change_between(values(key), values(previous_key), spec, before, level, region_of)
        result.append(_estimate_cell(key, values(key), spec, grain, level, min_n, difference, region_of))
    return adjust_changes(result)


@dataclass(frozen=True)
class CellCount:
    """How many respondents a cell has (`n`) and, for a proportion, how many are in the
    numerator (`x`; None for a mean): the same `n` and `x` as its `CellEstimate`, which is
    all that disclosure control needs, without the cost of an interval."""

    indicator: str
    region_id: int | None
    facility_id: int | None
    period: int | None
    n: int
    x: int | None


def cell_counts(
    rows: Iterable[FacilityTotals],
    specs: Mapping[str, IndicatorSpec],
    by: Sequence[Dimension] = ("region", "period"),
    periods: tuple[int, int] | None = None,
) -> list[CellCount]:
    """The cells `tabulate` would give (same keys, order, `n` and `x`), counts only."""
    cells = group_cells((row for row in rows if row.indicator in specs), by)
    shown = [key for key in cells if periods is None or key[3] is None or periods[0] <= key[3] <= periods[1]]
    order = {indicator: index for index, indicator in enumerate(specs)}
    shown.sort(key=lambda k: (order[k[0]], -1 if k[1] is None else k[1], -1 if k[2] is None else k[2], -1 if k[3] is None else k[3]))
    result = []
    for key in shown:
        sums = cells[key].values()
        if specs[key[0]].kind == "proportion":
            n: int = sum(_count(s[1], "a proportion's denominator") for s in sums)
            x: int | None = sum(_count(s[0], "a proportion's numerator") for s in sums)
        else:
            n, x = sum(int(s[3]) for s in sums), None
        result.append(CellCount(key[0], key[1], key[2], key[3], n, x))
    return result



def without_regions(counts: Sequence[CellCount]) -> list[CellCount]:
    """The same counts summed over regions (n and x add up): the national cells `cell_counts`
    would give for the breakdown without "region", in the same order."""
    indicators: dict[str, int] = {}
    summed: dict[tuple[str, int | None], tuple[int, int | None]] = {}
    for cell in counts:
        indicators.setdefault(cell.indicator, len(indicators))
        key = (cell.indicator, cell.period)
        before = summed.get(key)
        if before is None:
            summed[key] = (cell.n, cell.x)
        else:
            summed[key] = (before[0] + cell.n, None if before[1] is None or cell.x is None else before[1] + cell.x)
    keys = sorted(summed, key=lambda k: (indicators[k[0]], -1 if k[1] is None else k[1]))
    return [CellCount(indicator, None, None, period, *summed[(indicator, period)]) for indicator, period in keys]
