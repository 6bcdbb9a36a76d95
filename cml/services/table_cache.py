"""A per-process cache of the tables computed from indicator sums, valid until the next write of sums.

A dashboard recomputes the same tables for every reader: the SQL sums, the statistics of
every cell and the disclosure control of the regional tables, although the sums change
only when a submission, an import or a rebuild writes them. Each such write replaces the
data version (`cml.services.data_version`) in its own transaction, so a table computed
under a version stays right for as long as the database shows that version.

What is cached: whatever a caller wraps in `cached` — the rows of `estimate_cells`, the
protected cubes of `disclosure_cube`, the latest month of a questionnaire. The key is made
by `table_key` only, from the table's name and plan, the reader's `Scope` (which regions
and facilities count) and every other argument that changes the result: `cached` refuses
any other key, so a table cannot be cached without saying whose figures it holds. Values
must be immutable (tuples, frozen dataclasses), and callers hand out copies of anything
mutable.

The version is read once per read (`cml.services.read_context`: a GET request, an export)
and before any sums the cached tables are computed from, so what is stored under a version
is never older than it; outside a read it is read for each table. The cache lives in the app
(`app.extensions`), shared by the threads of a process and bounded by entries and by cells;
it is dropped as a whole when a new version is seen. `CML_TABLE_CACHE=false` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app

from cml.services import data_version, read_context
from cml.settings import settings

T = TypeVar("T")
EXTENSION_KEY = "cml.table_cache"
MAX_ENTRIES = 512
MAX_CELLS = 50_000
"""Cells (rows of a table, keys of a publication table) held at most: a cell of `estimate_cells`
costs ~0.9 KB, a publication entry ~0.35 KB, so at most ~45 MB a process. An advocate's
overview is ~1,100 cells; a table above an eighth of the bound is computed, not kept."""

_creating = threading.Lock()


class TableCache:
    """A least-recently-used map bounded by entries and by total cells; safe across threads."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_cells: int = MAX_CELLS) -> None:
        self.max_entries = max_entries
        self.max_cells = max_cells
        self.version: int | None = None
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._cells = 0
        self._lock = threading.Lock()

    def get(self, version: int, key: Hashable) -> tuple[bool, object]:
        with self._lock:
            self._adopt(version)
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return False, None
            self._entries.move_to_end(key)
            self.hits += 1
            return True, entry[0]

    def put(self, version: int, key: Hashable, value: object, cells: int) -> None:
        if cells > self.max_cells // 8:  # one huge table (an export by facility) must not push out every page's
            return
        with self._lock:
            self._adopt(version)
            old = self._entries.pop(key, None)
            if old is not None:
                self._cells -= old[1]
            self._entries[key] = (value, cells)
            self._cells += cells
            while len(self._entries) > self.max_entries or self._cells > self.max_cells:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._cells -= dropped

    def __len__(self) -> int:
        return len(self._entries)

    def _adopt(self, version: int) -> None:
        """Entries of another version are of no more use (a reader of an older snapshot just misses)."""
        if version != self.version:
            self._entries.clear()
            self._cells = 0
            self.version = version


@dataclass(frozen=True)
class Scope:
    """Whose facts a table counts: these regions and facilities (None: every one)."""

    region_ids: frozenset[int] | None
    facility_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, region_ids: Collection[int] | None, facility_ids: Collection[int] | None = None) -> Scope:
        return cls(None if region_ids is None else frozenset(region_ids), None if facility_ids is None else frozenset(facility_ids))


EVERY_REGION = Scope(None, None)
"""The scope of a table computed over everyone whatever the reader's scope (the disclosure cube), said so."""


@dataclass(frozen=True)
class TableKey:
    """A cached table's key: made by `table_key`, never by hand."""

    table: str
    plan: Hashable
    scope: Scope
    parameters: tuple[Hashable, ...]


def table_key(table: str, plan: Hashable, scope: Scope, *parameters: Hashable) -> TableKey:
    """The key of one table: its name, its plan (the questionnaire version and the specs it
    reads), the reader's scope, and every other argument that changes the result."""
    if not isinstance(scope, Scope):
        raise TypeError(f"the table {table!r} needs a Scope (the reader's regions, or EVERY_REGION), not {scope!r}")
    return TableKey(table, plan, scope, tuple(parameters))


def cached(key: TableKey, compute: Callable[[], T], cells: Callable[[T], int] = lambda value: 1) -> T:
    """`compute()`, or what it returned before under the same key and data version.

    :param key: from `table_key`: the table, its plan, its scope and everything else its result depends on besides the sums.
    :param cells: the result's weight against the cache's bound (its rows).
    """
    if not isinstance(key, TableKey):
        raise TypeError("a cached table is keyed by table_key(…), which carries its scope")
    cache = app_cache(current_app)
    if cache is None:
        return compute()
    version = current_version()
    if version is None:
        return compute()
    found, value = cache.get(version, key)
    if found:
        return value  # type: ignore[return-value]
    result = compute()
    cache.put(version, key, result, cells(result))
    return result


def app_cache(app: Flask) -> TableCache | None:
    """The app's cache, made on first use; None when switched off (`TABLE_CACHE`)."""
    configured = settings(app)
    if not configured.table_cache:
        return None
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        with _creating:
            cache = app.extensions.setdefault(
                EXTENSION_KEY, TableCache(configured.table_cache_entries, configured.table_cache_cells)
            )
    return cache  # type: ignore[no-any-return]


def current_version() -> int | None:
    """The data version of the read under way (read once for it), else read now."""
    context = read_context.current()
    return data_version.read() if context is None else context.data_version()


@contextmanager
def one_version() -> Iterator[None]:
    """Within the block, every cached table is looked up under the version read first (a
    `read_context.reading()` block; kept for callers of this name)."""
    with read_context.reading():
        yield
