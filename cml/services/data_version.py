"""The data version: a number replaced by every write of indicator sums, in that write's transaction.

Tables computed from `indicator_sums` are cached per process under the version read
before their sums were (`cml.services.table_cache`), so a cached table is never older
than the version its reader saw, and the first read after a committed write misses.

The new version is a random 62-bit number rather than the old one plus one: a number
given out by a transaction that then rolls back is never given out again, so a table
computed inside that transaction (from sums nobody else ever saw) can never be served
to a reader of a later, committed write.

`bump` must be the first statement of a write of sums: on PostgreSQL it takes the row
lock of `data_versions` before any lock on `indicator_sums`, so writers queue on this one
row in the same order and cannot deadlock, however many times a transaction writes sums.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from cml.extensions import db
from cml.models import DataVersion
from cml.services import dialects

ROW_ID = 1


def bump(connection: Connection | None = None) -> None:
    """Give the data a new version, through the session or `connection` (the group committer's)."""
    values = {"id": ROW_ID, "version": secrets.randbits(62)}
    dialects.execute(_replace, values, connection)


@lru_cache(maxsize=4)
def _replace(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE: the row comes back even if something emptied the table."""
    table = DataVersion.__table__
    statement = dialects.insert_for(dialect, table)
    return statement.on_conflict_do_update(index_elements=["id"], set_={"version": statement.excluded.version})


def read() -> int | None:
    """The version as the session's transaction sees it; None when the row is missing (nothing may be cached then)."""
    value = db.session.execute(select(DataVersion.version).where(DataVersion.id == ROW_ID)).scalar()
    return None if value is None else int(value)
