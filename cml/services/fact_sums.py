"""Keeping `indicator_sums` in step with the indicator facts.

Every write of facts adds its sums in the same transaction (an upsert per key, the keys
in a fixed order so concurrent writers on PostgreSQL cannot deadlock). Whatever writes
facts another way (a rebuild, a bulk loader) calls `refresh` for the months it touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from cml.extensions import db
from cml.models import IndicatorFact, IndicatorSum
from cml.services import data_version

KEY = ("questionnaire_id", "indicator", "month", "region_id", "facility_id")
VALUES = ("numerator", "denominator", "numerator_squared")


def add(facts: Iterable[Mapping[str, Any]], connection: Connection | None = None) -> None:
    """Add the sums of fact rows (dicts with the fact columns) to `indicator_sums`, through the
    session or `connection` (the group committer's); a rebuild passes the facts it removes
    with negated values and `count` -1."""
    totals: dict[tuple[Any, ...], list[float]] = {}
    for fact in facts:
        key = tuple(fact[k] for k in KEY)
        row = totals.setdefault(key, [0.0, 0.0, 0.0, 0])
        row[0] += fact["numerator"]
        row[1] += fact["denominator"]
        row[2] += fact["numerator_squared"]
        row[3] += fact.get("count", 1)  # -1 when a rebuild takes a fact away
    add_totals([(*key, *value) for key, value in totals.items()], connection)


def add_totals(rows: Iterable[tuple[Any, ...]], connection: Connection | None = None) -> None:
    """Add already summed rows, each `(*KEY, *VALUES, facts)` with every key at most once.

    The upsert goes through the driver on the same connection (so in the same transaction):
    SQLAlchemy's per-row parameter handling cost ten times the driver's work for the tens of
    thousands of keys an import touches. SQLite takes the rows as executemany; PostgreSQL
    takes them as one statement over arrays, not a statement per row."""
    ordered = sorted(rows)  # keys in one order: PostgreSQL writers cannot deadlock on them
    if not ordered:
        return
    data_version.bump(connection)  # first, before any lock on indicator_sums (see data_version)
    connection = connection if connection is not None else db.session.connection()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dialect.name == "postgresql":
            columns = [list(column) for column in zip(*ordered, strict=True)]
            for at in range(len(KEY), len(KEY) + len(VALUES)):  # float8[] whatever numbers came
                columns[at] = [float(value) for value in columns[at]]
            cursor.execute(_POSTGRESQL_UPSERT, columns)
        else:
            cursor.executemany(_SQLITE_UPSERT, ordered)
    finally:
        cursor.close()


_ADD = (f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
        + ", ".join(f"{name} = indicator_sums.{name} + excluded.{name}" for name in (*VALUES, "facts")))
_SQLITE_UPSERT = f"INSERT INTO indicator_sums ({', '.join((*KEY, *VALUES, 'facts'))}) VALUES ({', '.join('?' * 9)}) {_ADD}"  # noqa: S608 (constant names)
# unnest keeps the arrays' (sorted) order, so rows are locked in key order as with one row at a time;
# binary arrays (%b) cost the client a third of text ones.
_POSTGRESQL_UPSERT = (
    f"INSERT INTO indicator_sums ({', '.join((*KEY, *VALUES, 'facts'))}) "  # noqa: S608 (constant names)
    "SELECT * FROM unnest(%b::integer[], %b::text[], %b::integer[], %b::integer[], %b::integer[], "
    f"%b::float8[], %b::float8[], %b::float8[], %b::integer[]) {_ADD}"
)


def refresh(questionnaire_id: int | None = None, months: Iterable[int] | None = None) -> None:
    """Recompute the sums from the facts, for a questionnaire and months (default: all)."""
    data_version.bump()  # first, before any lock on indicator_sums (see data_version)
    where = []
    if questionnaire_id is not None:
        where.append(IndicatorFact.questionnaire_id == questionnaire_id)
    chosen = sorted(set(months)) if months is not None else None
    if chosen is not None:
        where.append(IndicatorFact.month.in_(chosen))
    target = delete(IndicatorSum)
    if questionnaire_id is not None:
        target = target.where(IndicatorSum.questionnaire_id == questionnaire_id)
    if chosen is not None:
        target = target.where(IndicatorSum.month.in_(chosen))
    db.session.execute(target)
    summed = (
        select(
            *(getattr(IndicatorFact, k) for k in KEY),
            func.sum(IndicatorFact.numerator),
            func.sum(IndicatorFact.denominator),
            func.sum(IndicatorFact.numerator_squared),
            func.count(),
        )
        .where(*where)
        .group_by(*(getattr(IndicatorFact, k) for k in KEY))
    )
    db.session.execute(insert(IndicatorSum).from_select([*KEY, *VALUES, "facts"], summed))


def fact_months(questionnaire_id: int) -> list[int]:
    """The months a questionnaire has facts in, for refreshing month by month."""
    return list(db.session.scalars(select(IndicatorFact.month).where(IndicatorFact.questionnaire_id == questionnaire_id).distinct().order_by(IndicatorFact.month)))


def data_months(questionnaire_id: int, region_ids: Iterable[int] | None = None) -> list[int]:
    """The months (YYYYMM) with answers to a questionnaire in these regions (default: all), for period choices."""
    query = select(IndicatorSum.month).where(IndicatorSum.questionnaire_id == questionnaire_id).distinct()
    if region_ids is not None:
        query = query.where(IndicatorSum.region_id.in_(sorted(region_ids)))
    return sorted(int(month) for month in db.session.scalars(query))


def latest_month(questionnaire_id: int, region_ids: Iterable[int] | None = None) -> int | None:
    """The latest month (YYYYMM) with answers to a questionnaire, in these regions (default: all)."""
    query = select(func.max(IndicatorSum.month)).where(IndicatorSum.questionnaire_id == questionnaire_id)
    if region_ids is not None:
        query = query.where(IndicatorSum.region_id.in_(sorted(region_ids)))
    value = db.session.scalar(query)
    return int(value) if value else None
