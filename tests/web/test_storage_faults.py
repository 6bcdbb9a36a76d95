"""A full disk or a lock held too long: 503 with Retry-After, nothing half stored, /healthz says so."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func, select

from cml.extensions import db
from cml.models import IndicatorFact, IndicatorSum, Response
from cml.services.storage_faults import storage_fault
from tests.conftest import PG_URL
from tests.fixtures.mini_survey import publish_mini, submission
from tests.web.fresh import monitor_client

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's page limit and file lock")


def _database_path(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def _cap_pages(app, extra: int) -> None:
    """Every new connection may grow the database by at most `extra` pages: a disk that fills up."""
    with app.app_context():
        raw = sqlite3.connect(_database_path(app))
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.close()

        @event.listens_for(db.engine, "connect")
        def _limit(dbapi_connection, _record) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + extra}")

        db.engine.dispose()


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Response)),
                db.session.scalar(select(func.count()).select_from(IndicatorFact)),
                int(db.session.scalar(select(func.coalesce(func.sum(IndicatorSum.facts), 0)))))


@sqlite_only
def test_a_full_disk_answers_503_stores_nothing_half_and_a_retry_succeeds(app, client, as_role, mini) -> None:
    as_role("monitor")
    _cap_pages(app, 0)
    sent = [submission(mini, q_wait=str(w)) for w in range(40)]
    statuses = []
    for body in sent:
        statuses.append(client.post("/collect/mini/submit", data=body).status_code)
    assert 500 not in statuses
    refused = [b for b, s in zip(sent, statuses, strict=True) if s == 503]
    assert refused, statuses  # the database could not grow
    page = client.post("/collect/mini/submit", data=refused[0])
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    assert "storage is full" in page.get_data(as_text=True)
    responses, facts, summed = _counts(app)
    with app.app_context():
        stored = {str(s) for s in db.session.scalars(select(Response.submission_id))}
    assert not stored & {b["submission_id"] for b in refused}  # nothing half stored, nothing acknowledged
    assert facts == summed  # every stored response has its facts and sums
    assert client.get("/healthz").status_code == 503
    # Space again: the phone sends the refused ones again and each is stored once.
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def _room(dbapi_connection, _record) -> None:
            dbapi_connection.execute("PRAGMA max_page_count = 1073741823")

        db.engine.dispose()
    for body in refused:
        assert client.post("/collect/mini/submit", data=body).status_code == 303
    assert _counts(app)[0] == responses + len(refused)
    assert client.get("/healthz").status_code == 200


def _hold_write_lock(app):
    """Another connection that holds the lock every write needs (SQLite's write lock; the table in PostgreSQL)."""
    if PG_URL:
        import psycopg

        holder = psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"))
        holder.execute("LOCK TABLE responses, data_versions IN EXCLUSIVE MODE")
        return holder
    holder = sqlite3.connect(_database_path(app), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_lock_longer_than_the_busy_timeout_answers_503_and_healthz_says_locked(make_app) -> None:
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200)
    client = monitor_client(app)
    body = submission(publish_mini(app))
    holder = _hold_write_lock(app)
    try:
        health = client.get("/healthz")  # its own write finds the lock taken
        assert health.status_code == 503 and health.get_json()["database"] == "locked"
        response = client.post("/collect/mini/submit", data=body)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "busy" in response.get_data(as_text=True)
    finally:
        holder.rollback() if PG_URL else holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/collect/mini/submit", data=body).status_code == 303


def test_healthz_writes_and_reports_low_disk(make_app, world) -> None:
    app = make_app(HEALTH_MIN_FREE_BYTES=1 << 62)
    assert app.test_client().get("/healthz").status_code == (200 if PG_URL else 503)


def test_storage_faults_are_recognised_through_wrappers() -> None:
    import errno

    from sqlalchemy.exc import OperationalError

    assert storage_fault(OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))) == "full"
    assert storage_fault(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))) == "busy"
    assert storage_fault(OSError(errno.ENOSPC, "No space left on device")) == "full"
    wrapped = RuntimeError("later")
    wrapped.__cause__ = OSError(errno.ENOSPC, "full")
    assert storage_fault(wrapped) == "full"
    assert storage_fault(ValueError("database or disk is full")) is None  # only driver errors count
    assert storage_fault(sqlite3.IntegrityError("UNIQUE constraint failed")) is None

    class DiskFull(Exception):
        sqlstate = "53100"

    assert storage_fault(DiskFull()) == "full"
