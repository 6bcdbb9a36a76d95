"""Backup under load: `backup create` while clients post submissions through gunicorn, then a restore.

The database holds N generated responses (the benchmark's loader). Clients post durable
submissions (as in the ingest run); once a third of them are answered, the backup is taken
in this process (what `flask --app cml backup create` runs), while the posting goes on.
Then the same backup is taken again on the quiet database (the baseline), and the backup
under load is restored (`backup restore`) into a new empty database. Invariants (a failure
makes the run exit 1): every submission acknowledged (303) before the backup started is in
the restored database, the restore's own checks pass (schema revision, row counts equal the
manifest's, sums equal the facts', sealed answers open), and a full `indicators rebuild` of
the restored database leaves its sums unchanged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cml.bench.data import BenchData
from cml.bench.databases import BenchDatabase, empty_database
from cml.bench.ingest import cookies_for, prepare, submission_id_of, submit_jobs
from cml.bench.report import Report, timer
from cml.bench.server import LoadResult, Server, load
from cml.extensions import db


def _fill(database: BenchDatabase, responses: int, report: Report) -> None:
    app = database.app()
    with app.app_context():
        data = BenchData()
        data.make_templates()
        with timer() as took:
            data.fill(responses)
        db.session.remove()
        db.engine.dispose()
    report.note(f"backup: {responses} responses loaded in {took[0]:.1f} s")


@contextmanager
def _app_context(database: BenchDatabase, url: str | None = None) -> Iterator[Any]:
    app = database.app(**({"SQLALCHEMY_DATABASE_URI": url} if url else {}))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _database_bytes(database: BenchDatabase) -> int:
    if database.kind == "sqlite":
        path = Path(database.url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with _app_context(database):
        return int(db.session.execute(db.text("SELECT pg_database_size(current_database())")).scalar_one())


def _sums(url: str, database: BenchDatabase) -> dict[tuple[Any, ...], tuple[float, ...]]:
    from cml.models import IndicatorSum

    with _app_context(database, url):
        return {(r.questionnaire_id, r.indicator, r.month, r.region_id, r.facility_id): (round(r.numerator, 6), round(r.denominator, 6),
                                                                                       round(r.numerator_squared, 6), r.facts)
                for r in db.session.scalars(db.select(IndicatorSum).where(IndicatorSum.facts != 0))}


def _rebuild(url: str, database: BenchDatabase) -> float:
    from cml.services import indicators

    with _app_context(database, url), timer() as took:
        for _batch in indicators.rebuild(indicators.rebuild_plan(None)):
            db.session.commit()
    return took[0]


def _present(url: str, database: BenchDatabase) -> set[str]:
    from cml.models import Response

    with _app_context(database, url):
        return {str(sid) for sid in db.session.scalars(db.select(Response.submission_id).where(Response.source == "web"))}


def _rounded(phases: dict[str, float]) -> dict[str, float]:
    return {name: round(seconds, 2) for name, seconds in phases.items()}


def run(database: BenchDatabase, report: Report, responses: int, requests: int, concurrency: int, workers: int, threads: int,
        server_url: str | None) -> None:
    from cml.services import backup, backup_restore, sealing

    _fill(database, responses, report)
    accounts, bodies = prepare(database, requests, seed=17)
    folder = database.instance / "backups"
    start = threading.Event()
    finished: list[LoadResult] = []
    marks: dict[str, float] = {}
    with Server(database, workers, threads) as server:
        cookies = cookies_for(server, accounts, concurrency)

        def during(done: int) -> None:
            if done >= requests // 3:
                start.set()

        loader = threading.Thread(target=lambda: finished.append(load(server.port, concurrency, submit_jobs(bodies), cookies, during=during)))
        loader.start()
        start.wait(120)
        with _app_context(database):
            marks["before"] = time.perf_counter()  # answered before this: committed before the backup began
            made = backup.create(database.url, folder, sealing.keyring())
            marks["after"] = time.perf_counter()
        loader.join()
    [result] = finished
    ok = [o for o in result.outcomes if o.status == 303]
    acknowledged_before = {submission_id_of(bodies[o.index]) for o in ok if o.at < marks["before"]}
    during_backup = sum(1 for o in ok if marks["before"] <= o.at < marks["after"])
    size = made.path.stat().st_size
    with _app_context(database):
        quiet = backup.create(database.url, database.instance / "quiet", sealing.keyring())
    database_size = _database_bytes(database)
    with empty_database(database.kind, server_url, database.instance, "restored") as target:
        with _app_context(database, target) as app:
            restored = backup_restore.restore(made.path, target, Path(app.instance_path), sealing.keyring)
        present = _present(target, database)
        before_rebuild = _sums(target, database)
        rebuild_seconds = _rebuild(target, database)
        rebuilt_equal = _sums(target, database) == before_rebuild
    missing = len(acknowledged_before - present)
    stored = made.manifest["rows"].get("responses", 0)
    context: dict[str, Any] = {"n": responses, "requests": requests, "concurrency": concurrency, **server.settings,
                               "client": "one thread, selector, keep-alive connections", "statuses": {str(k): v for k, v in result.statuses.items()},
                               "acknowledged_before_backup": len(acknowledged_before), "acknowledged_during_backup": during_backup,
                               "acknowledged_in_all": len(ok), "responses_in_backup": stored, "submissions_present_after_restore": len(present)}
    report.emit("backup.size_bytes", size, "bytes of the backup file", database_size, **context)
    report.emit("backup.create_under_load_s", made.seconds, "s to back up while clients post (baseline: the same on the quiet database)",
                quiet.seconds, phases=_rounded(made.phases), quiet_phases=_rounded(quiet.phases), **context)
    report.emit("backup.submissions_per_s_during", during_backup / made.seconds if made.seconds else None,
                "acknowledged submissions/s while the backup ran (baseline: over the whole load)", len(ok) / result.seconds if result.seconds else None, **context)
    report.emit("backup.restore_s", restored.seconds, "s to restore and check it into an empty database (baseline: the quiet backup)",
                quiet.seconds, phases=_rounded(restored.phases), **context)
    report.emit("backup.rebuild_after_restore_s", rebuild_seconds, "s of `indicators rebuild` on the restored database (baseline: the restore)",
                restored.seconds, **context)
    report.emit("backup.acknowledged_present", len(acknowledged_before & present), "submissions acknowledged before the backup and present after restore",
                len(acknowledged_before), **context)
    report.emit("backup.missing_acknowledged", missing, "acknowledged before the backup, missing after restore (must be 0)", 0, **context)
    report.check("backup.missing_acknowledged", missing == 0, f"{missing} submissions acknowledged before the backup are missing after restore")
    report.check("backup.restore_checks", not restored.problems, "; ".join(restored.problems))
    report.check("backup.rebuild_equal", rebuilt_equal, "a rebuild of the restored database changed its sums")
