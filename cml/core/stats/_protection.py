"""Which suppressed cells of a table with margins can be recovered, and how to stop it (private).

Model. The table with its margins is an (r+1) x (c+1) grid G (row r holds the column
totals, column c the row totals, G[r][c] the grand total). Each of its lines obeys
"cells minus total = 0". Replacing the margins and the two total lines' equations by
their negatives turns this into the plain transportation system: every grid cell is
an edge between its row node and its column node, and the values of the suppressed
cells can move exactly by circulations on cycles of suppressed cells. Moving +1 along
an edge is written row -> column, -1 column -> row; because margin variables enter
negated (sign -1), a move that lowers a cell's value is only allowed if the value is
at least 1 (counts are non-negative). A suppressed cell is therefore *not* determined
by the published figures iff it lies on a directed cycle of allowed moves through
suppressed cells: then its value can change by one while every published number stays
the same and every count stays >= 0. The system matrix is totally unimodular, so this
is also exact for integer counts.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

Grid = Sequence[Sequence[int]]
Position = tuple[int, int]


def _sign(pos: Position, rows: int, cols: int) -> int:
    margin_row, margin_col = pos[0] == rows - 1, pos[1] == cols - 1
    return -1 if margin_row != margin_col else 1


def _moves(pos: Position, value: int, rows: int, cols: int) -> tuple[bool, bool]:
    """(row->col move allowed, col->row move allowed) for one cell of the grid."""
    if _sign(pos, rows, cols) > 0:
        return True, value >= 1
    return value >= 1, True


Graph = dict[int, list[tuple[int, Position]]]


def _edges(positions: Sequence[Position], values: Grid, rows: int, exclude: Position | None) -> Graph:
    cols = len(values[0])
    graph: dict[int, list[tuple[int, Position]]] = {}
    for pos in positions:
        if pos == exclude:
            continue
        forward, backward = _moves(pos, values[pos[0]][pos[1]], rows, cols)
        row_node, col_node = pos[0], rows + pos[1]
        if forward:
            graph.setdefault(row_node, []).append((col_node, pos))
        if backward:
            graph.setdefault(col_node, []).append((row_node, pos))
    return graph


def _reachable(graph: Graph, start: int, goal: int, skip: Position | None = None) -> bool:
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt, via in graph.get(node, ()):
            if nxt not in seen and via != skip:
                seen.add(nxt)
                stack.append(nxt)
    return False


def suppressed_graph(suppressed: set[Position], values: Grid) -> Graph:
    """The moves through every suppressed cell, to test several cells of one grid with `is_pinned`."""
    return _edges(sorted(suppressed), values, len(values), exclude=None)


def is_pinned(pos: Position, suppressed: set[Position], values: Grid, graph: Graph | None = None) -> bool:
    """True if the suppressed cell at `pos` is uniquely determined by the published figures.

    `graph`, when given, is `suppressed_graph(suppressed, values)`: the cell's own edges are
    skipped while searching, which is the same as leaving them out of the graph.
    """
    rows, cols = len(values), len(values[0])
    if graph is None:
        graph = suppressed_graph(suppressed, values)
    forward, backward = _moves(pos, values[pos[0]][pos[1]], rows, cols)
    row_node, col_node = pos[0], rows + pos[1]
    if forward and _reachable(graph, col_node, row_node, skip=pos):
        return False
    return not (backward and _reachable(graph, row_node, col_node, skip=pos))


def cheapest_cover(
    pos: Position, suppressed: set[Position], values: Grid, cost: Callable[[Position], float | None]
) -> list[Position]:
    """Fewest-cost published cells whose suppression puts `pos` on a cycle (see module doc).

    `cost` gives the price of suppressing a published cell, or None if it may not be used.
    Suppressed cells cost nothing. Returns the cells to add (empty if `pos` is not pinned).
    """
    rows, cols = len(values), len(values[0])
    candidates = [(i, j) for i in range(rows) for j in range(cols) if (i, j) in suppressed or cost((i, j)) is not None]
    graph = _edges(candidates, values, rows, exclude=pos)
    forward, backward = _moves(pos, values[pos[0]][pos[1]], rows, cols)
    row_node, col_node = pos[0], rows + pos[1]
    best: tuple[float, list[Position]] | None = None
    for allowed, start, goal in ((forward, col_node, row_node), (backward, row_node, col_node)):
        if not allowed:
            continue
        found = _dijkstra(graph, start, goal, lambda p: 0.0 if p in suppressed else (cost(p) or 0.0))
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    if best is None:
        raise RuntimeError(f"no complementary suppression can protect cell {pos}")
    return [p for p in best[1] if p not in suppressed]


def _dijkstra(
    graph: dict[int, list[tuple[int, Position]]], start: int, goal: int, price: Callable[[Position], float]
) -> tuple[float, list[Position]] | None:
    dist: dict[int, float] = {start: 0.0}
    back: dict[int, tuple[int, Position]] = {}
    heap: list[tuple[float, int]] = [(0.0, start)]
    while heap:
        d, node = heapq.heappop(heap)
        if node == goal:
            path: list[Position] = []
            while node != start:
                node, used = back[node]
                path.append(used)
            return d, path
        if d > dist[node]:
            continue
        for nxt, used in graph.get(node, ()):
            nd = d + price(used)
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                back[nxt] = (node, used)
                heapq.heappush(heap, (nd, nxt))
    return None
