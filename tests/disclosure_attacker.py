"""The attacker of published indicator tables: integer programs that bound every withheld count.

An indicator's published figures are sums of its region-by-quarter cells: a region's
quarter, a region's year, the nation's quarter or year. The attacker knows every published
"yes" count x and "no" count y = n - x, that counts are whole and non-negative, and, in the
stronger model, the n of every cell (another indicator with the same respondents may publish
it). For each withheld figure the attacker solves for the smallest and largest value it can
take (scipy's `milp`, exact for integers). A figure is recovered when both are equal.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Fine = tuple[Hashable, int]
"""(region id, quarter key): the finest cell of the cube."""
Figure = tuple[Hashable, str, int]
"""(region id or None for the nation, "quarter" or "year", period key)."""


def fine_cells_of(figure: Figure, regions: Sequence[Hashable], quarters: Sequence[int]) -> list[Fine]:
    region, grain, period = figure
    in_period = [q for q in quarters if (q if grain == "quarter" else q // 10) == period]
    chosen = list(regions) if region is None else [region]
    return [(r, q) for r in chosen for q in in_period]


@dataclass
class Attack:
    regions: Sequence[Hashable]
    quarters: Sequence[int]
    published: Mapping[Figure, tuple[int, int | None]]
    """Published figure -> (n, x); x None for a mean's figure (then only n is known)."""

    def _index(self) -> dict[Fine, int]:
        return {(r, q): i for i, (r, q) in enumerate((r, q) for r in self.regions for q in self.quarters)}

    def _solve(self, c: np.ndarray, rows: list[np.ndarray], values: list[float], lower: np.ndarray, upper: np.ndarray) -> float | None:
        constraints = [LinearConstraint(np.array(rows), np.array(values), np.array(values))] if rows else []
        found = milp(c=c, constraints=constraints, integrality=np.ones(len(c)), bounds=Bounds(lower, upper))
        if found.status != 0 and "unbounded" in found.message:  # the true counts are always feasible
            return None
        assert found.status == 0, found.message
        return float(c @ found.x)

    def n_range(self, figure: Figure) -> tuple[float, float]:
        """Bounds of a withheld figure's n, knowing the published x and y (or n) of every figure."""
        index = self._index()
        size = len(index)
        proportion = any(x is not None for _, x in self.published.values())
        width = 2 * size if proportion else size
        rows, values = [], []
        for shown, (n, x) in self.published.items():
            cells = [index[f] for f in fine_cells_of(shown, self.regions, self.quarters)]
            if proportion:
                assert x is not None
                for offset, value in ((0, x), (size, n - x)):
                    row = np.zeros(width)
                    row[[offset + i for i in cells]] = 1
                    rows.append(row)
                    values.append(value)
            else:
                row = np.zeros(width)
                row[cells] = 1
                rows.append(row)
                values.append(n)
        target = np.zeros(width)
        for f in fine_cells_of(figure, self.regions, self.quarters):
            target[index[f]] = 1
            if proportion:
                target[size + index[f]] = 1
        lower, upper = np.zeros(width), np.full(width, np.inf)
        low = self._solve(target, rows, values, lower, upper)
        high = self._solve(-target, rows, values, lower, upper)
        return (low if low is not None else 0.0), (np.inf if high is None else -high)

    def x_range(self, figure: Figure, true_n: Mapping[Fine, int]) -> tuple[float, float]:
        """Bounds of a withheld figure's x, knowing the published x and the true n of every cell."""
        index = self._index()
        size = len(index)
        rows, values = [], []
        for shown, (_, x) in self.published.items():
            assert x is not None
            row = np.zeros(size)
            row[[index[f] for f in fine_cells_of(shown, self.regions, self.quarters)]] = 1
            rows.append(row)
            values.append(x)
        target = np.zeros(size)
        target[[index[f] for f in fine_cells_of(figure, self.regions, self.quarters)]] = 1
        upper = np.array([true_n.get(f, 0) for f in index], dtype=float)
        low = self._solve(target, rows, values, np.zeros(size), upper)
        high = self._solve(-target, rows, values, np.zeros(size), upper)
        assert low is not None and high is not None
        return low, -high


def attack_indicator(
    regions: Sequence[Hashable], quarters: Sequence[int], published: Mapping[Figure, tuple[int, int | None]],
    withheld: Iterable[Figure], truth: Mapping[Fine, tuple[int, int | None]], k: int, standard: bool = False,
) -> tuple[int, int, list[tuple[Figure, float, float]]]:
    """(withheld figures checked, figures recovered exactly, figures whose range is under k wide with their bounds).

    A figure of fewer than k people (or any figure of a mean or of a standard questionnaire)
    must keep its n uncertain; any other figure of a proportion must keep its x uncertain
    even to an attacker who knows every cell's n.
    """
    attack = Attack(regions, quarters, published)
    true_n = {f: n for f, (n, _) in truth.items()}
    checked = recovered = 0
    narrow: list[tuple[Figure, float, float]] = []
    for figure in withheld:
        cells = fine_cells_of(figure, regions, quarters)
        n = sum(truth.get(f, (0, None))[0] for f in cells)
        proportion = any(x is not None for _, x in published.values()) or any(x is not None for _, x in truth.values())
        if n < k or not proportion or standard:
            low, high = attack.n_range(figure)
        else:
            low, high = attack.x_range(figure, true_n)
        checked += 1
        if high - low < 0.5:
            recovered += 1
        if high - low < k - 1e-9:
            narrow.append((figure, low, high))
    return checked, recovered, narrow
