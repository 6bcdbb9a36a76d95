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

Change: the current minus the previous period of the same cell. Proportions: the
design-based paired difference (`paired_clustered_difference`) when at least two
facilities report in both periods (facilities present in only one period still count
as units), Newcombe's hybrid score interval on the pooled counts when each period has
at most one facility, else the design-adjusted Newcombe (MOVER) difference of
independent clustered samples, which has no p-value. Means: `paired_mean_difference`
(falling back to Welch). The p-values of all the changes of one table are adjusted
with Benjamini-Hochberg; a change is `clear` when its adjusted p-value is at most
1 - level, or, without a p-value, when its interval excludes 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from cml.core.periods import Grain, period_label, previous_period
from cml.core.questionnaire import Indicator, Questionnaire
from cml.core.stats import (
    benjamini_hochberg,
    clustered_difference,
    clustered_mean_from_totals,
    clustered_proportion,
    difference_interval,
    paired_clustered_difference,
    paired_mean_difference,
    reliability_flags,
)
from cml.core.stats.means import ClusteredMean

Dimension = Literal["region", "facility", "period"]
DIMENSIONS: tuple[Dimension, ...] = ("region", "facility", "period")
Kind = Literal["proportion", "mean"]

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
    clip intervals.
    """

    id: str
    kind: Kind
    target: float | None = None
    better: Literal["higher", "lower"] | None = None
    scale: tuple[float, float] | None = None


def indicator_spec(questionnaire: Questionnaire, indicator: Indicator) -> IndicatorSpec:
    """The spec of one of the questionnaire's indicators (proportion targets become fractions)."""
    target = indicator.target
    if indicator.type == "proportion":
        return IndicatorSpec(indicator.id, "proportion", None if target is None else target / 100.0, indicator.better)
    scale = None
    question = questionnaire.question(indicator.question or "")
    if question is not None and question.minimum is not None and question.maximum is not None and question.minimum < question.maximum:
        scale = (float(question.minimum), float(question.maximum))
    return IndicatorSpec(indicator.id, "mean", target, indicator.better, scale)


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
    clear = lower > target + _EPSILON or upper < target - _EPSILON
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


def _mean(triples: Iterable[tuple[float, int, float]], level: float, scale: tuple[float, float] | None) -> ClusteredMean:
    triples = list(triples)
    try:
        return clustered_mean_from_totals(triples, level, scale)
    except ValueError:
        if scale is None:
            raise
        # Facts of an older version whose scale differed: estimate without clipping.
        return clustered_mean_from_totals(triples, level, None)


Converted = dict[int, tuple[int, int]] | dict[int, tuple[float, int, float]]
"""A cell's per-facility sums as the statistics take them: (x, n) pairs for a proportion,
(total, count, sum of squares) for a mean."""


def _converted(sums: FacilitySums, spec: IndicatorSpec) -> Converted:
    return _pairs(sums) if spec.kind == "proportion" else _triples(sums)


def estimate_cell(
    key: CellKey, sums: FacilitySums, spec: IndicatorSpec, grain: Grain, level: float, min_n: int, change: Change | None = None
) -> CellEstimate:
    """The estimate of one cell, with the `change` given (see `change_between`)."""
    return _estimate_cell(key, _converted(sums, spec), spec, grain, level, min_n, change)


def _estimate_cell(
    key: CellKey, values: Converted, spec: IndicatorSpec, grain: Grain, level: float, min_n: int, change: Change | None
) -> CellEstimate:
    indicator, region_id, facility_id, period = key
    label = None if period is None else period_label(period, grain)
    if spec.kind == "proportion":
        p = clustered_proportion(values.values(), level)  # type: ignore[arg-type]
        design_df = p.df if p.clusters >= 2 else None
        flags = reliability_flags(p.effective_n, p.lower, p.upper, design_df)
        estimate, lower, upper, se, n, x = p.estimate, p.lower, p.upper, p.se, p.n, p.x
        method, design_effect, effective_n, clusters = p.method, p.design_effect, p.effective_n, p.clusters
    else:
        m = _mean(values.values(), level, spec.scale)  # type: ignore[arg-type]
        design_df = m.df if m.method in ("t_linearised", "t_srs_zero_variance") else None
        if spec.scale is not None:
            width = 0.30 * (spec.scale[1] - spec.scale[0])
        else:
            width = 0.30 * abs(m.estimate) if m.estimate else math.inf
        flags = reliability_flags(m.effective_n, m.lower, m.upper, design_df, max_width=width)
        estimate, lower, upper, se, n, x = m.estimate, m.lower, m.upper, m.se, m.n, None
        method, design_effect, effective_n, clusters = m.method, m.design_effect, m.effective_n, m.clusters
    outcome, clear = verdict(estimate, lower, upper, n, spec.target, spec.better, min_n)
    return CellEstimate(
        indicator=indicator, kind=spec.kind, region_id=region_id, facility_id=facility_id, period=period,
        period_label=label, n=n, x=x, estimate=estimate, lower=lower, upper=upper, se=se, method=method,
        design_effect=design_effect, effective_n=effective_n, df=design_df, facilities=clusters, flags=flags,
        target=spec.target, better=spec.better, verdict=outcome, clear=clear, change=change, level=level,
    )  # fmt: skip


