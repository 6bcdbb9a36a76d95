"""How far a withheld cell of a table with margins can move, and how to widen it (private).

Model: the table with its margins is an (r+1) x (c+1) grid
whose row r holds the column totals and column c the row totals. Each grid cell is an
edge between its row node and its column node; the values of the withheld cells can
change exactly by circulations on cycles of withheld edges. Sending t units along an
edge from its row node to its column node adds `sign * t` to its value, where sign is -1
for the margins (except the grand total) and +1 elsewhere; going the other way adds
`-sign * t`.

A value can rise as far as the edges allow: without an upper bound (the attacker does
not know the cell's size) or up to a cap (e.g. a "yes" count cannot exceed the cell's n,
which other tables may publish). It can fall by at most its value (counts are never
negative). So the largest rise or fall of one withheld value, with every published
figure unchanged, is a maximum flow around the cycle through its edge, and the values
it can take form one unbroken range: the attacker's best integer bounds are the flow
bounds, because the system's matrix is a network matrix (totally unimodular).

`value_range` measures that range (capped, as only "at least p wide" matters);
`widening_path` finds the cheapest published cells whose withholding adds at least one
unit to it (an augmenting path in the residual network).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Collection, Sequence

Grid = Sequence[Sequence[int]]
Position = tuple[int, int]
Arc = tuple[int, int]
UNBOUNDED = 1 << 60


def _sign(pos: Position, rows: int, cols: int) -> int:
    margin_row, margin_col = pos[0] == rows - 1, pos[1] == cols - 1
    return -1 if margin_row != margin_col else 1


def _room(pos: Position, row_to_col: bool, values: Grid, caps: Grid | None) -> int:
    """How many units can be sent through the cell's edge in one orientation."""
    rows, cols = len(values), len(values[0])
    change = _sign(pos, rows, cols) * (1 if row_to_col else -1)
    value = values[pos[0]][pos[1]]
    if change > 0:
        return UNBOUNDED if caps is None else max(caps[pos[0]][pos[1]] - value, 0)
    return value


def _arcs(pos: Position, rows: int) -> tuple[Arc, Arc]:
    """(row -> column, column -> row) arcs of a cell's edge."""
    row_node, col_node = pos[0], rows + pos[1]
    return (row_node, col_node), (col_node, row_node)


Network = dict[int, dict[int, int]]


def network(withheld: Collection[Position], values: Grid, caps: Grid | None) -> Network:
    """The moves through every withheld cell: built once per set of withheld cells, then
    copied (without the measured cell's own edge) for each cell measured."""
    rows = len(values)
    arcs: Network = {}
    for pos in withheld:
        forward, backward = _arcs(pos, rows)
        for (tail, head), row_to_col in ((forward, True), (backward, False)):
            arcs.setdefault(tail, {})[head] = _room(pos, row_to_col, values, caps)
            arcs.setdefault(head, {}).setdefault(tail, 0)
    return arcs


def _without(arcs: Network, pos: Position, rows: int) -> Network:
    """A copy of the network with the cell's own edge taken out (it is the one being moved)."""
    residual = {node: dict(heads) for node, heads in arcs.items()}
    (row_node, col_node), _ = _arcs(pos, rows)
    if col_node in residual.get(row_node, {}):
        residual[row_node][col_node] = 0
        residual[col_node][row_node] = 0
    return residual


def _max_flow(residual: Network, source: int, sink: int, limit: int) -> int:
    """Edmonds-Karp up to `limit` units; `residual` is left as the residual network."""
    flow = 0
    while flow < limit:
        back: dict[int, int] = {source: source}
        queue = deque([source])
        while queue and sink not in back:
            node = queue.popleft()
            for nxt, room in residual.get(node, {}).items():
                if room > 0 and nxt not in back:
                    back[nxt] = node
                    queue.append(nxt)
        if sink not in back:
            break
        path, node = [], sink
        while node != source:
            path.append((back[node], node))
            node = back[node]
        push = min([limit - flow, *(residual[a][b] for a, b in path)])
        for a, b in path:
            residual[a][b] -= push
            residual[b][a] = residual[b].get(a, 0) + push
        flow += push
    return flow


