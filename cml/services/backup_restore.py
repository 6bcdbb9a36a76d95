"""Restoring a backup into an empty database, and the checks that say the result is a working app.

Everything that can refuse (wrong database kind, a dump that does not match its manifest, a
non-empty target, an answer key in the way) refuses before anything is written. After the
load it checks what a restored server needs: the schema revision and every table's row
count equal the manifest's, the indicator sums equal the sums of the facts (what a rebuild
would give), and every sealed answer is under a key this instance has, one of them opened.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from cml.services import backup_dump, fact_sums, sealing
from cml.services.backup import opened, peek, timed
from cml.services.backup_crypto import BackupError


@dataclass
class Restored:
    manifest: dict[str, Any]
    seconds: float
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    keys_written: list[Path] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent unpacking (reading, decrypting, SHA-256), checking the dump, loading it and checking the result."""


def restore(path: Path, url: str, instance: Path, ring: Callable[[], sealing.Keyring | None], *, identity: Path | None = None,
            force: bool = False, configured_key: str | None = None, head: str | None = None, bin_dir: str | None = None) -> Restored:
    started, phases = time.perf_counter(), dict[str, float]()
    url = backup_dump.normal_url(url)
    kind = backup_dump.kind_of(url)
    found = peek(path, identity)["database"]
    if found != kind:
        raise BackupError(f"this is a backup of a {_name(found)} database; the target is {_name(kind)}")
    empty, responses = backup_dump.sqlite_is_empty(url) if kind == "sqlite" else backup_dump.pg_is_empty(url)
    if not empty and not force:
        held = f" ({responses} responses)" if responses is not None else ""
        raise BackupError(f"the target database is not empty{held}; restore into an empty one, or give --force to replace it")
    unpacking = time.perf_counter()
    with opened(path, identity) as backup:
        phases["unpack"] = time.perf_counter() - unpacking
        manifest = backup.manifest
        if manifest["database"] != kind:
            raise BackupError(f"this is a backup of a {_name(manifest['database'])} database; the target is {_name(kind)}")
        key_plan = _key_plan(backup.keys, instance, configured_key, force)
        # The dump's SHA-256 equals the one taken when it was checked (`backup verify` checks it again
        # on demand); the load itself refuses a file that is not a database dump.
        with timed(phases, "load"):
            if kind == "sqlite":
                backup_dump.sqlite_load(backup.dump, url)
            else:
                backup_dump.pg_load(backup.dump, url, replace=not empty, bin_dir=bin_dir)
    result = Restored(manifest, 0.0, keys_written=_write_keys(key_plan), phases=phases)
    with timed(phases, "verify"):
        _check(result, url, ring(), head)
    result.seconds = time.perf_counter() - started
    return result


