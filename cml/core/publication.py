"""The one gate for published figures: a protected cube of every table an advocate can get.

What an advocate can obtain (dashboard figures and changes, trend rows, chart and funnel
points, JSON, the council table as CSV or XLSX, the brief and its PDF, the command-line
export) are all views of one table per indicator: the regions and the nation by quarters
and years. These views are linked: quarters add up to years, regions to the nation, and
a reader may combine every download. So they are protected together, once, and every
output only shows what this cube publishes:

- Each year is a two-way table with margins: regions by the year's quarters; the row
  totals are the regions' year figures, the column totals the nation's quarters, the
  grand total the nation's year. Years share no published figure (no all-time total is
  published unless it is a sum of published cells), so protecting each year's table with
  its margins (`cml.core.stats.protect_grid`: every withheld value keeps a range at
  least k wide given everything published) protects the whole set, whatever combination
  of periods and breakdowns a reader downloads.
- Indicators that read the same question are linked too (the categories of one question
  add up to its respondents): they share one pattern, so a cell withheld for one is
  withheld for all of them.
- Months are finer than any protected cell: a month figure never reaches an advocate,
  nor does a pooled figure unless every quarter it sums is published.
- Nothing says why a cell is withheld, and a region or quarter without respondents is
  published as such (n = 0), so an absent row never stands for a number.

The cube is computed from counts only (n and x per region and quarter); the gate fails
closed: a key it does not know is withheld.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from cml.core.indicators import indicator_questions
from cml.core.periods import Grain, previous_period
from cml.core.questionnaire import Questionnaire
from cml.core.stats.disclosure import SENSITIVE, protect_grids

PUBLISHED = "published"
WITHHELD = "withheld"


class Counted(Protocol):
    """A region-by-quarter count as the cube takes it (`cml.core.tabulate.CellCount`)."""

    @property
    def indicator(self) -> str: ...
    @property
    def region_id(self) -> int | None: ...
    @property
    def period(self) -> int | None: ...
    @property
    def n(self) -> int: ...
    @property
    def x(self) -> int | None: ...


@dataclass(frozen=True)
class Publication:
    status: str
    """"published" or "withheld"; nothing more is said about a withheld figure."""

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED


SHOWN = Publication(PUBLISHED)
HIDDEN = Publication(WITHHELD)
CubeKey = tuple[str, int | None, Grain, int]
"""(indicator, region id or None for the nation, "quarter" or "year", period key)."""


def linked_groups(questionnaire: Questionnaire) -> list[list[str]]:
    """The questionnaire's indicators grouped by the questions they read (linked by any shared one)."""
    parent = {indicator.id: indicator.id for indicator in questionnaire.indicators}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    readers: dict[str, str] = {}
    for indicator in questionnaire.indicators:
        for question in sorted(indicator_questions(indicator)):
            if question in readers:
                parent[root(indicator.id)] = root(readers[question])
            else:
                readers[question] = indicator.id
    groups: dict[str, list[str]] = {}
    for indicator in questionnaire.indicators:
        groups.setdefault(root(indicator.id), []).append(indicator.id)
    return list(groups.values())


@dataclass(frozen=True)
class Cube:
    """What may be published of every region and national cell at quarter and year grain."""

    published: Mapping[CubeKey, bool]
    regions: tuple[int, ...]
    quarters: tuple[int, ...]
    counts: Mapping[CubeKey, tuple[int, int | None]] = field(repr=False)
    """n and x of every cell of the cube (zero cells included), for tests and audits."""

    def status(self, indicator: str, region_id: int | None, grain: Grain, period: int | None,
               period_range: tuple[int, int] | None = None) -> Publication:
        """May this cell be shown? A pooled cell (period None) only when every quarter it adds up is."""
        if period is None:
            return self._pooled(indicator, region_id, grain, period_range)
        if grain == "month":
            return HIDDEN
        return SHOWN if self.published.get((indicator, region_id, grain, period), False) else HIDDEN

    def change_shown(self, indicator: str, region_id: int | None, grain: Grain, period: int | None) -> bool:
        """A change may be shown only when both periods are: else it gives a withheld one away."""
        if period is None:
            return False
        previous = previous_period(period, grain)
        return self.status(indicator, region_id, grain, period).published and self.status(indicator, region_id, grain, previous).published

    def _pooled(self, indicator: str, region_id: int | None, grain: Grain, period_range: tuple[int, int] | None) -> Publication:
        if grain == "month" and period_range is not None:
            return HIDDEN  # month boundaries need not fall on quarters
        quarters = [q for q in self.quarters if period_range is None or _within(q, grain, period_range)]
        if not quarters:
            return HIDDEN
        every = all(self.published.get((indicator, region_id, "quarter", q), False) for q in quarters)
        return SHOWN if every else HIDDEN


