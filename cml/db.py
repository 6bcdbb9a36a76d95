"""Durable SQLite: WAL, synchronous=FULL, a busy timeout, and BEGIN IMMEDIATE for writes.

PostgreSQL needs none of this; the same models and queries run on both.

A view whose writes go through the group committer (`cml.services.committer`) is marked
`reads_before_writing`: its session only reads, so it starts with a plain BEGIN and does not
hold the write lock while it checks the form; the committer's connection asks for the lock
with the `WRITE_LOCK_OPTION` execution option.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_LOCK_OPTION = "cml_write_lock"
F = TypeVar("F", bound=Callable[..., Any])


def reads_before_writing(view: F) -> F:
    """Mark a POST view whose session only reads (its writes use their own connection)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.cml_session_reads_only = True
        return view(*args, **kwargs)

    wrapped.reads_before_writing = True  # type: ignore[attr-defined]  # hooks that run before it must not read
    return wrapped  # type: ignore[return-value]


def _reads_only(connection: Connection) -> bool:
    if connection.get_execution_options().get(WRITE_LOCK_OPTION):
        return False
    return has_request_context() and (request.method in SAFE_METHODS or bool(g.get("cml_session_reads_only")))


def private_files(database: str | None) -> None:
    """The SQLite database and its journal files readable by their owner only (0600).

    SQLite creates the file with the process's umask and its WAL and shared-memory files
    with the database's own mode, so narrowing the database on every new connection
    (before its first write) covers all three.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    for path in (database, f"{database}-wal", f"{database}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except (FileNotFoundError, PermissionError):
            continue


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name == "postgresql":
        _wait_for_locks_at_most(engine, busy_timeout_ms)
    if engine.dialect.name != "sqlite":
        return

    private_files(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, start transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
        private_files(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write transaction takes the write lock at its start, so two writers wait on the
        # busy timeout instead of failing mid-transaction; page views read without it.
        if _reads_only(connection):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _wait_for_locks_at_most(engine: Engine, timeout_ms: int) -> None:
    """PostgreSQL waits for a lock forever by default; like SQLite's busy timeout, give up after
    `timeout_ms` (the request is then answered 503 and rolled back, see cml.web.errors)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
        dbapi_connection.commit()  # a SET inside a transaction that is rolled back would be undone