def change_between(
    current: FacilitySums, previous: FacilitySums, spec: IndicatorSpec, previous_key: int, level: float
) -> Change | None:
    """Current minus previous period of one cell (see the module doc for the methods)."""
    return _change_between(_converted(current, spec), _converted(previous, spec), spec, previous_key, level)


def _change_between(current: Converted, previous: Converted, spec: IndicatorSpec, previous_key: int, level: float) -> Change | None:
    facilities = sorted(set(current) | set(previous))
    both = [f for f in facilities if f in current and f in previous]
    if spec.kind == "proportion":
        now: dict[int, tuple[int, int]] = current  # type: ignore[assignment]
        before: dict[int, tuple[int, int]] = previous  # type: ignore[assignment]
        x2, n2 = sum(x for x, _ in before.values()), sum(n for _, n in before.values())
        if len(both) >= 2:
            rows = [(*now.get(f, (0, 0)), *before.get(f, (0, 0))) for f in facilities]
            paired = paired_clustered_difference(rows, level)
            estimate, lower, upper, p_value, method = paired.estimate, paired.lower, paired.upper, paired.p_value, paired.method
        elif len(now) <= 1 and len(before) <= 1:
            x1, n1 = sum(x for x, _ in now.values()), sum(n for _, n in now.values())
            plain = difference_interval(x1, n1, x2, n2, level)
            estimate, lower, upper, p_value, method = plain.estimate, plain.lower, plain.upper, plain.p_value, plain.method
        else:
            mover = clustered_difference(now.values(), before.values(), level)
            estimate, lower, upper, p_value, method = mover.estimate, mover.lower, mover.upper, None, mover.method
        previous_estimate, previous_n = x2 / n2, n2
    else:
        now_t: dict[int, tuple[float, int, float]] = current  # type: ignore[assignment]
        before_t: dict[int, tuple[float, int, float]] = previous  # type: ignore[assignment]
        empty = (0.0, 0, 0.0)
        result = paired_mean_difference(((now_t.get(f, empty), before_t.get(f, empty)) for f in facilities), level, spec.scale)
        if result is None:
            return None
        previous_n = sum(m for _, m, _ in before_t.values())
        previous_estimate = sum(t for t, _, _ in before_t.values()) / previous_n
        estimate, lower, upper, p_value, method = result.estimate, result.lower, result.upper, result.p_value, result.method
    clear = lower > 0.0 or upper < 0.0
    return Change(
        previous_period=previous_key, previous_estimate=previous_estimate, previous_n=previous_n, estimate=estimate,
        lower=lower, upper=upper, p_value=p_value, p_adjusted=None, method=method, clear=clear,
        direction=direction_of(estimate, spec.better),
    )  # fmt: skip


def adjust_changes(cells: Sequence[CellEstimate]) -> list[CellEstimate]:
    """Benjamini-Hochberg over the table's change p-values; `clear` then follows the adjusted value."""
    tested = [i for i, cell in enumerate(cells) if cell.change is not None and cell.change.p_value is not None]
    adjusted = benjamini_hochberg([cells[i].change.p_value for i in tested])  # type: ignore[union-attr,misc]
    result = list(cells)
    for index, q in zip(tested, adjusted, strict=True):
        cell = cells[index]
        assert cell.change is not None
        result[index] = replace(cell, change=replace(cell.change, p_adjusted=q, clear=q <= 1.0 - cell.level + _EPSILON))
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
    cells = group_cells((row for row in rows if row.indicator in specs), by)
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
                difference = _change_between(values(key), values(previous_key), spec, before, level)
        result.append(_estimate_cell(key, values(key), spec, grain, level, min_n, difference))
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
