"""A health endpoint for load balancers and monitoring: the app answers and the database can be written."""

from __future__ import annotations

import os

from flask import Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cml.db import WRITE_LOCK_OPTION
from cml.extensions import db
from cml.services.storage_faults import storage_fault
from cml.settings import settings
from cml.web.errors import recent_fault

HEALTH_LOCK_WAIT_MS = 2000
"""How long the check waits for the write lock: a load balancer should not hang on it."""


def _free_bytes() -> int | None:
    """Free space where the SQLite database lives (PostgreSQL's disk is its server's to watch)."""
    if db.engine.dialect.name != "sqlite":
        return None
    path = db.engine.url.database
    if not path or path == ":memory:":
        return None
    stats = os.statvfs(os.path.dirname(os.path.abspath(path)))
    return stats.f_bavail * stats.f_frsize


def _try_write() -> None:
    """A one-row write in a transaction that is rolled back: takes the write lock and touches a page."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_LOCK_OPTION: True})
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # on the driver's connection, so that no transaction begins before the wait is shortened
            conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout = {HEALTH_LOCK_WAIT_MS}")  # type: ignore[union-attr]
        try:
            with conn.begin() as transaction:
                if not sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {HEALTH_LOCK_WAIT_MS}")
                conn.execute(text("UPDATE data_versions SET version = version WHERE id = 1"))
                transaction.rollback()
        finally:
            if sqlite:
                busy = settings().sqlite_busy_timeout_ms
                conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout = {busy}")  # type: ignore[union-attr]


def healthz() -> tuple[Response, int]:
    """200 when the database can be written, 503 otherwise (full disk, lock, unreachable); no login, no data."""
    fault = recent_fault(current_app)
    if fault is not None:  # a request met it: the check's tiny write may still fit where an answer did not
        return jsonify(status="unavailable", database={"full": "disk full", "busy": "locked"}[fault]), 503
    free = _free_bytes()
    if free is not None and free < settings().health_min_free_bytes:
        return jsonify(status="unavailable", database="disk full"), 503
    try:
        _try_write()
    except (SQLAlchemyError, OSError) as error:
        db.session.rollback()
        fault = storage_fault(error)
        state = {"full": "disk full", "busy": "locked"}.get(fault or "", "unreachable")
        return jsonify(status="unavailable", database=state), 503
    return jsonify(status="ok", database="ok"), 200




def ping() -> Response:
    """A bare endpoint for the benchmark's baseline: no database, no session, no template.

    Registered only when BENCH_ROUTES is set (`CML_BENCH_ROUTES=true`), never by default.
    """
    return Response(b"ok", mimetype="text/plain")