def _direction(pos: Position, rise: bool, values: Grid, caps: Grid | None) -> tuple[int, int, int]:
    """(source, sink, own room) of the return path that lets the cell rise (or fall)."""
    rows, cols = len(values), len(values[0])
    row_to_col = (_sign(pos, rows, cols) > 0) == rise
    (row_node, col_node), _ = _arcs(pos, rows)
    own = _room(pos, row_to_col, values, caps)
    return (col_node, row_node, own) if row_to_col else (row_node, col_node, own)


def movement(pos: Position, arcs: Network, values: Grid, caps: Grid | None, rise: bool, limit: int) -> tuple[int, Network]:
    """How far (up to `limit`) the cell can rise or fall through the withheld cells' `network`,
    and the residual network left."""
    source, sink, own = _direction(pos, rise, values, caps)
    residual = _without(arcs, pos, len(values))
    return _max_flow(residual, source, sink, min(limit, own)), residual


def value_range(pos: Position, arcs: Network, values: Grid, caps: Grid | None, limit: int) -> int:
    """Width of the range of values the withheld cell can take (rise plus fall), capped at `limit`."""
    rise, _ = movement(pos, arcs, values, caps, True, limit)
    if rise >= limit:
        return limit
    fall, _ = movement(pos, arcs, values, caps, False, limit - rise)
    return rise + fall


def widening_path(
    pos: Position, withheld: Collection[Position], arcs: Network, values: Grid, caps: Grid | None, limit: int,
    cost: Callable[[Position], float | None],
) -> tuple[float, list[Position]] | None:
    """The cheapest published cells that, withheld too, let the cell move one unit further.

    Tries both directions whose flow is not already at the cell's own room; `cost` gives
    the price of withholding a published cell (None: never). None when nothing helps.
    """
    rows, cols = len(values), len(values[0])
    best: tuple[float, list[Position]] | None = None
    for rise in (True, False):
        source, sink, own = _direction(pos, rise, values, caps)
        flow, residual = movement(pos, arcs, values, caps, rise, limit)
        if flow >= min(own, limit):
            continue
        extra: dict[int, list[tuple[int, Position]]] = {}
        for i in range(rows):
            for j in range(cols):
                cell = (i, j)
                if cell in withheld or cost(cell) is None:
                    continue
                forward, backward = _arcs(cell, rows)
                for (tail, head), row_to_col in ((forward, True), (backward, False)):
                    if _room(cell, row_to_col, values, caps) > 0:
                        extra.setdefault(tail, []).append((head, cell))
        found = _cheapest(residual, extra, source, sink, cost)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    return best


def _cheapest(
    residual: Network, extra: dict[int, list[tuple[int, Position]]], source: int, sink: int,
    cost: Callable[[Position], float | None],
) -> tuple[float, list[Position]] | None:
    """Dijkstra from source to sink: residual arcs are free, a published cell costs its price."""
    dist: dict[int, float] = {source: 0.0}
    back: dict[int, tuple[int, Position | None]] = {}
    heap: list[tuple[float, int]] = [(0.0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if node == sink:
            cells: list[Position] = []
            while node != source:
                node, used = back[node]
                if used is not None:
                    cells.append(used)
            return d, cells
        if d > dist[node]:
            continue
        steps: list[tuple[int, float, Position | None]] = [(nxt, 0.0, None) for nxt, room in residual.get(node, {}).items() if room > 0]
        steps += [(nxt, cost(cell) or 0.0, cell) for nxt, cell in extra.get(node, ())]
        for nxt, price, used in steps:
            nd = d + price
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                back[nxt] = (node, used)
                heapq.heappush(heap, (nd, nxt))
    return None
