"""A consistent dump of the database while the app writes, and loading one into an empty database.

SQLite: the online backup API copies every page in one step inside one read transaction,
so the copy is the database as of one moment, WAL included, while submissions go on (in
WAL mode a reader does not block writers). PostgreSQL: `pg_dump --format=custom` under a
snapshot exported by a REPEATABLE READ transaction, in which the manifest's row counts
are read too, so counts and dump describe the same moment; `pg_restore` loads it in one
transaction. Passwords go to the PostgreSQL tools through the environment, never argv.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from cml.db import private_files
from cml.services.backup_crypto import BackupError


@dataclass
class Snapshot:
    revision: str | None
    rows: dict[str, int]


def normal_url(url: str) -> str:
    """postgres:// and postgresql:// as the app reads them (psycopg 3), like the configured URL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def kind_of(url: str) -> str:
    """"sqlite" or "postgresql" (any other database is refused)."""
    url = normal_url(url)
    try:
        name = make_url(url).get_backend_name()
    except Exception:  # noqa: BLE001 — any unparsable URL is the same user error
        raise BackupError("the database URL does not parse (e.g. sqlite:////srv/cml/cml.sqlite3 or postgresql://user@host/db)") from None
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups cover SQLite and PostgreSQL databases, not {name}")
    return name


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("an SQLite database in a file is needed (sqlite:////path/to/cml.sqlite3)")
    return Path(database)


# --- SQLite -----------------------------------------------------------------------------------

def _sqlite_counts(connection: sqlite3.Connection) -> Snapshot:
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    rows = {table: int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in tables}  # noqa: S608 (names from the catalogue)
    revision = None
    if "alembic_version" in tables:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = found[0] if found else None
    return Snapshot(revision, rows)


def sqlite_dump(url: str, into: Path) -> None:
    """Copy the live database into `into` (one file, no WAL); `sqlite_check` then describes the copy."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"the database {source_path} does not exist")
    with closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)) as source, \
            closing(sqlite3.connect(into)) as copy:
        source.backup(copy)  # all pages in one step: one read transaction, one moment
        copy.execute("PRAGMA journal_mode = DELETE")  # the copy is a single file


def sqlite_check(path: Path) -> Snapshot:
    """The copy's integrity (PRAGMA integrity_check), then its revision and row counts."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            result = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupError(f"the database copy fails SQLite's integrity check ({len(result)} problem(s))")
            return _sqlite_counts(copy)
    except sqlite3.DatabaseError:
        raise BackupError("the database copy is not an SQLite database or is damaged") from None


def sqlite_is_empty(url: str) -> tuple[bool, int | None]:
    """(whether the target has no tables, its responses if it has that table)."""
    path = sqlite_path(url)
    if not path.exists() or path.stat().st_size == 0:
        return True, None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as target:
            counts = _sqlite_counts(target).rows
    except sqlite3.DatabaseError:
        raise BackupError(f"the target {path} is not an SQLite database") from None
    return not counts, counts.get("responses")


def sqlite_load(copy: Path, url: str) -> None:
    """Replace the target's content with the copy's, through SQLite's backup API (safe with its WAL)."""
    target = sqlite_path(url)
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as source, closing(sqlite3.connect(target, timeout=30)) as destination:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the restore into {target} failed ({type(error).__name__}): is another process writing to it?") from None
    private_files(str(target))


# --- PostgreSQL -------------------------------------------------------------------------------

def _pg_tool(name: str, configured: str | None) -> str:
    """pg_dump or pg_restore: from PG_BIN_DIR, else PATH, else the newest of Debian's versioned folders."""
    candidates = [str(Path(configured) / name)] if configured else []
    found = shutil.which(name)
    candidates += [found] if found else []
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: [int(x) for x in Path(p).parts[-3].split(".") if x.isdigit()])[::-1]
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(f"{name} is not installed (apt-get install postgresql-client, or set CML_PG_BIN_DIR)")


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables: no password on a command line."""
    env = {"PGDATABASE": url.database or "", "PGUSER": url.username or "", "PGHOST": url.host or "", "PGPORT": str(url.port or "")}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for name, value in url.query.items():
        if name == "sslmode":
            env["PGSSLMODE"] = str(value)
    return {**os.environ, **{k: v for k, v in env.items() if v}}


def _psycopg_connect(url: URL) -> Any:
    import psycopg

    return psycopg.connect(dbname=url.database, user=url.username, password=url.password, host=url.host, port=url.port)


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(tool).name} failed (exit {result.returncode}): {_safe_messages(result.stderr)}")


def _safe_messages(stderr: str) -> str:
    """The tool's error lines, without the ones that can quote a row (COPY context, DETAIL, LINE)."""
    kept = [line.strip()[:300] for line in stderr.splitlines()
            if "error:" in line and not any(word in line for word in ("CONTEXT", "DETAIL", "COPY", "LINE"))]
    return "; ".join(kept[:3]) or "no message that could be shown (it may quote data)"


def _pg_counts(cursor: Any) -> Snapshot:
    cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
    tables = [row[0] for row in cursor.fetchall()]
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        rows[table] = int(cursor.fetchone()[0])
    revision = None
    if "alembic_version" in tables:
        cursor.execute("SELECT version_num FROM alembic_version")
        found = cursor.fetchone()
        revision = found[0] if found else None
    return Snapshot(revision, rows)


def pg_dump(url: str, into: Path, bin_dir: str | None) -> Snapshot:
    """`pg_dump --format=custom` of the snapshot in which the row counts are read."""
    parsed = make_url(url)
    tool = _pg_tool("pg_dump", bin_dir)
    try:
        connection = _psycopg_connect(parsed)
    except Exception as error:  # noqa: BLE001 — psycopg's connection errors name no data
        raise BackupError(f"cannot connect to the database: {type(error).__name__}") from None
    with connection:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            snapshot = _pg_counts(cursor)
            _run(tool, ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}", f"--file={into}"], _libpq_env(parsed))
        connection.rollback()
    return snapshot


def pg_check(dump: Path, bin_dir: str | None) -> None:
    """The dump's table of contents reads (`pg_restore --list`)."""
    _run(_pg_tool("pg_restore", bin_dir), ["--list", str(dump)], dict(os.environ))


def pg_is_empty(url: str) -> tuple[bool, int | None]:
    with _pg_cursor(url) as cursor:
        counts = _pg_counts(cursor).rows
    return not counts, counts.get("responses")


@contextmanager
def _pg_cursor(url: str) -> Iterator[Any]:
    try:
        connection = _psycopg_connect(make_url(url))
    except Exception as error:  # noqa: BLE001
        raise BackupError(f"cannot connect to the target database: {type(error).__name__} (create it first: createdb NAME)") from None
    with connection, connection.cursor() as cursor:
        yield cursor


def pg_load(dump: Path, url: str, replace: bool, bin_dir: str | None) -> None:
    """`pg_restore` into the target in one transaction (dropping what the dump holds first with `replace`)."""
    args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        args += ["--clean", "--if-exists"]
    parsed = make_url(url)
    _run(_pg_tool("pg_restore", bin_dir), [*args, f"--dbname={parsed.database}", str(dump)], _libpq_env(parsed))
