"""Which database errors are a passing fault of the storage (full disk, a lock held too long).

Such an error is not a bug: the transaction is rolled back, nothing was acknowledged, and
the same request sent again later succeeds. The web layer answers it with 503 and
Retry-After; the committer lets it fail its whole batch.
"""

from __future__ import annotations

import errno
from typing import Literal

Fault = Literal["full", "busy"]

_FULL_MESSAGES = ("database or disk is full", "disk i/o error", "no space left on device")
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# PostgreSQL SQLSTATEs: 53100 disk_full, 53200 out_of_memory, 53300 too_many_connections,
# 55P03 lock_not_available (lock_timeout), 40001 serialization_failure, 40P01 deadlock_detected,
# 57014 query_canceled (statement_timeout).
_FULL_STATES = frozenset({"53100", "53200"})
_BUSY_STATES = frozenset({"53300", "55P03", "40001", "40P01", "57014"})
# SQLite's error names (sqlite3's `sqlite_errorname`; what a `dialects.WriteFailed` keeps of a
# SQLite error, whose message is dropped in case it quotes answers). IOERR has variants.
_FULL_NAMES = ("SQLITE_FULL", "SQLITE_IOERR")
_BUSY_NAMES = ("SQLITE_BUSY", "SQLITE_LOCKED")


def storage_fault(error: BaseException) -> Fault | None:
    """"full", "busy" or None, looking through SQLAlchemy's wrapper and the exception's causes."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        fault = _own_fault(current)
        if fault is not None:
            return fault
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return None


def _own_fault(error: BaseException) -> Fault | None:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "full"
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None) or getattr(error, "sqlite_errorname", None)
    if isinstance(state, str):
        if state in _FULL_STATES or state.startswith(_FULL_NAMES):
            return "full"
        if state in _BUSY_STATES or state.startswith(_BUSY_NAMES):
            return "busy"
    if type(error).__module__.startswith(("sqlite3", "_sqlite3")) or type(error).__name__ == "OperationalError":
        message = str(error).lower()
        if any(m in message for m in _FULL_MESSAGES):
            return "full"
        if any(m in message for m in _BUSY_MESSAGES):
            return "busy"
    return None
