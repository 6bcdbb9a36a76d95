"""Reporting periods (month, quarter, year) as sortable keys and readable labels.

Facts store the interview month as an integer `YYYYMM`; quarter and year keys are
derived from it with integer arithmetic that SQLite and PostgreSQL compute alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

Grain = Literal["month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("quarter", "month", "year")

FIRST_YEAR, LAST_YEAR = 1900, 2999
"""Years a period field reads; others are typing slips (and year 0 has no calendar date)."""
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")


def month_key(day: date) -> int:
    """`YYYYMM` of a date, as stored with every fact."""
    return day.year * 100 + day.month


def period_key(month: int, grain: Grain) -> int:
    """The sortable key of the period holding `month` (YYYYMM): YYYYMM, YYYYQ or YYYY."""
    year, mon = divmod(month, 100)
    if grain == "month":
        return month
    if grain == "quarter":
        return year * 10 + (mon - 1) // 3 + 1
    return year


def period_label(key: int, grain: Grain) -> str:
    """`2026-11`, `2026Q4` or `2026` for a period key."""
    if grain == "month":
        return f"{key // 100:04d}-{key % 100:02d}"
    if grain == "quarter":
        return f"{key // 10:04d}Q{key % 10}"
    return f"{key:04d}"


def parse_period(text: str) -> tuple[Grain, int] | None:
    """The grain and key of a label such as `2026Q3`, `2026-07` or `2026`; None if unreadable."""
    text = text.strip().upper()
    if match := _QUARTER.match(text):
        return "quarter", int(match[1]) * 10 + int(match[2])
    if match := _MONTH.match(text):
        return "month", int(match[1]) * 100 + int(match[2])
    if match := _YEAR.match(text):
        return "year", int(match[1])
    return None


def month_range(key: int, grain: Grain) -> tuple[int, int]:
    """First and last month (YYYYMM) of a period, for range filters on the month column."""
    if grain == "month":
        return key, key
    if grain == "quarter":
        year, quarter = divmod(key, 10)
        first = (quarter - 1) * 3 + 1
        return year * 100 + first, year * 100 + first + 2
    return key * 100 + 1, key * 100 + 12


def previous_period(key: int, grain: Grain) -> int:
    """The period before `key` at the same grain."""
    if grain == "month":
        year, mon = divmod(key, 100)
        return key - 1 if mon > 1 else (year - 1) * 100 + 12
    if grain == "quarter":
        year, quarter = divmod(key, 10)
        return key - 1 if quarter > 1 else (year - 1) * 10 + 4
    return key - 1


def period_of(day: date, grain: Grain = "quarter") -> int:
    return period_key(month_key(day), grain)


def periods_with_data(months: Iterable[int], grain: Grain) -> list[int]:
    """The periods at `grain` holding any of these months (YYYYMM), latest first: the choices a period field offers."""
    return sorted({period_key(month, grain) for month in months}, reverse=True)


def convert_period(key: int, from_grain: Grain, to_grain: Grain, available: Sequence[int] = ()) -> int:
    """A period of one grain as a period of another: the period holding it, or, going finer,
    the latest period inside it that has data (`available`, at `to_grain`), else its last one."""
    first, last = month_range(key, from_grain)
    inside = [p for p in available if first <= month_range(p, to_grain)[0] <= last]
    return max(inside) if inside else period_key(last, to_grain)


def read_period(text: str, grain: Grain, available: Sequence[int] = ()) -> int | None:
    """The period a typed or linked label means at `grain` (a label of another grain is converted); None if it does not parse."""
    parsed = parse_period(text) if text else None
    if parsed is None or not FIRST_YEAR <= int(period_label(parsed[1], parsed[0])[:4]) <= LAST_YEAR:
        return None
    their_grain, key = parsed
    return key if their_grain == grain else convert_period(key, their_grain, grain, available)
