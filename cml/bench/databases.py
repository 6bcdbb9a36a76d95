"""Fresh, throwaway databases for the benchmark: a SQLite file or a new PostgreSQL database.

Each is created empty, brought to the newest migration (what `flask db upgrade` runs),
and loaded with the demo (`flask demo load`: questionnaires and accounts). Nothing is
ever run against a database the benchmark did not create.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent.parent
SURVEYS = ROOT / "surveys"


@dataclass
class BenchDatabase:
    kind: str
    """"sqlite" or "postgresql"."""
    url: str
    instance: Path
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    accounts: dict[str, str] = field(default_factory=dict)
    """username -> password of the demo accounts (and the benchmark's own)."""
    extra_env: dict[str, str] = field(default_factory=dict)
    """More CML_* settings for a server of this database (a fault run's own)."""

    def config(self, **extra: Any) -> dict[str, Any]:
        return {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "INSTANCE_PATH": str(self.instance),
            "SECRET_KEY": self.secret,
            "SURVEYS_DIR": str(SURVEYS),
            **extra,
        }

    def app(self, **extra: Any) -> Flask:
        from cml import create_app

        return create_app(self.config(**extra))

    def server_env(self) -> dict[str, str]:
        """Environment of a gunicorn serving this database, with the benchmark's own settings:
        CSRF off and sign-in throttling raised only here (never by default), and the bare
        /bench/ping route switched on for the baseline."""
        return {
            "CML_DATABASE_URL": self.url,
            "CML_INSTANCE_PATH": str(self.instance),
            "CML_SECRET_KEY": self.secret,
            "CML_WTF_CSRF_ENABLED": "false",
            "CML_LOGIN_RATE_LIMIT": "100000 per minute",
            "CML_LOGIN_USERNAME_RATE_LIMIT": "100000 per minute",
            "CML_LOGIN_USERNAME_CEILING": "100000 per minute",
            "CML_BENCH_ROUTES": "true",
            **self.extra_env,
        }


def server_url(kind: str, given: str | None) -> str | None:
    """The PostgreSQL server to create benchmark databases on (any database of it)."""
    if kind != "postgresql":
        return None
    url = given or os.environ.get("CML_BENCH_DATABASE_URL") or os.environ.get("CML_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("--database postgresql needs --database-url (or CML_BENCH_DATABASE_URL) naming a server the benchmark may create databases on")
    return url


def _psycopg_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(kind: str, server: str | None, label: str) -> Iterator[BenchDatabase]:
    """A new empty database at the newest migration with the demo loaded; removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix=f"cml-bench-{label}-"))
    name = f"cml_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = None
    try:
        if kind == "sqlite":
            url = f"sqlite:///{instance / 'cml.sqlite3'}"
        else:
            import psycopg

            assert server is not None
            admin = psycopg.connect(_psycopg_url(server), autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            url = _with_database(server, name)
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
        database = BenchDatabase(kind, url, instance)
        _migrate_and_load(database)
        yield database
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        shutil.rmtree(instance, ignore_errors=True)


@contextmanager
def empty_database(kind: str, server: str | None, folder: Path, label: str) -> Iterator[str]:
    """The URL of a new, empty database (no tables): a file in `folder`, or a new database on the server; removed afterwards."""
    if kind == "sqlite":
        path = folder / f"{label}-{secrets.token_hex(3)}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-writers.lock")):
                leftover.unlink(missing_ok=True)
        return
    import psycopg

    assert server is not None
    name = f"cml_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_psycopg_url(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = _with_database(server, name)
            yield "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate_and_load(database: BenchDatabase) -> None:
    from flask_migrate import upgrade

    from cml.extensions import db
    from cml.services import demo

    app = database.app()
    with app.app_context():
        upgrade()  # `flask db upgrade`
        for account in demo.load_demo(SURVEYS, reset_passwords=True):  # `flask demo load --reset-passwords`
            assert account.password is not None
            database.accounts[account.username] = account.password
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
