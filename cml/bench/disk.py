"""Fault run: the disk fills up under load (SQLite on a small tmpfs), then space comes back.

The SQLite database is copied onto a tmpfs mounted for the run, and a filler file takes all
but FREE_AT_START bytes of it. Clients post submissions with their ids; as the WAL grows
into the last free pages SQLite fails with "database or disk is full" and the app must
answer 503 (with Retry-After), never 500, and acknowledge nothing it did not commit. Then
the filler is deleted and every submission that was not acknowledged is sent again with the
same id and answers, as a phone does, until it is. Counted afterwards: every acknowledged id
present, none twice. Recovery time (space back -> first and last retry stored) is reported,
never judged.

Mounting needs root (CAP_SYS_ADMIN); without it the run prints why and is skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from cml.bench.databases import BenchDatabase
from cml.bench.ingest import cookies_for, prepare, submission_id_of, submit_jobs
from cml.bench.report import Report
from cml.bench.server import Server, load, request

TMPFS_BYTES = 64 * 1024 * 1024
FREE_AT_START = 1024 * 1024
"""Room left for the load: enough for a few batches' WAL frames, not for all of them."""
HEALTH_MIN_FREE = 64 * 1024
RETRY_ROUNDS = 20


def _mount(size: int) -> tuple[Path | None, str]:
    """A fresh tmpfs of `size` bytes, or None and why not."""
    if os.name != "posix" or not shutil.which("mount"):
        return None, "no mount command"
    if os.geteuid() != 0:
        return None, "mounting a tmpfs needs root"
    point = Path(tempfile.mkdtemp(prefix="cml-bench-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point)],  # noqa: S603, S607
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        point.rmdir()
        return None, f"mount -t tmpfs failed: {done.stderr.strip()[:200]}"
    return point, ""


def _unmount(point: Path) -> None:
    subprocess.run(["umount", str(point)], capture_output=True, check=False)  # noqa: S603, S607
    if subprocess.run(["mountpoint", "-q", str(point)], check=False).returncode == 0:  # noqa: S603, S607
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)  # noqa: S603, S607
    with contextlib.suppress(OSError):
        point.rmdir()


def _fill(point: Path, leave: int) -> Path:
    """A filler file that takes all but `leave` bytes of the file system."""
    filler = point / "filler"
    stats = os.statvfs(point)
    size = max(stats.f_bavail * stats.f_frsize - leave, 0)
    with open(filler, "wb") as handle:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            written = handle.write(chunk[: min(size, len(chunk))])
            size -= written
        handle.flush()
        os.fsync(handle.fileno())
    return filler


def _free(point: Path) -> int:
    stats = os.statvfs(point)
    return stats.f_bavail * stats.f_frsize


def _moved(database: BenchDatabase, point: Path) -> BenchDatabase:
    """The same database (accounts, secret, instance) with its SQLite file on the tmpfs."""
    source = database.url.removeprefix("sqlite:///")
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    target = point / "cml.sqlite3"
    shutil.copyfile(source, target)
    return replace(database, url=f"sqlite:///{target}", extra_env={"CML_HEALTH_MIN_FREE_BYTES": str(HEALTH_MIN_FREE)})


def _rows(path: str) -> Counter[str]:
    conn = sqlite3.connect(path)
    try:
        # SQLAlchemy keeps a Uuid in SQLite as 32 hex digits
        return Counter(str(uuid.UUID(row[0])) for row in conn.execute("SELECT submission_id FROM responses WHERE source = 'web'"))
    finally:
        conn.close()


def run_disk_full(database: BenchDatabase, report: Report, requests: int, concurrency: int, workers: int, threads: int) -> dict[str, Any] | None:
    if database.kind != "sqlite":
        report.note("fault.disk skipped: PostgreSQL's disk is its server's; run it against a server on a small volume by hand")
        return None
    point, why = _mount(TMPFS_BYTES)
    if point is None:
        report.note(f"fault.disk skipped: {why}")
        return None
    try:
        return _run(database, report, point, requests, concurrency, workers, threads)
    finally:
        _unmount(point)


def _run(database: BenchDatabase, report: Report, point: Path, requests: int, concurrency: int, workers: int, threads: int) -> dict[str, Any]:
    accounts, bodies = prepare(database, requests, seed=17)
    moved = _moved(database, point)
    ids = [submission_id_of(body) for body in bodies]
    retry_statuses: Counter[int | None] = Counter()
    with Server(moved, workers, threads) as server:
        cookies = cookies_for(server, accounts, concurrency)
        filler = _fill(point, FREE_AT_START)
        first = load(server.port, concurrency, submit_jobs(bodies), cookies, timeout=60)
        acknowledged = {ids[o.index] for o in first.outcomes if o.status == 303}
        health_when_full = request(server.port, "GET", "/healthz")[0]
        free_when_full = _free(point)
        pending = [o.index for o in first.outcomes if o.status != 303]
        filler.unlink()  # space again
        freed = time.perf_counter()
        first_stored = last_stored = None
        for _round in range(RETRY_ROUNDS):
            if not pending:
                break
            started = time.perf_counter() - freed
            again = load(server.port, concurrency, submit_jobs([bodies[i] for i in pending]), cookies, timeout=60)
            ended = time.perf_counter() - freed
            still = []
            for outcome in again.outcomes:
                retry_statuses[outcome.status] += 1
                index = pending[outcome.index]
                if outcome.status == 303:
                    acknowledged.add(ids[index])
                    # The retries of one pass start together: the first stored is its quickest answer.
                    quickest = started + outcome.seconds
                    first_stored = quickest if first_stored is None else min(first_stored, quickest)
                    last_stored = ended
                else:
                    still.append(index)
            pending = still
            if pending:
                time.sleep(0.5)
        health_after = request(server.port, "GET", "/healthz")[0]
    rows = _rows(moved.url.removeprefix("sqlite:///"))
    statuses = first.statuses
    refused = statuses.get(503, 0)
    server_errors = sum(v for k, v in statuses.items() if k is None or (k >= 500 and k != 503))
    duplicates = sum(c - 1 for c in rows.values() if c > 1)
    missing = len(acknowledged - set(rows))
    present = len(set(ids) & set(rows))
    context: dict[str, Any] = {"requests": requests, "concurrency": concurrency, **server.settings, "tmpfs_bytes": TMPFS_BYTES,
                               "free_at_start": FREE_AT_START, "free_when_full": free_when_full,
                               "first_pass_statuses": {str(k): v for k, v in statuses.items()},
                               "retry_statuses": {str(k): v for k, v in retry_statuses.items()},
                               "healthz_when_full": health_when_full, "healthz_after": health_after}
    first_acks = statuses.get(303, 0)
    report.emit("fault.disk.acknowledged_before_full", first_acks, "submissions", requests, **context)
    report.emit("fault.disk.refused_503", refused, "submissions", requests, **context)
    report.emit("fault.disk.other_5xx", server_errors, "responses (must be 0)", 0, **context)
    report.emit("fault.disk.present_in_db", present, "submissions", requests, **context)
    report.emit("fault.disk.duplicates", duplicates, "rows (must be 0)", 0, **context)
    report.emit("fault.disk.missing_acknowledged", missing, "submissions (must be 0)", 0, **context)
    report.emit("fault.disk.recovery_first_s", first_stored, "s", None, **context)
    report.emit("fault.disk.recovery_all_s", last_stored, "s", None, **context)
    report.check("fault.disk.filled", refused > 0, "the disk never filled: no 503 (raise the requests or lower FREE_AT_START)")
    report.check("fault.disk.only_503", server_errors == 0, f"statuses while full: {dict(statuses)}")
    report.check("fault.disk.duplicates", duplicates == 0, f"{duplicates} duplicated rows")
    report.check("fault.disk.missing_acknowledged", missing == 0, f"{missing} acknowledged submissions are not in the database")
    report.check("fault.disk.all_present", present == requests, f"{requests - present} ids missing after the retries")
    return {"acknowledged_before_full": first_acks, "refused_503": refused, "other_5xx": server_errors, "present": present,
            "duplicates": duplicates, "missing_acknowledged": missing, "recovery_first_s": first_stored, "recovery_all_s": last_stored,
            "healthz_when_full": health_when_full, "healthz_after": health_after}
