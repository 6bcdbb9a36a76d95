"""Indicator estimates for any (indicator, region, facility, period) cell, from SQL sums.

One query per table: the monthly sums of one questionnaire's facts (all its versions, by
indicator id; `indicator_sums`, kept in step by every write) are added up per indicator,
region, facility and period with GROUP BY, filtered on questionnaire_id and a month range,
which lead the table's primary key.
The few thousand per-facility rows go to `cml.core.tabulate`, which pools them into
cells with `cml.core.stats` (facilities are clusters) and adds verdicts and change.
Labels, targets and scales come from the latest published version. The cells are kept
per process until the next write of sums (`cml.services.table_cache`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from cml.core.periods import Grain, month_range, parse_period, period_key, period_label, previous_period
from cml.core.questionnaire import Indicator, Questionnaire
from cml.core.tabulate import DIMENSIONS, CellEstimate, Dimension, FacilityTotals, IndicatorSpec, indicator_spec, tabulate
from cml.extensions import db
from cml.models import IndicatorSum
from cml.services import fact_sums, read_context, table_cache
from cml.services.sql_periods import period_sql
from cml.services.surveys import latest_version, model_of


@dataclass(frozen=True)
class EstimateTable:
    """The rows of one indicator table, with what is needed to label them.

    `rows` are `cml.core.tabulate.CellEstimate`s, ordered by indicator (questionnaire
    order), region id, facility id, period; cells without respondents are absent.
    """

    questionnaire: Questionnaire
    """The latest published version: labels, targets, the order of indicators."""
    indicators: tuple[Indicator, ...]
    by: tuple[Dimension, ...]
    grain: Grain
    period_range: tuple[int, int] | None
    level: float
    rows: list[CellEstimate]

    def __iter__(self) -> Iterator[CellEstimate]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@contextmanager
def sharing_totals() -> Iterator[None]:
    """A read-only block (`read_context.reading()`, kept under this name): its tables share
    their sums and one data version, as in a GET request; for a use case that only reads
    (an indicator export, also when asked for by POST or the command line)."""
    with read_context.reading():
        yield


def shared_facility_totals(
    questionnaire_id: int,
    indicator_ids: Sequence[str],
    grain: Grain,
    months: tuple[int, int] | None,
    region_ids: Collection[int] | None = None,
    facility_ids: Collection[int] | None = None,
) -> list[FacilityTotals]:
    """`facility_totals`, read once per read: within a read context (`cml.services.read_context`:
    a GET page, an export), a later call whose months lie inside an earlier call's (same
    questionnaire, indicators, grain and scope) takes the earlier rows instead of running the
    GROUP BY again. A dashboard page asks for the same sums up to three times (the figures,
    then the regional and national tables that decide publication). Nothing is shared
    between reads, and a request that may write has no read context, so never shares.
    """
    context = read_context.current()
    cache = None if context is None else context.totals
    if cache is None or not _aligned(months, grain):
        return facility_totals(questionnaire_id, indicator_ids, grain, months, region_ids, facility_ids)
    key = (questionnaire_id, tuple(indicator_ids), grain,
           None if region_ids is None else frozenset(region_ids), None if facility_ids is None else frozenset(facility_ids))
    if key in cache:
        held, rows = cache[key]
        if _within(months, held):
            if months is None:
                return rows
            first, last = period_key(months[0], grain), period_key(months[1], grain)
            return [row for row in rows if first <= row.period <= last]
    rows = facility_totals(questionnaire_id, indicator_ids, grain, months, region_ids, facility_ids)
    if key not in cache or _within(cache[key][0], months):
        cache[key] = (months, rows)
    return rows


def _within(inner: tuple[int, int] | None, outer: tuple[int, int] | None) -> bool:
    """Whether month range `inner` lies inside `outer` (None: every month)."""
    if outer is None:
        return True
    return inner is not None and outer[0] <= inner[0] and inner[1] <= outer[1]


def _aligned(months: tuple[int, int] | None, grain: Grain) -> bool:
    """Whether a month range starts and ends on whole periods (only those can be cut from a wider range by period)."""
    if months is None:
        return True
    return month_range(period_key(months[0], grain), grain)[0] == months[0] and month_range(period_key(months[1], grain), grain)[1] == months[1]


def facility_totals(
    questionnaire_id: int,
    indicator_ids: Sequence[str],
    grain: Grain,
    months: tuple[int, int] | None,
    region_ids: Collection[int] | None = None,
    facility_ids: Collection[int] | None = None,
) -> list[FacilityTotals]:
    """Per indicator, region, facility and period: the sums of the facts (one GROUP BY query).

    Reads `indicator_sums`, the facts already summed per month and facility, so the work
    does not grow with the number of responses, only with facilities x months.
    """
    fact = IndicatorSum.__table__.c  # Core columns: the rows need no ORM loading
    period = period_sql(fact.month, grain).label("period")
    query = (
        select(
            fact.indicator,
            fact.region_id,
            fact.facility_id,
            period,
            func.sum(fact.numerator),
            func.sum(fact.denominator),
            func.sum(fact.numerator_squared),
            func.sum(fact.facts),
        )
        .where(fact.questionnaire_id == questionnaire_id, fact.indicator.in_(list(indicator_ids)))
        .group_by(fact.indicator, fact.region_id, fact.facility_id, period)
    )
    if months is not None:
        query = query.where(fact.month >= months[0], fact.month <= months[1])
    if region_ids is not None:
        query = query.where(fact.region_id.in_(sorted(region_ids)))
    if facility_ids is not None:
        query = query.where(fact.facility_id.in_(sorted(facility_ids)))
    return [
        FacilityTotals(indicator, region_id, facility_id, int(key), float(num or 0), float(den or 0), float(sq or 0), int(count))
        for indicator, region_id, facility_id, key, num, den, sq, count in db.session.connection().execute(query).fetchall()
        if count  # a rebuild can leave a key whose facts all went away
    ]


def estimate_cells(
    questionnaire_code: str,
    indicator_ids: Sequence[str] | None = None,
    by: Sequence[Dimension] = ("region", "period"),
    grain: Grain = "quarter",
    period_range: tuple[int, int] | None = None,
    region_ids: Collection[int] | None = None,
    facility_ids: Collection[int] | None = None,
    level: float = 0.95,
    min_n: int = 5,
    change: bool = True,
) -> EstimateTable:
    """Estimates of a questionnaire's indicators, one row per cell of the table.

    :param indicator_ids: indicators of the latest version, in the order wanted (all by default).
    :param by: the breakdown, any of "region", "facility", "period" (empty: one national
        figure per indicator over the whole range).
    :param grain: "quarter", "month" or "year" (the period keys of `period_range` and the rows).
    :param period_range: (first, last) period keys at `grain`, inclusive, e.g. (20251, 20254);
        None for all. The period before `first` is read too, for the first period's change.
    :param region_ids: the regions whose facts count; None means all. Pass the user's
        scope, `cml.services.scope.region_ids(user)`; an empty set gives no rows.
    :param facility_ids: only these facilities (None: all).
    :param min_n: fewer respondents than this give the verdict "not_enough_data".
    :param change: add the change from the previous period (when broken down by period).
    Raises LookupError for an unpublished questionnaire, ValueError for an unknown
    indicator, dimension or grain.
    """
    plan = plan_table(questionnaire_code, indicator_ids, by, grain, period_range, change)
    table = EstimateTable(plan.questionnaire, plan.indicators, plan.by, grain, period_range, level, [])
    if not plan.specs or (region_ids is not None and not region_ids) or (facility_ids is not None and not facility_ids):
        return table

    def compute() -> tuple[CellEstimate, ...]:
        totals = shared_facility_totals(plan.questionnaire_id, list(plan.specs), grain, plan.months, region_ids, facility_ids)
        return tuple(tabulate(totals, plan.specs, plan.by, grain, period_range, level, min_n, change))

    # The reader's regions are part of the key: a table of one scope is never served to another.
    key = table_cache.table_key("estimate_cells", plan.key, table_cache.Scope.of(region_ids, facility_ids),
                                plan.by, grain, period_range and tuple(period_range), level, min_n, change)
    rows = table_cache.cached(key, compute, len)
    return EstimateTable(plan.questionnaire, plan.indicators, plan.by, grain, period_range, level, list(rows))


def latest_month(questionnaire_id: int, region_ids: Collection[int] | None = None) -> int | None:
    """`fact_sums.latest_month`, kept with the tables: a page without a period asks for it on every view."""

    def compute() -> int | None:
        return fact_sums.latest_month(questionnaire_id, region_ids)

    return table_cache.cached(table_cache.table_key("latest_month", questionnaire_id, table_cache.Scope.of(region_ids)), compute)


def data_months(questionnaire_id: int, region_ids: Collection[int] | None = None) -> tuple[int, ...]:
    """`fact_sums.data_months`, kept with the tables: every period field lists them."""

    def compute() -> tuple[int, ...]:
        return tuple(fact_sums.data_months(questionnaire_id, region_ids))

    return table_cache.cached(table_cache.table_key("data_months", questionnaire_id, table_cache.Scope.of(region_ids)), compute)


@dataclass(frozen=True)
class TablePlan:
    """What a table of a questionnaire reads: its indicators' specs and the months of its facts."""

    questionnaire_id: int
    version_id: int
    """The latest published version's id: a cached table follows its labels, targets and specs."""
    questionnaire: Questionnaire
    indicators: tuple[Indicator, ...]
    specs: dict[str, IndicatorSpec]
    by: tuple[Dimension, ...]
    months: tuple[int, int] | None
    """First and last month (YYYYMM) of the facts read, None for all."""

    @property
    def key(self) -> tuple[int, tuple[str, ...]]:
        """What a cached table of this plan depends on: the version (its labels, targets and specs) and the indicators read."""
        return (self.version_id, tuple(self.specs))