def _within(quarter: int, grain: Grain, period_range: tuple[int, int]) -> bool:
    key = quarter // 10 if grain == "year" else quarter
    return period_range[0] <= key <= period_range[1]


def protect_cube(quarterly: Iterable[Counted], groups: Sequence[Sequence[str]], k: int, rule: str = SENSITIVE) -> Cube:
    """Protect every region and national figure by quarter and year, indicator groups together.

    :param quarterly: counts by indicator, region and quarter (`cell_counts` by region and
        period at quarter grain); cells without respondents may be left out.
    :param groups: linked indicators (`linked_groups`); an indicator in no group stands alone.
    """
    counts: dict[tuple[str, int, int], tuple[int, int | None]] = {}
    kinds: dict[str, bool] = {}
    for cell in quarterly:
        if cell.region_id is None or cell.period is None:
            raise ValueError("the cube is built from counts by region and quarter")
        counts[(cell.indicator, cell.region_id, cell.period)] = (cell.n, cell.x)
        kinds[cell.indicator] = cell.x is not None
    regions = tuple(sorted({region for _, region, _ in counts}))
    quarters = tuple(sorted({quarter for _, _, quarter in counts}))
    grouped = {name for group in groups for name in group}
    all_groups = [list(group) for group in groups] + [[name] for name in sorted(kinds) if name not in grouped]
    published: dict[CubeKey, bool] = {}
    cube_counts: dict[CubeKey, tuple[int, int | None]] = {}
    for year in sorted({quarter // 10 for quarter in quarters}):
        columns = [quarter for quarter in quarters if quarter // 10 == year]
        for group in all_groups:
            present = [name for name in group if name in kinds]
            if not present:
                continue
            grids = {name: _year_grid(counts, name, kinds[name], regions, columns) for name in present}
            withheld = _protect_together(grids, k, rule)
            for name, (ns, xs) in grids.items():
                for i, region in enumerate([*regions, None]):
                    for j, (grain, period) in enumerate([*(("quarter", q) for q in columns), ("year", year)]):
                        key: CubeKey = (name, region, grain, period)  # type: ignore[assignment]
                        published[key] = (i, j) not in withheld
                        cube_counts[key] = (ns[i][j], None if xs is None else xs[i][j])
    # Read-only views: one cube is shared by every request until the next write.
    return Cube(MappingProxyType(published), regions, quarters, MappingProxyType(cube_counts))


Grid = list[list[int]]


def _year_grid(counts: Mapping[tuple[str, int, int], tuple[int, int | None]], indicator: str, proportion: bool,
               regions: Sequence[int], quarters: Sequence[int]) -> tuple[Grid, Grid | None]:
    """The bordered n (and x) grids of one indicator's year: regions by quarters, with totals."""

    def bordered(inner: Grid) -> Grid:
        grid = [[*line, sum(line)] for line in inner]
        grid.append([sum(column) for column in zip(*grid, strict=True)])
        return grid

    cells = [[counts.get((indicator, region, quarter), (0, 0 if proportion else None)) for quarter in quarters] for region in regions]
    ns = bordered([[n for n, _ in row] for row in cells])
    xs = bordered([[x or 0 for _, x in row] for row in cells]) if proportion else None
    return ns, xs


def _protect_together(grids: Mapping[str, tuple[Grid, Grid | None]], k: int, rule: str) -> set[tuple[int, int]]:
    """One withheld pattern for linked indicators: a cell withheld for one is withheld for all."""
    withheld, _ = protect_grids(list(grids.values()), k, rule)
    return withheld
