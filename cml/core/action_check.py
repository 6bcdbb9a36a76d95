"""The re-check of an action: its frozen baseline figure beside the same unit's figure now.

An action rests on one figure (an indicator, a unit, a quarter) frozen when it was opened,
with the per-facility sums behind it. The re-check estimates the same unit in the period
compared (the due quarter, or the latest quarter with data after the baseline) from the
current sums, and compares the two with the dashboard's own statistics: the cell estimate
of `cml.core.tabulate`, its change between two periods (`change_between`: independent
samples, Newcombe's square-and-add on each period's limits for a proportion, a t interval
for a mean) and the rule that makes a change clear (`adjust_changes`: the interval excludes
0 and the p-value, Benjamini-Hochberg adjusted, here over a single test, is at most
1 - level). Nothing is re-implemented here; this module only decides the words.

Verdicts: "not_due" when no quarter after the baseline has data yet; "not_enough_data"
when either figure has fewer than `min_n` respondents or no change can be estimated;
otherwise "improved_clear" or "worse_clear" for a clear change in the indicator's better
or worse direction, and "no_clear_change" for everything else. Whether the action is
closed stays a person's decision: the verdict is only shown beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from cml.core.periods import Grain, period_label
from cml.core.tabulate import (
    MEETS,
    MISSES,
    CellEstimate,
    FacilitySums,
    FacilityTotals,
    IndicatorSpec,
    adjust_changes,
    change_between,
    estimate_cell,
)

Verdict = Literal["improved_clear", "no_clear_change", "worse_clear", "not_enough_data", "not_due"]
VERDICTS: tuple[Verdict, ...] = ("improved_clear", "no_clear_change", "worse_clear", "not_enough_data", "not_due")
Better = Literal["higher", "lower"]
GRAIN: Grain = "quarter"


@dataclass(frozen=True)
class Figure:
    """One estimate of the action's unit in one quarter (fractions for a proportion)."""

    estimate: float
    low: float
    high: float
    n: int
    period: int

    @property
    def period_label(self) -> str:
        return period_label(self.period, GRAIN)


@dataclass(frozen=True)
class Recheck:
    """What the data say about an action now. `change` is current minus baseline."""

    verdict: Verdict
    better: Better
    due_period: int
    baseline: Figure | None
    """None when withheld from this reader (a facility's figure, for an advocate)."""
    current: Figure | None
    """None when not due, or withheld from this reader."""
    change: float | None = None
    change_low: float | None = None
    change_high: float | None = None
    p_value: float | None = None
    method: str | None = None
    clear: bool = False
    meets_target: bool | None = None
    target: float | None = None
    provisional: bool = False
    """The quarter compared is before the due quarter (the latest with data so far)."""
    withheld: bool = False
    """The disclosure gate hides the current figure (and so the verdict) from this reader."""
    level: float = 0.95


def next_quarter(key: int) -> int:
    """The quarter after `key` (YYYYQ)."""
    year, quarter = divmod(key, 10)
    return year * 10 + quarter + 1 if quarter < 4 else (year + 1) * 10 + 1


def frozen_sums(rows: Iterable[FacilityTotals]) -> list[list[float]]:
    """The per-facility sums of a figure as JSON keeps them: [region, facility, numerator, denominator, squares, count]."""
    return [[row.region_id, row.facility_id, row.numerator, row.denominator, row.numerator_squared, row.count] for row in rows]


def thawed_sums(indicator: str, period: int, frozen: Sequence[Sequence[Any]]) -> list[FacilityTotals]:
    """`frozen_sums` read back (a tampered or damaged record raises ValueError)."""
    rows = []
    for item in frozen:
        if len(item) != 6:
            raise ValueError(f"a frozen sum has {len(item)} fields, not 6")
        region, facility, numerator, denominator, squares, count = item
        rows.append(FacilityTotals(indicator, int(region), int(facility), period, float(numerator), float(denominator),
                                   float(squares), int(count)))
    return rows


def _sums(rows: Iterable[FacilityTotals]) -> tuple[FacilitySums, dict[int, int]]:
    """The rows pooled per facility (one cell), and each facility's region."""
    sums: FacilitySums = {}
    region_of: dict[int, int] = {}
    for row in rows:
        held = sums.setdefault(row.facility_id, [0.0, 0.0, 0.0, 0.0])
        held[0] += row.numerator
        held[1] += row.denominator
        held[2] += row.numerator_squared
        held[3] += row.count
        region_of[row.facility_id] = row.region_id
    return sums, region_of


