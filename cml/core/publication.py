"""Disclosure control for published indicator tables (advocates, council exports).

Each indicator is one two-way table: regions (rows) by periods (columns), each cell
with n respondents and, for a proportion, x of them in the numerator; the national
figure of a period is its column total. `cml.core.stats.suppress` decides which cells
and totals to withhold so that none can be worked out from what is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cml.core.stats import Cell, suppress
from cml.core.stats.disclosure import PUBLISHED


class Counted(Protocol):
    """A cell of an indicator table as disclosure control sees it: a `CellEstimate` or a `CellCount`."""

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

PublicationKey = tuple[str, int | None, int | None]
"""(indicator, region id or None for the national total, period or None)."""


@dataclass(frozen=True)
class Publication:
    status: str
    """"published", "suppressed_primary" or "suppressed_complementary"."""
    reason: str | None
    """"fewer_than_k", "small_side" or "complementary" when suppressed."""

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED


def publication_status(regional: Sequence[Counted], national: Sequence[Counted], k: int) -> dict[PublicationKey, Publication]:
    """Publication status of every regional and national cell, indicator by indicator.

    :param regional: cells broken down by region (and possibly period), no facility.
    :param national: the same indicators and periods without the region breakdown.
    """
    result: dict[PublicationKey, Publication] = {}
    for indicator in sorted({c.indicator for c in regional} | {c.indicator for c in national}):
        cells = [c for c in regional if c.indicator == indicator]
        regions = sorted({c.region_id for c in cells if c.region_id is not None})
        periods = sorted({c.period for c in cells} | {c.period for c in national if c.indicator == indicator}, key=lambda p: (p is None, p or 0))
        by_key = {(c.region_id, c.period): c for c in cells}
        proportion = any(c.x is not None for c in [*cells, *national] if c.indicator == indicator)
        table = [[_cell(by_key.get((region, period)), proportion) for period in periods] for region in regions]
        if not table:
            for cell in national:
                if cell.indicator == indicator:
                    result[(indicator, None, cell.period)] = _single(cell, k)
            continue
        outcome = suppress(table, k=k)
        for i, region in enumerate(regions):
            for j, period in enumerate(periods):
                status = outcome.cells[i][j]
                result[(indicator, region, period)] = Publication(status.status, status.reason)
        for j, period in enumerate(periods):
            total = outcome.column_totals[j]
            result[(indicator, None, period)] = Publication(total.status, total.reason)
    return result


def _cell(estimate: Counted | None, proportion: bool) -> Cell:
    """A table cell; a region without answers in a period is an empty cell of the same kind."""
    if estimate is None:
        return Cell(0, 0 if proportion else None)
    return Cell(estimate.n, estimate.x)


def _single(cell: Counted, k: int) -> Publication:
    outcome = suppress([[_cell(cell, cell.x is not None)]], k=k)
    status = outcome.cells[0][0]
    return Publication(status.status, status.reason)
