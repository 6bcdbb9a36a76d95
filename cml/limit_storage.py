"""Rate-limit counters in a SQLite file, shared by every worker process of one server.

Flask-Limiter's `memory://` storage counts in each process: with five gunicorn workers a
"10 per minute" sign-in limit let fifty attempts through. This storage keeps the fixed-window
counters in a small SQLite file beside the database (`cml+sqlite:///path`), so every process
of the server counts together; several servers share limits through Redis
(`CML_RATELIMIT_STORAGE_URI=redis://…`) instead. It is a separate file, not a table of the
application's database, so a count never waits on, or holds, the database's write lock.

Keys are stored as given; the sign-in limits pass keyed digests, never a typed username
or an address (cml.auth.throttle).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from limits.storage import Storage

_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
_INCREMENT = """
INSERT INTO counters (key, count, expires) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN counters.expires <= :now THEN excluded.count ELSE counters.count + excluded.count END,
  expires = CASE WHEN counters.expires <= :now THEN excluded.expires ELSE counters.expires END
RETURNING count
"""


class SqliteFileStorage(Storage):
    """Fixed-window counters in one SQLite file (the default sign-in limit strategy)."""

    STORAGE_SCHEME = ["cml+sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.split("://", 1)[1])
        self._ready = False

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        # A connection per call: nothing to share between threads or across a fork.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            if not self._ready:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(_SCHEMA)
                self._ready = True
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._transaction(write=True) as connection:
            # Expired windows go with every count, so the file stays as small as the live limits.
            connection.execute("DELETE FROM counters WHERE expires <= ? AND key <> ?", (now, key))
            row = connection.execute(_INCREMENT, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        with self._transaction() as connection:
            row = connection.execute("SELECT count FROM counters WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._transaction() as connection:
            row = connection.execute("SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            with self._transaction() as connection:
                connection.execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._transaction(write=True) as connection:
            return connection.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._transaction(write=True) as connection:
            connection.execute("DELETE FROM counters WHERE key = ?", (key,))