def _figure(cell: CellEstimate, period: int) -> Figure:
    return Figure(cell.estimate, cell.lower, cell.upper, cell.n, period)


def estimate_of(spec: IndicatorSpec, rows: Sequence[FacilityTotals], period: int, level: float = 0.95, min_n: int = 5) -> CellEstimate | None:
    """The dashboard's estimate of one unit in one quarter from its per-facility rows (None without respondents)."""
    sums, region_of = _sums(rows)
    if not sums or sum(values[1] for values in sums.values()) <= 0:
        return None
    return estimate_cell((spec.id, None, None, period), sums, spec, GRAIN, level, min_n, None, region_of)


def recheck(
    spec: IndicatorSpec,
    better: Better,
    baseline_period: int,
    baseline_rows: Sequence[FacilityTotals],
    due_period: int,
    current_period: int | None,
    current_rows: Sequence[FacilityTotals],
    target: float | None = None,
    level: float = 0.95,
    min_n: int = 5,
) -> Recheck:
    """The re-check of one action (see the module doc).

    :param spec: the indicator as the dashboard tabulates it now (kind, scale, design).
    :param better: the direction frozen with the baseline ("higher" or "lower").
    :param baseline_rows: the frozen per-facility sums of the baseline figure.
    :param current_period: the quarter compared, None when no quarter after the baseline has data.
    :param current_rows: that quarter's per-facility sums of the same unit.
    :param target: the target frozen with the baseline, in the estimate's units.
    """
    if better not in ("higher", "lower"):
        raise ValueError(f"an action needs a direction, not {better!r}")
    spec = IndicatorSpec(spec.id, spec.kind, target, better, spec.scale, spec.sampling)
    base_cell = estimate_of(spec, baseline_rows, baseline_period, level, min_n)
    result = Recheck("not_due", better, due_period, None if base_cell is None else _figure(base_cell, baseline_period), None,
                     target=target, level=level)
    if current_period is None or current_period <= baseline_period:
        return result
    result = replace(result, verdict="not_enough_data", provisional=current_period < due_period)
    now_cell = estimate_of(spec, current_rows, current_period, level, min_n)
    if now_cell is None:
        return result
    meets = True if now_cell.verdict == MEETS else False if now_cell.verdict == MISSES else None
    result = replace(result, current=_figure(now_cell, current_period), meets_target=meets)
    if base_cell is None or base_cell.n < min_n or now_cell.n < min_n:
        return result
    current_sums, region_of = _sums(current_rows)
    baseline_sums, baseline_regions = _sums(baseline_rows)
    regions: Mapping[int, int] = {**baseline_regions, **region_of}
    change = change_between(current_sums, baseline_sums, spec, baseline_period, level, regions)
    if change is None:
        return result
    # The dashboard's rule for a clear change, over this one test.
    (tested,) = adjust_changes([replace(now_cell, change=change)])
    assert tested.change is not None
    final = tested.change
    if final.clear and final.direction == "better":
        verdict: Verdict = "improved_clear"
    elif final.clear and final.direction == "worse":
        verdict = "worse_clear"
    else:
        verdict = "no_clear_change"
    p_value = final.p_adjusted if final.p_adjusted is not None else final.p_value
    return replace(result, verdict=verdict, change=final.estimate, change_low=final.lower, change_high=final.upper,
                   p_value=p_value, method=final.method, clear=final.clear)


def withheld(recheck_result: Recheck, *, baseline_too: bool = False) -> Recheck:
    """The re-check as a reader shows it when the gate hides the current figure: no figure, no verdict."""
    return replace(
        recheck_result, verdict="not_due" if recheck_result.verdict == "not_due" else "not_enough_data", current=None, change=None, change_low=None, change_high=None,
        p_value=None, method=None, clear=False, meets_target=None, withheld=True,
        baseline=None if baseline_too else recheck_result.baseline,
    )  # fmt: skip


def baseline_json(cell: CellEstimate, rows: Sequence[FacilityTotals], better: Better, shown: Mapping[str, str],
                  published: bool | None) -> dict[str, Any]:
    """The frozen baseline of a new action: the figure as shown, and the sums behind it."""
    return {
        "estimate": cell.estimate, "low": cell.lower, "high": cell.upper, "n": cell.n, "x": cell.x,
        "kind": cell.kind, "method": cell.method, "level": cell.level, "interval": f"{round(cell.level * 100)}%",
        "target": cell.target, "better": better, "verdict": cell.verdict, "clear": cell.clear,
        "flags": list(cell.flags), "shown": dict(shown), "published": published,
        "sums": frozen_sums(rows),
    }  # fmt: skip
