"""A per-process cache of the tables computed from indicator sums, valid until the next write of sums.

A dashboard recomputes the same tables for every reader: the SQL sums, the statistics of
every cell and the disclosure control of the regional tables, although the sums change
only when a submission, an import or a rebuild writes them. Each such write replaces the
data version (`cml.services.data_version`) in its own transaction, so a table computed
under a version stays right for as long as the database shows that version.

What is cached: whatever a caller wraps in `cached` — the rows of `estimate_cells`, the
protected cubes of `disclosure_cube`, the latest month of a questionnaire. The key
is the caller's (every argument that changes the result, the reader's regions among
them) plus the data version; values must be immutable (tuples, frozen dataclasses), and
callers hand out copies of anything mutable.

The version is read once per read-only request (or once per `one_version` block) and
before any sums the cached tables are computed from, so what is stored under a version
is never older than it. The cache lives in the app (`app.extensions`), shared by the
threads of a process and bounded by entries and by cells; it is dropped as a whole
when a new version is seen. `CML_TABLE_CACHE=false` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from flask import Flask, current_app, has_request_context, request

from cml.services import data_version

T = TypeVar("T")
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
ENVIRON_KEY = "cml.data_version"
EXTENSION_KEY = "cml.table_cache"
MAX_ENTRIES = 512
MAX_CELLS = 50_000
"""Cells (rows of a table, keys of a publication table) held at most: a cell of `estimate_cells`
costs ~0.9 KB, a publication entry ~0.35 KB, so at most ~45 MB a process. An advocate's
overview is ~1,100 cells; a table above an eighth of the bound is computed, not kept."""

_pinned: ContextVar[list[int | None] | None] = ContextVar("cml_pinned_data_version", default=None)
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


def cached(key: Hashable, compute: Callable[[], T], cells: Callable[[T], int] = lambda value: 1) -> T:
    """`compute()`, or what it returned before under the same key and data version.

    :param key: everything `compute`'s result depends on besides the sums.
    :param cells: the result's weight against the cache's bound (its rows).
    """
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
    if not app.config.get("TABLE_CACHE", True):
        return None
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        with _creating:
            cache = app.extensions.setdefault(
                EXTENSION_KEY, TableCache(int(app.config.get("TABLE_CACHE_ENTRIES", MAX_ENTRIES)), int(app.config.get("TABLE_CACHE_CELLS", MAX_CELLS)))
            )
    return cache  # type: ignore[no-any-return]


def current_version() -> int | None:
    """The data version for this request or `one_version` block, read once; else read now."""
    if has_request_context() and request.method in READ_ONLY_METHODS:
        environ = request.environ
        if ENVIRON_KEY not in environ:
            environ[ENVIRON_KEY] = data_version.read()
        return environ[ENVIRON_KEY]  # type: ignore[no-any-return]
    pinned = _pinned.get()
    if pinned is None:
        return data_version.read()
    if not pinned:
        pinned.append(data_version.read())
    return pinned[0]


@contextmanager
def one_version() -> Iterator[None]:
    """Within the block, every cached table is looked up under the version read first: for a
    use case that shares sums between its tables outside a read-only request (an export),
    so no table is stored under a version newer than the sums it was computed from."""
    token = _pinned.set([])
    try:
        yield
    finally:
        _pinned.reset(token)
