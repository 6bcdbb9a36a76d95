"""Disclosure control over indicator tables, including sparse ones with empty cells."""

from __future__ import annotations

from cml.core.publication import publication_status
from cml.core.tabulate import CellEstimate


def cell(indicator: str, region: int | None, period: int, n: int, x: int | None) -> CellEstimate:
    kind = "proportion" if x is not None else "mean"
    return CellEstimate(indicator, kind, region, None, period, str(period), n, x, 0.5, 0.4, 0.6, 0.05, "kg_nchs",
                        1.0, float(n), 3, 2, (), None, None, None, False, None, 0.95)


def test_sparse_mean_and_proportion_tables_do_not_fail() -> None:
    regional = [cell("wait", 1, 20261, 12, None), cell("wait", 2, 20262, 3, None), cell("tested", 1, 20261, 40, 2), cell("tested", 2, 20262, 30, 15)]
    national = [cell("wait", None, 20261, 12, None), cell("wait", None, 20262, 3, None), cell("tested", None, 20261, 40, 2), cell("tested", None, 20262, 30, 15)]
    status = publication_status(regional, national, k=5)
    assert status[("wait", 1, 20261)].published
    assert not status[("wait", 2, 20262)].published  # 3 respondents
    assert not status[("tested", 1, 20261)].published  # 2 of 40 on one side
    assert not status[("tested", None, 20261)].published  # the national total would give it away


def test_a_single_small_region_is_protected_by_a_complement() -> None:
    regional = [cell("tested", r, 20261, n, x) for r, n, x in ((1, 40, 2), (2, 30, 15), (3, 50, 20))]
    national = [cell("tested", None, 20261, 120, 37)]
    status = publication_status(regional, national, k=5)
    hidden = [r for r in (1, 2, 3) if not status[("tested", r, 20261)].published]
    assert 1 in hidden and len(hidden) >= 2 or not status[("tested", None, 20261)].published
