"""The read context: what the tables of one read share, made explicitly by whoever starts the read.

A read that only looks (a GET page, an export, a command printing a table) may take the
data version once and let its tables share the facility sums they read: every table it
shows then comes from one snapshot, and the dashboard's three tables of a page run one
GROUP BY instead of three. A read that may write must do neither, or it would cache a
table under a version older than its own writes.

So the sharing is never guessed from the request. Who starts a read makes its context:
the web layer for every GET and HEAD request (`cml.web.reads`), an export or a command
with `with reading():`. The services that cache (`cml.services.table_cache`,
`cml.services.estimates`) ask `current()` and, without a context, read afresh each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from cml.core.tabulate import FacilityTotals
from cml.services import data_version

TotalsCache = dict[object, tuple[tuple[int, int] | None, list[FacilityTotals]]]
"""Facility sums by (questionnaire, indicators, grain, scope): the month range read and its rows."""


@dataclass(eq=False)
class ReadContext:
    """The data version of one read (read on first use, then kept) and the facility sums its tables share."""

    totals: TotalsCache = field(default_factory=dict)
    _version: list[int | None] = field(default_factory=list)

    def data_version(self) -> int | None:
        """The version this read sees, read once, before any sums the read's tables are computed from."""
        if not self._version:
            self._version.append(data_version.read())
        return self._version[0]


_current: ContextVar[ReadContext | None] = ContextVar("cml_read_context", default=None)
_ambient: list[Callable[[], ReadContext | None]] = []


def current() -> ReadContext | None:
    """The context of the read under way: a `reading()` block's, else the web request's; None in a read that may write."""
    context = _current.get()
    if context is None and _ambient:
        context = _ambient[0]()
    return context


@contextmanager
def reading() -> Iterator[ReadContext]:
    """A read-only block (an export, a command): its tables see one data version and share their sums.

    Inside a read already under way (an export asked for by GET), the block joins it, so one
    page or file never mixes two versions. Nothing outlives the block.
    """
    outer = current()
    if outer is not None:
        yield outer
        return
    context = ReadContext()
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def provide_ambient(source: Callable[[], ReadContext | None]) -> None:
    """Where `current()` finds the context of a request (the web layer's, made per GET): set once per process."""
    _ambient[:] = [source]
