"""Disclosure control: primary rules, complementary suppression, and attacks on the result."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from cml.core.stats import (
    COMPLEMENTARY,
    FEWER_THAN_K,
    PUBLISHED,
    SMALL_SIDE,
    SUPPRESSED_COMPLEMENTARY,
    SUPPRESSED_PRIMARY,
    Cell,
    CellStatus,
    SuppressionResult,
    cell_is_disclosive,
    primary_reason,
    suppress,
)

Grid = list[list[int]]


# --- the attacker's view -------------------------------------------------------------


def grids(result: SuppressionResult) -> tuple[list[Grid], list[list[bool]]]:
    """The (r+1) x (c+1) grids an attacker must solve (n, or x and n - x) and the mask."""
    statuses = [[*row, total] for row, total in zip(result.cells, result.row_totals)]
    statuses.append([*result.column_totals, result.grand_total])
    hidden = [[s.suppressed for s in row] for row in statuses]
    if statuses[0][0].x is None:
        return [[[s.n for s in row] for row in statuses]], hidden
    xs = [[s.x or 0 for s in row] for row in statuses]
    ys = [[s.n - (s.x or 0) for s in row] for row in statuses]
    # n = x + (n - x) and the two tables constrain separately: if x or n - x can move, n can.
    return [xs, ys, [[s.n for s in row] for row in statuses]], hidden


def equations(values: Grid, hidden: list[list[bool]]) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray]:
    """A u = b over the hidden cells: every line of cells minus its total equals zero."""
    rows, cols = len(values), len(values[0])
    unknowns = [(i, j) for i in range(rows) for j in range(cols) if hidden[i][j]]
    index = {pos: k for k, pos in enumerate(unknowns)}
    lines = [[(i, j) for j in range(cols)] for i in range(rows)] + [[(i, j) for i in range(rows)] for j in range(cols)]
    a = np.zeros((len(lines), len(unknowns)))
    b = np.zeros(len(lines))
    for row, line in enumerate(lines):
        for pos in line:
            sign = -1.0 if pos == line[-1] else 1.0
            if pos in index:
                a[row, index[pos]] += sign
            else:
                b[row] -= sign * values[pos[0]][pos[1]]
    return unknowns, a, b


def recoverable_from_one_line(hidden: list[list[bool]]) -> list[tuple[int, int]]:
    """Suppressed cells alone in their line: total minus published cells gives them away."""
    rows, cols = len(hidden), len(hidden[0])
    found = []
    for i in range(rows):
        line = [(i, j) for j in range(cols) if hidden[i][j]]
        found += line if len(line) == 1 else []
    for j in range(cols):
        line = [(i, j) for i in range(rows) if hidden[i][j]]
        found += line if len(line) == 1 else []
    return found


def integer_alternative_exists(values: Grid, hidden: list[list[bool]], pos: tuple[int, int]) -> bool:
    """Is there a table of whole non-negative counts, same published figures, other value at pos?"""
    unknowns, a, b = equations(values, hidden)
    k = unknowns.index(pos)
    true = values[pos[0]][pos[1]]
    for target in (true - 1, true + 1):
        if target < 0:
            continue
        lower = np.zeros(len(unknowns))
        upper = np.full(len(unknowns), np.inf)
        lower[k] = upper[k] = target
        found = milp(
            c=np.zeros(len(unknowns)),
            constraints=LinearConstraint(a, b, b),
            integrality=np.ones(len(unknowns)),
            bounds=Bounds(lower, upper),
        )
        if found.status == 0:
            return True
    return False


def feasible_range(values: Grid, hidden: list[list[bool]], pos: tuple[int, int], caps: Grid | None = None) -> tuple[float, float]:
    """LP bounds of the cell at pos given the published figures and counts >= 0 (and <= caps).

    The system is a network matrix, so the LP bounds are the integer bounds."""
    unknowns, a, b = equations(values, hidden)
    c = np.zeros(len(unknowns))
    c[unknowns.index(pos)] = 1.0
    bounds = [(0, None if caps is None else caps[i][j]) for i, j in unknowns]
    low = linprog(c, A_eq=a, b_eq=b, bounds=bounds)
    high = linprog(-c, A_eq=a, b_eq=b, bounds=bounds)
    assert low.status == 0
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def width(values: Grid, hidden: list[list[bool]], pos: tuple[int, int], caps: Grid | None = None) -> float:
    low, high = feasible_range(values, hidden, pos, caps)
    return high - low


def assert_protected(result: SuppressionResult) -> None:
    """Every withheld value keeps a range at least k wide: its n when it is small or a plain
    count (x and n - x move independently), else its x even to a reader who knows every n."""
    tables, hidden = grids(result)
    assert recoverable_from_one_line(hidden) == []
    k = result.k
    for i, row in enumerate(hidden):
        for j, is_hidden in enumerate(row):
            if not is_hidden:
                continue
            if len(tables) == 1:
                assert width(tables[0], hidden, (i, j)) >= k - 1e-9, (i, j, tables, hidden)
                continue
            xs, ys, ns = tables
            if ns[i][j] < k:
                assert width(xs, hidden, (i, j)) + width(ys, hidden, (i, j)) >= k - 1e-9, (i, j, tables, hidden)
            else:
                assert width(xs, hidden, (i, j), caps=ns) >= k - 1e-9, (i, j, tables, hidden)
                assert integer_alternative_exists(xs, hidden, (i, j))


def hand_made(table: list[list[Cell]], hidden: set[tuple[int | None, int | None]]) -> SuppressionResult:
    """A SuppressionResult with the given cells hidden (row/col None = a total), to test the attacker."""

    def status(row: int | None, col: int | None, cell: Cell) -> CellStatus:
        state = SUPPRESSED_COMPLEMENTARY if (row, col) in hidden else PUBLISHED
        return CellStatus(row, col, cell.n, cell.x, state, COMPLEMENTARY if (row, col) in hidden else None)

    def total(cells: list[Cell]) -> Cell:
        xs = [c.x for c in cells]
        return Cell(sum(c.n for c in cells), None if None in xs else sum(x or 0 for x in xs))

    columns = [list(column) for column in zip(*table)]
    return SuppressionResult(
        k=5,
        cells=tuple(tuple(status(i, j, c) for j, c in enumerate(row)) for i, row in enumerate(table)),
        row_totals=tuple(status(i, None, total(row)) for i, row in enumerate(table)),
        column_totals=tuple(status(None, j, total(column)) for j, column in enumerate(columns)),
        grand_total=status(None, None, total([c for row in table for c in row])),
    )


def test_attacker_recovers_a_lone_suppressed_cell() -> None:
    naive = hand_made([[Cell(3), Cell(10)], [Cell(12), Cell(20)]], {(0, 0)})
    with pytest.raises(AssertionError):
        assert_protected(naive)


def test_attacker_recovers_x_when_only_counts_were_protected() -> None:
    # A rectangle protects the counts, but both small cells of row 0 have x = 0 and the
    # row's published "yes" total is all in the visible cell: x = 0 is recovered.
    table = [[Cell(3, 0), Cell(4, 0), Cell(30, 10)], [Cell(20, 5), Cell(25, 9), Cell(40, 20)]]
    counts_only = hand_made(table, {(0, 0), (0, 1), (1, 0), (1, 1)})
    tables, hidden = grids(counts_only)
    assert recoverable_from_one_line(hidden) == []
    assert integer_alternative_exists(tables[2], hidden, (0, 0))  # n is safe
    assert not integer_alternative_exists(tables[0], hidden, (0, 0))  # x is not


# --- rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "k", "reason"),
    [
        (None, 0, 5, None),
        (None, 1, 5, FEWER_THAN_K),
        (None, 4, 5, FEWER_THAN_K),
        (None, 5, 5, None),
        (0, 3, 5, FEWER_THAN_K),
        (0, 20, 5, None),
        (20, 20, 5, None),
        (4, 20, 5, SMALL_SIDE),
        (16, 20, 5, SMALL_SIDE),
        (5, 20, 5, None),
        (15, 20, 5, None),
        (2, 20, 3, SMALL_SIDE),
        (3, 20, 3, None),
        (2, 20, 10, SMALL_SIDE),
        (1, 2, 1, None),
    ],
)
def test_primary_rule(x: int | None, n: int, k: int, reason: str | None) -> None:
    assert primary_reason(x, n, k) == reason
    assert cell_is_disclosive(x, n, k) is (reason is not None)


@pytest.mark.parametrize(("x", "n", "k", "message"), [(3, 2, 5, "exceed"), (None, 3, 0, "at least 1"), (-1, 3, 5, "negative")])
def test_primary_rule_rejects_bad_input(x: int | None, n: int, k: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        primary_reason(x, n, k)


def test_table_shape_and_mixed_cells_are_rejected() -> None:
    with pytest.raises(ValueError, match="rectangle"):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError, match="rectangle"):
        suppress([])
    with pytest.raises(ValueError, match="either"):
        suppress([[Cell(10, 2), Cell(10)]])


# --- worked examples --------------------------------------------------------------------


def test_safe_table_is_published_unchanged() -> None:
    result = suppress([[19, 16], [12, 30]])
    assert result.suppressed_cells == () and result.withheld_totals == ()
    assert all(c.status == PUBLISHED and c.reason is None for row in result.cells for c in row)


def test_two_by_two_with_one_small_cell_hides_all_four() -> None:
    result = suppress([[3, 10], [12, 20]])
    statuses = [[c.status for c in row] for row in result.cells]
    assert statuses == [
        [SUPPRESSED_PRIMARY, SUPPRESSED_COMPLEMENTARY],
        [SUPPRESSED_COMPLEMENTARY, SUPPRESSED_COMPLEMENTARY],
    ]
    assert result.cells[0][0].reason == FEWER_THAN_K
    assert result.cells[1][1].reason == COMPLEMENTARY
    assert result.withheld_totals == ()
    assert_protected(result)


def test_complements_hide_the_fewest_respondents() -> None:
    # Candidate rectangles through the 3: 30+60+9 = 99 beats 7+90+9 = 106 and 30+50+40 = 120.
    result = suppress([[3, 40, 9], [30, 50, 60], [7, 80, 90]])
    hidden = {(c.row, c.col) for c in result.suppressed_cells}
    assert hidden == {(0, 0), (0, 2), (1, 0), (1, 2)}
    assert_protected(result)


def test_lone_small_cell_in_a_row_withholds_the_row_total() -> None:
    result = suppress([[3, 0, 0], [10, 12, 7], [8, 9, 30]])
    withheld = {(t.row, t.col) for t in result.withheld_totals}
    assert (0, None) in withheld
    assert result.row_totals[0].reason == FEWER_THAN_K
    # The column of row totals then needs a second withheld figure.
    assert len(withheld) >= 2
    assert_protected(result)


def test_small_side_of_a_proportion() -> None:
    table = [[Cell(20, 2), Cell(20, 10)], [Cell(15, 7), Cell(30, 12)], [Cell(12, 6), Cell(40, 20)]]
    result = suppress(table)
    assert result.cells[0][0].status == SUPPRESSED_PRIMARY
    assert result.cells[0][0].reason == SMALL_SIDE
    assert result.cells[0][0].x == 2
    assert_protected(result)


def test_threshold_is_configurable() -> None:
    assert suppress([[3, 10], [12, 20]], k=3).suppressed_cells == ()
    assert len(suppress([[3, 10], [12, 20]], k=11).suppressed_cells) == 4


def test_tiny_table_hides_everything() -> None:
    result = suppress([[3]])
    assert result.cells[0][0].suppressed and result.grand_total.suppressed
    assert len(result.withheld_totals) == 3


def test_zero_rows_of_x_are_protected_too() -> None:
    # Two small cells in a row, both with x = 0: their n must stay uncertain.
    table = [[Cell(3, 0), Cell(4, 0), Cell(30, 10)], [Cell(20, 5), Cell(25, 9), Cell(40, 20)]]
    result = suppress(table)
    assert_protected(result)


def test_feasible_range_of_protected_cell_is_wide() -> None:
    result = suppress([[3, 10], [12, 20]])
    tables, hidden = grids(result)
    low, high = feasible_range(tables[0], hidden, (0, 0))
    assert low <= 2 and high >= 4


# --- property: nothing suppressed can be recovered ---------------------------------------

SMALLISH = st.one_of(st.integers(0, 6), st.integers(0, 40))


@st.composite
def count_tables(draw: st.DrawFn) -> list[list[int]]:
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return [[draw(SMALLISH) for _ in range(cols)] for _ in range(rows)]


@st.composite
def proportion_tables(draw: st.DrawFn) -> list[list[Cell]]:
    table = draw(count_tables())
    return [[Cell(n, draw(st.integers(0, n))) for n in row] for row in table]


@settings(max_examples=120, deadline=None)
@given(count_tables(), st.integers(2, 6))
def test_suppressed_counts_cannot_be_recovered(table: list[list[int]], k: int) -> None:
    result = suppress(table, k)
    for row, cells in zip(table, result.cells):
        for n, cell in zip(row, cells):
            assert cell.n == n
            if 0 < n < k:
                assert cell.status == SUPPRESSED_PRIMARY
            if n == 0:
                assert cell.status == PUBLISHED
    assert_protected(result)


@settings(max_examples=70, deadline=None)
@given(proportion_tables())
def test_suppressed_proportions_cannot_be_recovered(table: list[list[Cell]]) -> None:
    result = suppress(table)
    for row, cells in zip(table, result.cells):
        for source, cell in zip(row, cells):
            if cell_is_disclosive(source.x, source.n, 5):
                assert cell.status == SUPPRESSED_PRIMARY
    assert_protected(result)
