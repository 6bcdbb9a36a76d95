"""Period fields offer the periods with data; a period of another grain is converted, an unreadable one is None."""

from __future__ import annotations

from cml.core.periods import convert_period, periods_with_data, read_period

MONTHS = [202501, 202502, 202508, 202511, 202603]


def test_periods_with_data_are_distinct_and_latest_first() -> None:
    assert periods_with_data(MONTHS, "quarter") == [20261, 20254, 20253, 20251]
    assert periods_with_data(MONTHS, "year") == [2026, 2025]
    assert periods_with_data(MONTHS, "month") == sorted(MONTHS, reverse=True)
    assert periods_with_data([], "month") == []


def test_a_coarser_grain_takes_the_period_holding_it() -> None:
    assert convert_period(202508, "month", "quarter") == 20253
    assert convert_period(20253, "quarter", "year") == 2025
    assert convert_period(202603, "month", "year") == 2026


def test_a_finer_grain_takes_the_latest_period_inside_with_data_else_the_last() -> None:
    months = periods_with_data(MONTHS, "month")
    assert convert_period(20251, "quarter", "month", months) == 202502
    assert convert_period(2025, "year", "month", months) == 202511
    assert convert_period(2025, "year", "quarter", periods_with_data(MONTHS, "quarter")) == 20254
    assert convert_period(20252, "quarter", "month", months) == 202506  # no data inside: its last month


def test_read_period_converts_or_refuses() -> None:
    assert read_period("2025Q3", "quarter") == 20253
    assert read_period("2025q3", "month", [202508]) == 202508
    assert read_period("2025-11", "year") == 2025
    for text in ("", "not-a-period", "2025Q5", "2025-13", "0000Q1", "0000", "99999", "<b>"):
        assert read_period(text, "quarter") is None
