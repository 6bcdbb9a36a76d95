"""Statistical disclosure control for published tables of counts and proportions.

A cell is disclosive when it counts fewer than k respondents, or when fewer than k
people stand on either side of a proportion (x "yes" or n - x "no" in 1..k-1): then a
reader who knows someone in the group learns their answer. Such cells are suppressed
(primary suppression), and further cells and totals are suppressed (complementary
suppression) until no suppressed value can be narrowed to fewer than k possible values
from the published cells and row, column and grand totals (a protection interval).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

from ._common import as_count
from ._ranges import Grid, Network, Position, network, value_range, widening_path

PUBLISHED: Final = "published"
SUPPRESSED_PRIMARY: Final = "suppressed_primary"
SUPPRESSED_COMPLEMENTARY: Final = "suppressed_complementary"
FEWER_THAN_K: Final = "fewer_than_k"
SMALL_SIDE: Final = "small_side"
COMPLEMENTARY: Final = "complementary"
SENSITIVE: Final = "sensitive"
"""Rule for sensitive questionnaires: fewer than k people, or 1 to k-1 on either side of a proportion."""
STANDARD: Final = "standard"
"""Rule for questionnaires whose answers expose nobody (training evaluations): fewer than k people only."""
RULES: Final = (SENSITIVE, STANDARD)


@dataclass(frozen=True)
class Cell:
    """One table cell: n respondents, and for a proportion the x of them who said "yes"."""

    n: int
    x: int | None = None


@dataclass(frozen=True)
class CellStatus:
    """Publication status of a cell or total.

    `row` is None for the column-totals line, `col` None for the row-totals column
    (so the grand total has both None). `status` is one of PUBLISHED,
    SUPPRESSED_PRIMARY, SUPPRESSED_COMPLEMENTARY; `reason` is None when published,
    else FEWER_THAN_K, SMALL_SIDE or COMPLEMENTARY.
    """

    row: int | None
    col: int | None
    n: int
    x: int | None
    status: str
    reason: str | None

    @property
    def suppressed(self) -> bool:
        """True when the value must not be shown."""
        return self.status != PUBLISHED


@dataclass(frozen=True)
class SuppressionResult:
    """Status of every cell (rows x columns), of every row and column total and the grand total."""

    k: int
    cells: tuple[tuple[CellStatus, ...], ...]
    row_totals: tuple[CellStatus, ...]
    column_totals: tuple[CellStatus, ...]
    grand_total: CellStatus

    @property
    def withheld_totals(self) -> tuple[CellStatus, ...]:
        """The row, column and grand totals that must not be published."""
        return tuple(t for t in (*self.row_totals, *self.column_totals, self.grand_total) if t.suppressed)

    @property
    def suppressed_cells(self) -> tuple[CellStatus, ...]:
        """The inner cells that must not be published, row by row."""
        return tuple(c for row in self.cells for c in row if c.suppressed)


def primary_reason(x: int | None, n: int, k: int = 5, rule: str = SENSITIVE) -> str | None:
    """Why a cell must be suppressed on its own, or None if it may be published.

    Rules: FEWER_THAN_K when 0 < n < k; under the SENSITIVE rule also SMALL_SIDE when x
    (if given) or n - x is in 1..k-1.
    An empty cell (n = 0) is never disclosive.
    Source: common small-cell rule for health statistics (e.g. threshold rules in
    Hundepool et al. (2012) Statistical Disclosure Control, Wiley, ch. 5; CDC/NCHS and
    UNAIDS guidance on small numbers); k = 5 by default (DESIGN.md).
    """
    if k < 1:
        raise ValueError(f"the threshold k must be at least 1, got {k}")
    n = as_count(n, "n")
    if x is not None:
        x = as_count(x, "x")
        if x > n:
            raise ValueError(f"x ({x}) cannot exceed n ({n})")
    if 0 < n < k:
        return FEWER_THAN_K
    if rule == SENSITIVE and x is not None and (0 < x < k or 0 < n - x < k):
        return SMALL_SIDE
    return None


def cell_is_disclosive(x: int | None, n: int, k: int = 5) -> bool:
    """True if a single cell x of n (x None for a plain count) must be suppressed; see `primary_reason`."""
    return primary_reason(x, n, k) is not None


def _grid(table: Sequence[Sequence[Cell | int]]) -> tuple[list[list[int]], list[list[int]] | None]:
    """The (r+1) x (c+1) grids of n and of x (None for a table of plain counts), with margins."""
    rows = [[c if isinstance(c, Cell) else Cell(as_count(c, "n")) for c in row] for row in table]
    if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("the table must be a non-empty rectangle of cells")
    with_x = {cell.x is not None for row in rows for cell in row}
    if len(with_x) > 1:
        raise ValueError("give x either for every cell (a table of proportions) or for none")

    def bordered(inner: list[list[int]]) -> list[list[int]]:
        grid = [[*line, sum(line)] for line in inner]
        grid.append([sum(column) for column in zip(*grid, strict=True)])
        return grid

    ns = [[as_count(cell.n, "n") for cell in row] for row in rows]
    if with_x != {True}:
        return bordered(ns), None
    xs = [[as_count(cell.x, "x") for cell in row] for row in rows]
    if any(x > n for x_row, n_row in zip(xs, ns, strict=True) for x, n in zip(x_row, n_row, strict=True)):
        raise ValueError("a cell has x greater than n")
    return bordered(ns), bordered(xs)


def _range_grids(pos: Position, ns: Grid, xs: Grid | None, ys: Grid | None, k: int, rule: str) -> list[tuple[Grid, Grid | None]]:
    """The grids whose ranges at `pos` add up to what must be at least k wide.

    A cell whose size is the secret (a plain count, fewer than k people, or any cell under
    the standard rule) must keep its n uncertain: n = x + (n - x), and an attacker who knows
    neither moves x and n - x independently, so their ranges add. A proportion of k or more
    people must keep its "yes" count uncertain even to an attacker who knows every cell's n
    (another indicator with the same respondents may publish it): x moves within 0..n.
    """
    if xs is None or ys is None:
        return [(ns, None)]
    if ns[pos[0]][pos[1]] < k or rule == STANDARD:
        return [(xs, None), (ys, None)]
    return [(xs, ns)]


def protect_grid(
    ns: Grid, xs: Grid | None, k: int, rule: str = SENSITIVE, forced: Collection[Position] = ()
) -> tuple[set[Position], dict[Position, str]]:
    """Withhold cells of a bordered grid until every withheld value ranges at least k wide.

    `ns` (and `xs` for proportions) are (r+1) x (c+1) grids with the totals in the last
    row and column. Returns the withheld positions and the primary reasons. `forced`
    positions are withheld whatever their values.
    """
    withheld, reasons = protect_grids([(ns, xs)], k, rule, forced)
    return withheld, reasons[0]


def protect_grids(
    grids: Sequence[tuple[Grid, Grid | None]], k: int, rule: str = SENSITIVE, forced: Collection[Position] = ()
) -> tuple[set[Position], list[dict[Position, str]]]:
    """`protect_grid` for linked tables of the same shape that must share one withheld pattern
    (indicators that read the same question): a cell withheld in one is withheld in all, and
    every withheld value of every table ranges at least k wide."""
    if not grids:
        return set(forced), []
    rows, cols = len(grids[0][0]), len(grids[0][0][0])
    reasons: list[dict[Position, str]] = []
    for ns, xs in grids:
        if len(ns) != rows or any(len(line) != cols for line in ns):
            raise ValueError("linked tables must have the same shape")
        reasons.append({(i, j): reason for i in range(rows) for j in range(cols)
                        if (reason := primary_reason(None if xs is None else xs[i][j], ns[i][j], k, rule)) is not None})
    withheld = set(forced).union(*reasons)
    tables = [_Table(ns, xs, k, rule) for ns, xs in grids]
    wide: list[set[Position]] = [set() for _ in grids]  # withholding more only widens ranges: a wide cell stays wide
    everything = {(i, j) for i in range(rows) for j in range(cols)}

    def first_narrow() -> tuple[_Table, Position] | None:
        for table, done in zip(tables, wide, strict=True):
            for pos in sorted(withheld - done):
                if table.width(pos, withheld) < k:
                    return table, pos
                done.add(pos)
        return None

    while (narrow := first_narrow()) is not None:
        table, pos = narrow
        path = table.widening(pos, withheld)
        if path is not None:
            withheld.update(path)
        elif withheld != everything:
            withheld = set(everything)  # nothing cheaper protects it: the whole table is withheld
        else:
            raise RuntimeError(f"cell {pos} cannot be protected even with the whole table withheld")
    return withheld, reasons


class _Table:
    """One table's grids and the flow networks of its current withheld cells (rebuilt when they change)."""

    def __init__(self, ns: Grid, xs: Grid | None, k: int, rule: str) -> None:
        self.ns, self.xs, self.k, self.rule = ns, xs, k, rule
        self.ys = None if xs is None else [[n - x for n, x in zip(nr, xr, strict=True)] for nr, xr in zip(ns, xs, strict=True)]
        rows, cols = len(ns), len(ns[0])
        self.big = (rows + cols + 1) * (ns[-1][-1] + 1)
        self._networks: dict[int, tuple[int, Network]] = {}

    def cost(self, pos: Position) -> float | None:
        """Price of withholding a published cell: its n, totals only when inner cells cannot do; never an empty cell."""
        value = self.ns[pos[0]][pos[1]]
        if value == 0:
            return None
        inner = pos[0] < len(self.ns) - 1 and pos[1] < len(self.ns[0]) - 1
        return float(value) if inner else float(self.big + value)

    def _arcs(self, values: Grid, caps: Grid | None, withheld: set[Position]) -> Network:
        key = id(values) * 2 + (caps is not None)
        held = self._networks.get(key)
        if held is None or held[0] != len(withheld):  # the set only grows, so its size names its state
            held = (len(withheld), network(withheld, values, caps))
            self._networks[key] = held
        return held[1]

    def width(self, pos: Position, withheld: set[Position]) -> int:
        grids = _range_grids(pos, self.ns, self.xs, self.ys, self.k, self.rule)
        return sum(value_range(pos, self._arcs(values, caps, withheld), values, caps, self.k) for values, caps in grids)

    def widening(self, pos: Position, withheld: set[Position]) -> list[Position] | None:
        grids = _range_grids(pos, self.ns, self.xs, self.ys, self.k, self.rule)
        paths = [widening_path(pos, withheld, self._arcs(values, caps, withheld), values, caps, self.k, self.cost) for values, caps in grids]
        found = [path for path in paths if path is not None]
        return min(found)[1] if found else None


