"""Reporting periods computed by the database from the stored `month` (YYYYMM).

The same integer arithmetic as `cml.core.periods.period_key`, written so SQLite and
PostgreSQL compute it alike: both divide integers by integers with truncation, which
equals floor division for these positive values. The constants are inlined SQL
literals, not bound parameters, so the expression is textually identical in SELECT and
GROUP BY (PostgreSQL insists on that).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, literal_column

from cml.core.periods import Grain


def _int(value: int) -> ColumnElement[int]:
    return literal_column(str(int(value)), Integer)


def period_sql(month: ColumnElement[int], grain: Grain) -> ColumnElement[int]:
    """The period key of a YYYYMM column: YYYYMM (month), YYYY*10 + quarter, or YYYY."""
    if grain == "month":
        return month
    year = month // _int(100)
    if grain == "year":
        return year
    if grain == "quarter":
        month_of_year = month - year * _int(100)
        return year * _int(10) + (month_of_year - _int(1)) // _int(3) + _int(1)
    raise ValueError(f"unknown grain {grain!r}")
