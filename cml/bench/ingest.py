"""Ingest: concurrent clients post real, durable, idempotent submissions through gunicorn.

A fresh database (`flask db upgrade`, `flask demo load`), four monitor accounts in the
demo regions, and a gunicorn on 127.0.0.1. Each client connection signs in once, then posts
complete clinic-exit interviews (generated, valid, each with its own submission id) to
`POST /collect/clinic_exit/submit`, the form's self-contained final submit: a 303 means
the response and its facts were committed (SQLite: WAL, synchronous=FULL; PostgreSQL:
fsync and synchronous_commit on). Afterwards the database must hold exactly one response
per acknowledged id. Besides rates and latencies it reports the CPU the server (gunicorn's
master and workers) and the client spent per request, so a run on a busy machine still
says where the time goes.

Baselines, same server and client settings: `GET /bench/ping` (a bare route, no database,
enabled only in the benchmark's server), and the database's own durable-commit ceiling:
the same number of threads committing one small row each, through the bare driver.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import urllib.parse
import uuid
from datetime import date
from typing import Any

from cml.bench.databases import BenchDatabase
from cml.bench.report import Report, percentile
from cml.bench.server import LoadResult, Server, load, sign_in
from cml.extensions import db

CODE = "clinic_exit"
MONITORS = 4


def prepare(database: BenchDatabase, count: int, seed: int = 7) -> tuple[list[tuple[str, str]], list[bytes]]:
    """Monitor accounts (username, password) and `count` distinct submission bodies."""
    from cml.core.synthetic import Generator, facility_profiles
    from cml.models import Facility, Region
    from cml.services import users
    from cml.services.demo_data import window
    from cml.services.surveys import latest_version, model_of

    app = database.app()
    accounts: list[tuple[str, str]] = []
    with app.app_context():
        regions = list(db.session.scalars(db.select(Region).where(~Region.code.like("bench-%")).order_by(Region.code)))[:2]
        for number in range(MONITORS):  # peer monitors of the same two regions
            name, password = f"bench-monitor-{number}", users.random_password()
            account = users.find_user(name)
            if account is None:
                users.create_user(name, password, "monitor", regions)
            else:
                users.set_password(account, password, None)
            accounts.append((name, password))
        db.session.commit()
        version = latest_version(CODE)
        assert version is not None
        places = db.session.execute(db.select(Facility.id, Facility.region_id).where(Facility.active.is_(True), Facility.stands_for_region.is_(False))).all()
        today = date.today()
        generator = Generator(model_of(version), facility_profiles([(f, r) for f, r in places], random.Random(seed)),
                              window(today), today, today, f"ingest:{seed}")
        answers = generator.responses(f"ingest:{seed}:answers", min(count, 500))
        mine = {region.id for region in regions}
        facilities = [f for f, r in places if r in mine]
        rng = random.Random(seed)
        bodies = []
        for index in range(count):
            made = answers[index % len(answers)]
            fields: list[tuple[str, str]] = [
                ("version", str(version.id)),
                ("submission_id", str(uuid.UUID(int=rng.getrandbits(128), version=4))),
                ("facility", str(rng.choice(facilities))),
                ("interview_date", made.interview_date.isoformat()),
            ]
            for question, value in made.answers.items():
                for item in value if isinstance(value, list) else [value]:
                    fields.append((f"q_{question}", str(item)))
            bodies.append(urllib.parse.urlencode(fields).encode())
        db.session.remove()
        db.engine.dispose()
    return accounts, bodies


def submit_jobs(bodies: list[bytes]) -> list[tuple[str, str, bytes | None]]:
    return [("POST", f"/collect/{CODE}/submit", body) for body in bodies]


def cookies_for(server: Server, accounts: list[tuple[str, str]], concurrency: int) -> list[str]:
    """One sign-in per client connection (accounts taken in turn); connection i uses cookie i."""
    return [sign_in(server.port, *accounts[i % len(accounts)]) for i in range(concurrency)]


def summary(result: LoadResult, ok: tuple[int, ...]) -> dict[str, float]:
    good = [o.seconds for o in result.outcomes if o.status in ok]
    return {
        "per_s": len(good) / result.seconds if result.seconds else 0.0,
        "p50_ms": percentile(good, 50) * 1000,
        "p99_ms": percentile(good, 99) * 1000,
    }


def stored_ids(database: BenchDatabase) -> list[str]:
    from cml.models import Response

    app = database.app()
    with app.app_context():
        ids = [str(sid) for sid in db.session.scalars(db.select(Response.submission_id).where(Response.source == "web"))]
        db.session.remove()
        db.engine.dispose()
    return ids


def submission_id_of(body: bytes) -> str:
    return urllib.parse.parse_qs(body.decode())["submission_id"][0]


def commit_ceiling(database: BenchDatabase, concurrency: int, seconds: float = 2.0) -> float:
    """Durable commits per second of the bare database: `concurrency` threads, one row per commit."""
    stop = time.monotonic() + seconds
    counts = [0] * concurrency

    if database.kind == "sqlite":
        path = database.instance / "ceiling.sqlite3"
        setup = sqlite3.connect(path, isolation_level=None)
        setup.execute("PRAGMA journal_mode = WAL")
        setup.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, x TEXT)")
        setup.close()

        def worker(number: int) -> None:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
            conn.execute("PRAGMA synchronous = FULL")
            while time.monotonic() < stop:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t (x) VALUES (?)", ("x" * 64,))
                conn.execute("COMMIT")
                counts[number] += 1
            conn.close()
    else:
        import psycopg

        url = database.url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS bench_ceiling (id serial PRIMARY KEY, x text)")

        def worker(number: int) -> None:
            with psycopg.connect(url) as conn:
                while time.monotonic() < stop:
                    conn.execute("INSERT INTO bench_ceiling (x) VALUES (%s)", ("x" * 64,))
                    conn.commit()
                    counts[number] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def run(database: BenchDatabase, report: Report, requests: int, concurrency: int, configs: list[tuple[int, int]]) -> None:
    accounts, bodies = prepare(database, requests * len(configs))
    ceiling = commit_ceiling(database, concurrency)
    for number, (workers, threads) in enumerate(configs):
        mine = bodies[number * requests : (number + 1) * requests]
        with Server(database, workers, threads) as server:
            cookies = cookies_for(server, accounts, concurrency)
            load(server.port, concurrency, [("GET", "/bench/ping", None)] * min(200, requests), cookies)  # warm-up
            cpu = server.cpu_seconds()
            ping = load(server.port, concurrency, [("GET", "/bench/ping", None)] * requests, cookies)
            ping_cpu, cpu = server.cpu_seconds() - cpu, server.cpu_seconds()
            submitted = load(server.port, concurrency, submit_jobs(mine), cookies)
            submit_cpu = server.cpu_seconds() - cpu
        acknowledged = {submission_id_of(mine[o.index]) for o in submitted.outcomes if o.status == 303}
        stored = stored_ids(database)
        context: dict[str, Any] = {"client": "one thread, selector, keep-alive connections", "concurrency": concurrency,
                                   "requests": requests, **server.settings, "statuses": dict(submitted.statuses)}
        report.check("ingest.all_acknowledged", len(acknowledged) == requests, f"{len(acknowledged)} of {requests} got 303: {dict(submitted.statuses)}")
        report.check("ingest.durable", acknowledged <= set(stored), f"{len(acknowledged - set(stored))} acknowledged ids not in the database")
        sub, base = summary(submitted, (303,)), summary(ping, (200,))
        report.emit("ingest.submissions_per_s", sub["per_s"], "submissions/s (higher is better)", base["per_s"], target=1200, **context)
        report.emit("ingest.p50", sub["p50_ms"], "ms", base["p50_ms"], **context)
        report.emit("ingest.p99", sub["p99_ms"], "ms", base["p99_ms"], target_ms=100, **context)
        report.emit("ingest.server_cpu_ms", submit_cpu / requests * 1000, "ms of server CPU per submission (ping: per request)",
                    ping_cpu / requests * 1000, **context)
        report.emit("ingest.client_cpu_ms", submitted.client_cpu_s / requests * 1000, "ms of client CPU per submission (ping: per request)",
                    ping.client_cpu_s / requests * 1000, **context)
        report.emit("ingest.vs_commit_ceiling", sub["per_s"], "submissions/s vs bare durable commits/s", ceiling,
                    ceiling_threads=concurrency, **context)