def _name(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(kind, kind)


# --- the answer key ------------------------------------------------------------------------------

def _key_plan(keys: dict[str, Any] | None, instance: Path, configured: str | None, force: bool) -> list[tuple[Path, str]]:
    """The key files to write (path, text): refused before the restore when another key is in the way."""
    if not keys:
        return []
    try:
        current = sealing.decode_key(keys["current"])
        others = [sealing.decode_key(key) for key in keys.get("others", [])]
    except (KeyError, TypeError, ValueError):
        raise BackupError("the answer key inside the backup is damaged") from None
    if configured:
        if sealing.decode_key(configured) != current:
            raise BackupError("CML_ANSWER_KEY differs from the answer key inside the backup: unset it, so the backup's key "
                              "is written to the instance folder and used, then run the restore again")
        return []
    plan = [(instance / sealing.KEY_FILE, keys["current"])]
    if others:
        plan.append((instance / sealing.OLD_KEY_FILE, keys["others"][0]))
    for target, wanted in plan:
        if target.exists() and sealing.decode_key(target.read_text()) != sealing.decode_key(wanted) and not force:
            raise BackupError(f"{target} holds another answer key (perhaps of another database): move it away, or give --force "
                              "(it is then kept as a .replaced file), and run again")
    return plan


def _write_keys(plan: list[tuple[Path, str]]) -> list[Path]:
    written = []
    for target, wanted in plan:
        if target.exists():
            if sealing.decode_key(target.read_text()) == sealing.decode_key(wanted):
                continue
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target.rename(target.with_name(f"{target.name}.replaced-{stamp}"))
        sealing.write_secret(target, wanted, replace=True)
        written.append(target)
    return written


# --- checks ------------------------------------------------------------------------------------

def _check(result: Restored, url: str, ring: sealing.Keyring | None, head: str | None) -> None:
    manifest = result.manifest
    engine = create_engine(url, hide_parameters=True)
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if revision != manifest.get("schema_revision"):
                result.problems.append(f"schema revision {revision}, the manifest says {manifest.get('schema_revision')}")
            elif head and revision != head:
                result.problems.append(f"schema revision {revision}; this CML is at {head}: run `flask --app cml db upgrade`")
            else:
                result.checks.append(f"schema revision {revision}")
            differ = [table for table, count in manifest.get("rows", {}).items() if _count(connection, table) != count]
            if differ:
                result.problems.append(f"row counts differ from the manifest's in {', '.join(sorted(differ))}")
            else:
                rows = manifest.get("rows", {})
                result.checks.append(f"row counts equal the manifest's ({rows.get('responses', 0)} responses, {rows.get('indicator_facts', 0)} facts)")
            off = sums_off(connection)
            if off:
                result.problems.append(f"{off} indicator sum(s) differ from the sums of the facts: run `flask --app cml indicators rebuild`")
            else:
                result.checks.append("indicator sums equal the sums of the facts")
            _check_sealed(result, connection, ring)
    finally:
        engine.dispose()


def _count(connection: Connection, table: str) -> int | None:
    try:
        return int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())  # noqa: S608 (names from the manifest's catalogue, quoted)
    except Exception:  # noqa: BLE001 — a missing table is a difference, reported as such
        connection.rollback()
        return None


def sums_off(connection: Connection) -> int:
    """How many `indicator_sums` rows differ from the facts grouped by the same key (0: as a rebuild leaves them)."""
    key = ", ".join(fact_sums.KEY)
    facts = {tuple(row[:5]): tuple(row[5:]) for row in connection.execute(text(
        f"SELECT {key}, sum(numerator), sum(denominator), sum(numerator_squared), count(*) FROM indicator_facts GROUP BY {key}"))}  # noqa: S608
    sums = {tuple(row[:5]): tuple(row[5:]) for row in connection.execute(text(
        f"SELECT {key}, numerator, denominator, numerator_squared, facts FROM indicator_sums WHERE facts <> 0"))}  # noqa: S608
    off = 0
    for row_key in facts.keys() | sums.keys():
        a, b = facts.get(row_key), sums.get(row_key)
        if a is None or b is None or a[3] != b[3] or any(abs(float(x) - float(y)) > 1e-6 * max(1.0, abs(float(x))) for x, y in zip(a[:3], b[:3], strict=True)):
            off += 1
    return off


def _check_sealed(result: Restored, connection: Connection, ring: sealing.Keyring | None) -> None:
    known = {sealing.key_id(key) for key in (ring.current, *ring.others)} if ring else set()
    wanted: dict[bytes, int] = {}
    for (sealed,) in connection.execute(text("SELECT sealed_answers FROM responses WHERE sealed_answers IS NOT NULL")):
        key = sealing.sealed_under(bytes(sealed))
        wanted[key] = wanted.get(key, 0) + 1
    missing = {key: count for key, count in wanted.items() if key not in known}
    if missing:
        needed = ", ".join(key.hex() for key in sorted(missing))
        result.problems.append(f"{sum(missing.values())} response(s) have sensitive answers sealed under answer key id {needed}, which this "
                               "instance lacks: put the answer key kept with your backups into instance/answer_key (or CML_ANSWER_KEY)")
        return
    sample = connection.execute(text("SELECT submission_id, sealed_answers FROM responses WHERE sealed_answers IS NOT NULL LIMIT 1")).first()
    if sample is None:
        result.checks.append("no sealed answers to open")
        return
    submission = sample[0] if isinstance(sample[0], uuid.UUID) else uuid.UUID(str(sample[0]))
    assert ring is not None  # every sealed value's key is known, so there is a ring
    try:
        sealing.unseal(ring, sealing.identity("responses", submission), bytes(sample[1]))
    except (sealing.SealError, json.JSONDecodeError, ValueError):
        result.problems.append("a sealed answer does not open with this instance's answer key")
        return
    result.checks.append(f"sealed answers of {sum(wanted.values())} response(s) under this instance's answer key (one opened)")
