"""What differs between SQLite and PostgreSQL when writing: the INSERT with ON CONFLICT, and
which connection a statement runs on (the request's session, or the group committer's)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from cml.extensions import db


def insert_for(dialect: str, table: Table) -> Any:
    """An INSERT that accepts `.on_conflict_do_*` on this dialect (both spell it the same)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def execute(statement_for: Callable[[str], Any], params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
            connection: Connection | None = None) -> None:
    """Run the dialect's statement through `connection`, or the session when there is none."""
    if connection is None:
        db.session.execute(statement_for(db.session.get_bind().dialect.name), params)
    else:
        connection.execute(statement_for(connection.dialect.name), params)