def suppress(table: Sequence[Sequence[Cell | int]], k: int = 5, rule: str = SENSITIVE) -> SuppressionResult:
    """Primary and complementary suppression of a two-way table with row, column and grand totals.

    `table[i][j]` is a Cell (n, and x for a table of proportions) or a plain count n.
    1. Primary: every cell and total for which `primary_reason` is not None.
    2. Complementary: while some withheld value can be narrowed by the published cells and
       totals to a range less than k wide (for proportions: its "yes" count, given every
       n; for small cells and counts: its n), withhold the cheapest published cells that
       widen it (an augmenting path of the flow that measures the range). Cost: the
       smallest non-empty inner cells first; totals only when no inner cells can do it;
       empty cells (n = 0) are never used. When nothing helps, the whole table is withheld.
    So no withheld value can be worked out within +-k/2 from the published figures, even
    with the knowledge that counts are whole and non-negative (a protection interval of
    width k, Hundepool et al. (2012) Statistical Disclosure Control, Wiley, sec. 4.2).
    Source: Cox L.H. (1980) JASA 75:377; Fischetti M. & Salazar J.J. (2001) Operations
    Research 49:1 (protection levels as network flows).
    """
    if rule not in RULES:
        raise ValueError(f"unknown disclosure rule {rule!r}; choose from {', '.join(RULES)}")
    ns, xs = _grid(table)
    rows, cols = len(ns), len(ns[0])
    withheld, reasons = protect_grid(ns, xs, k, rule)

    def status(i: int, j: int) -> CellStatus:
        pos = (i, j)
        x = None if xs is None else xs[i][j]
        if pos in reasons:
            state, reason = SUPPRESSED_PRIMARY, reasons[pos]
        elif pos in withheld:
            state, reason = SUPPRESSED_COMPLEMENTARY, COMPLEMENTARY
        else:
            state, reason = PUBLISHED, None
        return CellStatus(i if i < rows - 1 else None, j if j < cols - 1 else None, ns[i][j], x, state, reason)

    return SuppressionResult(
        k=k,
        cells=tuple(tuple(status(i, j) for j in range(cols - 1)) for i in range(rows - 1)),
        row_totals=tuple(status(i, cols - 1) for i in range(rows - 1)),
        column_totals=tuple(status(rows - 1, j) for j in range(cols - 1)),
        grand_total=status(rows - 1, cols - 1),
    )
