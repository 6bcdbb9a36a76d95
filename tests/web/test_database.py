"""Migrations build exactly the models' schema; SQLite runs durable and serialises writers."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from cml.extensions import db
from tests.conftest import PG_URL


def test_upgrade_of_an_empty_database_matches_the_models(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_constraints_follow_the_naming_convention(app) -> None:
    from sqlalchemy import inspect

    with app.app_context():
        inspector = inspect(db.engine)
        uniques = {u["name"] for u in inspector.get_unique_constraints("responses")}
        assert "uq_responses_submission_id" in uniques
        foreign = {f["name"] for f in inspector.get_foreign_keys("facilities")}
        assert foreign == {"fk_facilities_region_id_regions"}


@pytest.mark.skipif(bool(PG_URL), reason="SQLite settings")
def test_sqlite_runs_in_wal_with_full_sync_and_a_busy_timeout(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == app.config["SQLITE_BUSY_TIMEOUT_MS"]
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.skipif(bool(PG_URL), reason="SQLite locking")
def test_sqlite_writes_take_the_write_lock_at_begin(app) -> None:
    """A second writer cannot start while the first holds BEGIN IMMEDIATE."""
    import sqlalchemy

    with app.app_context():
        other = sqlalchemy.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], connect_args={"timeout": 0.1})
        with db.engine.connect() as first:
            first.execute(text("SELECT 1"))  # starts BEGIN IMMEDIATE outside a request
            raw = other.raw_connection()
            try:
                raw.isolation_level = None
                with pytest.raises(Exception, match="locked"):
                    raw.cursor().execute("BEGIN IMMEDIATE")
            finally:
                raw.close()
            first.rollback()
        other.dispose()
