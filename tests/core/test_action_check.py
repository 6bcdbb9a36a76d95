"""The re-check of an action on numbers: the dashboard's change statistics, the verdict words' rules."""

from __future__ import annotations

import pytest

from cml.core.action_check import Recheck, frozen_sums, recheck, thawed_sums, withheld
from cml.core.stats.differences import difference_interval
from cml.core.tabulate import FacilityTotals, IndicatorSpec, tabulate

PROPORTION = IndicatorSpec("tested", "proportion")
BASELINE, DUE = 20261, 20263


def rows(period: int, *facilities: tuple[int, int], indicator: str = "tested", region: int = 1) -> list[FacilityTotals]:
    """One row per facility: (x, n) of a proportion (x of n said yes; squares equal x for 0/1 answers)."""
    return [FacilityTotals(indicator, region, number, period, float(x), float(n), float(x), n) for number, (x, n) in enumerate(facilities, 1)]


def check(before: list[tuple[int, int]], after: list[tuple[int, int]], better: str = "higher", target: float | None = 0.9,
          spec: IndicatorSpec = PROPORTION, period: int | None = DUE) -> Recheck:
    return recheck(spec, better, BASELINE, rows(BASELINE, *before), DUE, period, rows(period or DUE, *after), target)  # type: ignore[arg-type]


def test_a_clear_improvement_has_newcombes_interval_for_one_facility() -> None:
    result = check([(20, 100)], [(60, 100)])
    assert result.verdict == "improved_clear" and result.clear
    expected = difference_interval(60, 100, 20, 100)
    assert result.change == pytest.approx(0.4)
    assert (result.change_low, result.change_high) == pytest.approx((expected.lower, expected.upper))
    assert (result.change_low, result.change_high) == pytest.approx((0.26773, 0.51246), abs=1e-5)
    assert result.p_value is not None and result.p_value < 1e-6
    assert result.baseline is not None and result.current is not None
    assert (result.baseline.n, result.current.n) == (100, 100)
    assert result.meets_target is False  # 60% is still short of 90%


def test_no_clear_change_when_the_interval_holds_zero() -> None:
    result = check([(50, 100)], [(56, 100)])
    assert result.verdict == "no_clear_change" and not result.clear
    assert result.change_low is not None and result.change_low < 0 < (result.change_high or 0)


def test_a_clear_worsening() -> None:
    result = check([(80, 100), (70, 90)], [(40, 100), (35, 95)])
    assert result.verdict == "worse_clear"
    assert result.change is not None and result.change < -0.3


def test_lower_is_better_turns_the_same_fall_into_an_improvement() -> None:
    fall = ([(30, 100)], [(5, 100)])
    assert check(*fall, better="lower", target=0.0).verdict == "improved_clear"
    assert check(*fall, better="higher").verdict == "worse_clear"
    assert check(*fall, better="lower", target=0.1).meets_target is True


def test_too_few_respondents_give_not_enough_data_with_the_figure() -> None:
    result = check([(20, 100)], [(3, 4)])
    assert result.verdict == "not_enough_data"
    assert result.current is not None and result.current.n == 4
    assert result.change is None
    assert check([(1, 3)], [(60, 100)]).verdict == "not_enough_data"


def test_no_quarter_after_the_baseline_is_not_due() -> None:
    result = check([(20, 100)], [], period=None)
    assert result.verdict == "not_due" and result.current is None
    assert result.baseline is not None and result.baseline.estimate == pytest.approx(0.2)


def test_an_earlier_quarter_is_a_provisional_comparison() -> None:
    result = recheck(PROPORTION, "higher", BASELINE, rows(BASELINE, (20, 100)), 20264, DUE, rows(DUE, (60, 100)), 0.9)
    assert result.provisional and result.verdict == "improved_clear"


def test_the_change_is_the_dashboards_change_for_consecutive_quarters() -> None:
    """Baseline and current one quarter apart: the same numbers as the dashboard's change column."""
    before, after = rows(20261, (30, 60), (12, 40), (25, 50)), rows(20262, (45, 60), (20, 45), (30, 52))
    (cell,) = [c for c in tabulate(before + after, {"tested": PROPORTION}, by=("period",)) if c.period == 20262]
    result = recheck(PROPORTION, "higher", 20261, before, 20262, 20262, after)
    assert cell.change is not None
    assert result.change == pytest.approx(cell.change.estimate)
    assert (result.change_low, result.change_high) == pytest.approx((cell.change.lower, cell.change.upper))
    assert result.p_value == pytest.approx(cell.change.p_adjusted)
    assert result.clear == cell.change.clear
    assert result.current is not None and result.current.estimate == pytest.approx(cell.estimate)


def test_a_mean_indicator_is_compared_on_its_scale() -> None:
    spec = IndicatorSpec("wait", "mean", scale=(0.0, 240.0))
    # (sum, n, sum of squares) per facility: waits around 60 minutes, then around 20.
    before = [FacilityTotals("wait", 1, 1, BASELINE, 60.0 * 40, 40, 40 * (60.0**2 + 100.0), 40)]
    after = [FacilityTotals("wait", 1, 1, DUE, 20.0 * 40, 40, 40 * (20.0**2 + 100.0), 40)]
    result = recheck(spec, "lower", BASELINE, before, DUE, DUE, after, 30.0)
    assert result.verdict == "improved_clear"
    assert result.change == pytest.approx(-40.0)
    assert result.meets_target is True


def test_withheld_hides_every_derived_figure_but_keeps_not_due() -> None:
    hidden = withheld(check([(20, 100)], [(60, 100)]))
    assert hidden.withheld and hidden.current is None and hidden.change is None and hidden.verdict == "not_enough_data"
    assert hidden.baseline is not None
    assert withheld(check([(20, 100)], [], period=None), baseline_too=True).verdict == "not_due"


def test_frozen_sums_read_back_the_same_rows() -> None:
    original = rows(BASELINE, (20, 100), (3, 9), region=4)
    assert thawed_sums("tested", BASELINE, frozen_sums(original)) == original
    with pytest.raises(ValueError):
        thawed_sums("tested", BASELINE, [[1, 2, 3]])


def test_an_action_needs_a_direction() -> None:
    with pytest.raises(ValueError):
        check([(20, 100)], [(60, 100)], better="either")
