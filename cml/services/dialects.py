"""What differs between SQLite and PostgreSQL when writing: the INSERT with ON CONFLICT, which
connection a statement runs on (the request's session, or the group committer's), and how
the bare driver takes values that SQLAlchemy's column types would otherwise convert."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True)
class DriverEncoding:
    """Values for the bare DB-API driver, stored as SQLAlchemy's types store them (tests compare
    rows written both ways): SQLite keeps a `Uuid` as 32 hex digits and a date as ISO text;
    psycopg takes both natively. `marker` is the driver's parameter placeholder."""

    marker: str
    uuid: Callable[[uuid.UUID], Any]
    day: Callable[[date], Any]


def _same(value: Any) -> Any:
    return value


def _hex(value: uuid.UUID) -> str:
    return value.hex


_ENCODINGS = {"postgresql": DriverEncoding("%s", _same, _same), "sqlite": DriverEncoding("?", _hex, date.isoformat)}


def driver_encoding(dialect: str) -> DriverEncoding:
    return _ENCODINGS[dialect]


class WriteFailed(RuntimeError):
    """A database write failed. Carries the error's type and SQLSTATE only: a driver's message can
    quote the failing row (PostgreSQL's DETAIL: "Failing row contains …"), and so its answers."""

    def __init__(self, kind: str, sqlstate: str | None) -> None:
        self.kind, self.sqlstate = kind, sqlstate
        super().__init__(f"{kind} (SQLSTATE {sqlstate or '-'})")


_DRIVERS = ("sqlite3", "psycopg", "sqlalchemy")


def without_values(error: BaseException) -> BaseException:
    """A database driver's error as a `WriteFailed` that cannot hold a value; any other error as it is."""
    if type(error).__module__.split(".")[0] not in _DRIVERS:
        return error
    orig = getattr(error, "orig", error)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    failed = WriteFailed(type(orig).__name__, sqlstate)
    failed.__traceback__ = error.__traceback__
    failed.__suppress_context__ = True
    return failed
