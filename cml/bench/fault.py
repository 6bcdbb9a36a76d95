"""Fault run: a worker killed with SIGKILL mid-load, and the database locked for 5 s under load.

Kill: clients post submissions; after a third (and again after two thirds) of them are
answered, one gunicorn worker gets SIGKILL (the master starts another). Requests that got
no answer are sent again with the same submission id and answers until answered, as a
phone does. Then the database is counted: every acknowledged (303) id must be present,
none twice, and every id that was sent at all must be there after the retries.

Lock: while clients post, another connection holds the write lock for 5 s (SQLite:
BEGIN IMMEDIATE; PostgreSQL: LOCK TABLE responses IN EXCLUSIVE MODE). The app waits
(SQLite's busy timeout is 10 s) and must answer every request with 303, never a 500.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from typing import Any

from cml.bench.databases import BenchDatabase
from cml.bench.ingest import cookies_for, prepare, submission_id_of, submit_jobs
from cml.bench.report import Report
from cml.bench.server import Server, load, request
from cml.extensions import db

LOCK_SECONDS = 5.0


def _counts(database: BenchDatabase, ids: set[str]) -> dict[str, int]:
    from cml.models import IndicatorFact, Response

    app = database.app()
    with app.app_context():
        rows = [str(sid) for sid in db.session.scalars(db.select(Response.submission_id).where(Response.source == "web"))]
        facts_twice = db.session.execute(
            db.select(IndicatorFact.response_id, IndicatorFact.indicator).group_by(IndicatorFact.response_id, IndicatorFact.indicator)
            .having(db.func.count() > 1)
        ).all()
        without_facts = db.session.scalar(
            db.select(db.func.count(Response.id)).where(Response.source == "web", ~Response.id.in_(db.select(IndicatorFact.response_id)))
        )
        db.session.remove()
        db.engine.dispose()
    counted = Counter(rows)
    return {
        "rows": len(rows),
        "present": len(ids & set(counted)),
        "duplicates": sum(c - 1 for c in counted.values() if c > 1) + len(facts_twice),
        "without_facts": int(without_facts or 0),
    }


def run_kill(database: BenchDatabase, report: Report, requests: int, concurrency: int, workers: int, threads: int) -> dict[str, int]:
    accounts, bodies = prepare(database, requests, seed=11)
    killed: list[int] = []
    lock = threading.Lock()
    with Server(database, workers, threads) as server:
        cookies = cookies_for(server, accounts, concurrency)

        def kill_now(done: int) -> None:
            with lock:
                due = len(killed) < 2 and done >= (len(killed) + 1) * requests // 3
                if not due:
                    return
                pids = server.worker_pids()
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])

        first = load(server.port, concurrency, submit_jobs(bodies), cookies, during=kill_now)
        acknowledged = {submission_id_of(bodies[o.index]) for o in first.outcomes if o.status == 303}
        unanswered = [o.index for o in first.outcomes if o.status is None or o.status >= 500]
        retried = 0
        retry_statuses: Counter[int] = Counter()
        for index in unanswered:
            for _attempt in range(10):
                retried += 1
                try:
                    status, _, _ = request(server.port, "POST", submit_jobs([bodies[index]])[0][1], bodies[index], cookies[0])
                except OSError:
                    time.sleep(0.5)
                    continue
                if status < 500:
                    retry_statuses[status] += 1
                    if status == 303:
                        acknowledged.add(submission_id_of(bodies[index]))
                    break
                time.sleep(0.5)
    sent = {submission_id_of(body) for body in bodies}
    counts = _counts(database, sent)
    missing = len(acknowledged - _present(database))
    context: dict[str, Any] = {"requests": requests, "concurrency": concurrency, **server.settings, "workers_killed": len(killed),
                               "first_pass_statuses": {str(k): v for k, v in first.statuses.items()},
                               "retry_statuses": dict(retry_statuses), "client": "one thread, selector, keep-alive connections"}
    report.emit("fault.kill.acknowledged", len(acknowledged), "submissions", requests, **context)
    report.emit("fault.kill.unanswered_then_retried", len(unanswered), "submissions", requests, retries=retried, **context)
    report.emit("fault.kill.present_in_db", counts["present"], "submissions", len(sent), **context)
    report.emit("fault.kill.duplicates", counts["duplicates"], "rows (must be 0)", 0, **context)
    report.emit("fault.kill.missing_acknowledged", missing, "submissions (must be 0)", 0, **context)
    report.check("fault.kill.duplicates", counts["duplicates"] == 0, f"{counts['duplicates']} duplicated rows")
    report.check("fault.kill.missing_acknowledged", missing == 0, f"{missing} acknowledged submissions are not in the database")
    report.check("fault.kill.all_present", counts["present"] == len(sent), f"{len(sent) - counts['present']} sent ids missing after retries")
    report.check("fault.kill.facts", counts["without_facts"] == 0, f"{counts['without_facts']} responses without facts")
    report.check("fault.kill.killed", len(killed) >= 1, "no worker was killed")
    return {"acknowledged": len(acknowledged), "retried": len(unanswered), "present": counts["present"],
            "duplicates": counts["duplicates"], "missing_acknowledged": missing}


def _present(database: BenchDatabase) -> set[str]:
    from cml.bench.ingest import stored_ids

    return set(stored_ids(database))


def hold_lock(database: BenchDatabase, seconds: float, held: threading.Event) -> None:
    if database.kind == "sqlite":
        conn = sqlite3.connect(database.url.removeprefix("sqlite:///"), isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()
        return
    import psycopg

    with psycopg.connect(database.url.replace("postgresql+psycopg://", "postgresql://")) as server:
        server.execute("LOCK TABLE responses IN EXCLUSIVE MODE")
        held.set()
        time.sleep(seconds)
        server.rollback()


def run_lock(database: BenchDatabase, report: Report, requests: int, concurrency: int, workers: int, threads: int) -> dict[str, int]:
    accounts, bodies = prepare(database, requests, seed=13)
    held = threading.Event()
    started: list[float] = []
    locker = threading.Thread(target=hold_lock, args=(database, LOCK_SECONDS, held))
    with Server(database, workers, threads) as server:
        cookies = cookies_for(server, accounts, concurrency)

        def lock_now(done: int) -> None:
            if done >= 5 and not started:
                started.append(time.perf_counter())
                locker.start()
                held.wait(10)

        result = load(server.port, concurrency, submit_jobs(bodies), cookies, during=lock_now, timeout=60)
    if locker.is_alive() or started:
        locker.join()
    statuses = result.statuses
    errors = sum(v for k, v in statuses.items() if k is None or k >= 500)
    slowest = max((o.seconds for o in result.outcomes), default=0.0)
    context: dict[str, Any] = {"requests": requests, "concurrency": concurrency, **server.settings, "lock_seconds": LOCK_SECONDS,
                               "statuses": {str(k): v for k, v in statuses.items()}, "database": database.kind}
    report.emit("fault.lock.server_errors", errors, "responses 5xx or unanswered (must be 0)", 0, **context)
    report.emit("fault.lock.slowest", slowest, "s", LOCK_SECONDS, **context)
    report.check("fault.lock.no_500", errors == 0, f"statuses under a {LOCK_SECONDS:.0f} s lock: {dict(statuses)}")
    report.check("fault.lock.all_303", statuses.get(303, 0) == requests, f"statuses: {dict(statuses)}")
    report.check("fault.lock.locked", bool(started), "the lock was never taken")
    return {"errors": errors, "acknowledged": statuses.get(303, 0)}