def plan_table(
    questionnaire_code: str,
    indicator_ids: Sequence[str] | None,
    by: Sequence[Dimension],
    grain: Grain,
    period_range: tuple[int, int] | None,
    change: bool,
) -> TablePlan:
    """Check a table's arguments (see `estimate_cells`) and work out what it reads."""
    version = latest_version(questionnaire_code)
    if version is None:
        raise LookupError(f"no published questionnaire {questionnaire_code!r}")
    questionnaire = model_of(version)
    if indicator_ids is None:
        indicators = questionnaire.indicators
    else:
        unknown = [i for i in indicator_ids if questionnaire.indicator(i) is None]
        if unknown:
            raise ValueError(f"{questionnaire_code} has no indicator(s) {', '.join(map(repr, unknown))}")
        indicators = tuple(i for name in indicator_ids if (i := questionnaire.indicator(name)) is not None)
    dims = tuple(by)
    if set(dims) - set(DIMENSIONS):
        raise ValueError(f"unknown table dimension(s) in {dims!r}; choose from {', '.join(DIMENSIONS)}")
    if grain not in ("month", "quarter", "year"):
        raise ValueError(f"unknown grain {grain!r}")
    specs: dict[str, IndicatorSpec] = {i.id: indicator_spec(questionnaire, i) for i in indicators}
    months = None
    if period_range is not None:
        first, last = period_range
        for key in period_range:
            if parse_period(period_label(key, grain)) != (grain, key):
                raise ValueError(f"{key!r} is not a {grain} key (YYYYQ for a quarter, YYYYMM for a month, YYYY for a year)")
        if first > last:
            raise ValueError(f"the period range runs backwards: {period_range!r}")
        if change and "period" in dims:
            first = previous_period(first, grain)
        months = (month_range(first, grain)[0], month_range(last, grain)[1])
    return TablePlan(version.questionnaire_id, version.id, questionnaire, indicators, specs, dims, months)
