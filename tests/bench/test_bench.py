"""python -m cml.bench: JSON lines with the required keys, the loader's rows equal the service's,
the fault run's invariants, and gunicorn serving health and compressed static files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cml.bench.report import REQUIRED_KEYS
from cml.extensions import db
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str, timeout: float = 240) -> tuple[int, list[dict], str]:
    database = ["--database", "postgresql", "--database-url", PG_URL] if PG_URL else ["--database", "sqlite"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "cml.bench", *database, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines, done.stderr


def test_a_small_run_prints_one_json_object_per_line_with_its_baseline() -> None:
    code, lines, stderr = bench("--quick", "--only", "import,dashboard", "--sizes", "2000")
    assert code == 0, stderr[-3000:]
    metrics = {line["metric"] for line in lines}
    assert {"dashboard.overview_page.warm", "dashboard.overview_page.cold", "import.rows_per_s", "bulk.store_many.rows_per_s"} <= metrics
    for line in lines:
        assert set(REQUIRED_KEYS) <= set(line), line
        assert isinstance(line["value"], int | float)
        assert line["baseline"] is not None
        assert line["database"] == ("postgresql" if PG_URL else "sqlite")
    page = next(line for line in lines if line["metric"] == "dashboard.overview_page.warm")
    assert page["n"] == 2000 and page["unit"] == "ms" and page["ratio"] == pytest.approx(page["value"] / page["baseline"], rel=1e-2)


def test_unknown_scenarios_are_refused() -> None:
    code, lines, stderr = bench("--only", "nothing")
    assert code == 2 and lines == [] and "unknown scenario" in stderr


def test_the_benchmark_loader_writes_what_store_many_would(app, world) -> None:
    """store_many sees every loader row as a duplicate (same fingerprint) and the facts are contributions'."""
    from cml.bench.data import BenchData
    from cml.models import IndicatorFact, Response
    from cml.services.bulk import NewResponse, store_many
    from cml.services.responses import all_answers

    with app.app_context():
        data = BenchData(pool=40)
        items = data.items(60)
        rows = data.rows(items)
        db.session.commit()  # the loader writes through its own connection
        data.insert(rows)
        stored = db.session.scalar(db.select(db.func.count(Response.id)))
        facts = db.session.scalar(db.select(db.func.count()).select_from(IndicatorFact))
        assert stored == 60 and facts == sum(len(template.facts) for _, template, _ in items)
        again = store_many(data.version, [NewResponse(sid, t.facility_id, t.region_id, day, t.answers) for sid, t, day in items], source="demo")
        assert (again.stored, again.duplicates, again.conflicts) == (0, 60, [])
        response = db.session.scalar(db.select(Response).where(Response.submission_id == items[0][0]))
        assert response is not None and all_answers(response) == items[0][1].answers and response.region_id == items[0][1].region_id


@pytest.mark.parametrize(
    ("raw", "complete", "parsed"),
    [
        (b"HTTP/1.1 303 SEE OTHER\r\nLocation: /r/1\r\nContent-Length: 3\r\n\r\nabc", False, (303, "/r/1", True)),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", False, None),  # body still coming
        (b"HTTP/1.1 200 OK\r\nContent-Len", False, None),  # headers still coming
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", False, (200, "", False)),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", False, (200, "", True)),
        (b"HTTP/1.1 500 ERR\r\n\r\nuntil the end", False, None),
        (b"HTTP/1.1 500 ERR\r\n\r\nuntil the end", True, (500, "", False)),  # closed: the body ends there
    ],
    ids=["length", "partial-body", "partial-headers", "close", "chunked", "open-ended", "closed"],
)
def test_the_load_client_reads_whole_responses_only(raw, complete, parsed) -> None:
    from cml.bench.server import _parse

    assert _parse(bytearray(raw), complete) == parsed


def test_the_ping_route_exists_only_for_the_benchmark(make_app) -> None:
    assert make_app().test_client().get("/bench/ping").status_code == 404
    assert make_app(BENCH_ROUTES=True).test_client().get("/bench/ping").data == b"ok"


@pytest.mark.slow
def test_fault_run_loses_and_duplicates_nothing() -> None:
    """kill -9 of gunicorn workers mid-load, retries with the same ids, and a 5 s lock: no duplicate, no lost ack, no 500."""
    code, lines, stderr = bench("--quick", "--only", "fault")
    assert code == 0, stderr[-3000:]
    values = {line["metric"]: line for line in lines}
    assert values["fault.kill.duplicates"]["value"] == 0
    assert values["fault.kill.missing_acknowledged"]["value"] == 0
    assert values["fault.kill.present_in_db"]["value"] == values["fault.kill.present_in_db"]["baseline"]
    assert values["fault.kill.acknowledged"]["workers_killed"] >= 1
    assert values["fault.lock.server_errors"]["value"] == 0
    assert values["fault.lock.server_errors"]["statuses"] == {"303": values["fault.lock.server_errors"]["requests"]}
    if "fault.disk.missing_acknowledged" in values:  # the full-disk run needs root to mount its tmpfs
        assert values["fault.disk.refused_503"]["value"] > 0
        assert values["fault.disk.other_5xx"]["value"] == 0
        assert values["fault.disk.duplicates"]["value"] == 0
        assert values["fault.disk.missing_acknowledged"]["value"] == 0
        assert values["fault.disk.present_in_db"]["value"] == values["fault.disk.present_in_db"]["baseline"]
    else:
        assert "fault.disk skipped" in stderr


@pytest.mark.slow
def test_a_backup_taken_under_load_restores_every_acknowledged_submission() -> None:
    """The backup scenario (which CI ran as its own step before): a backup while clients submit, restored into an empty
    database, holds every submission acknowledged before it, and a rebuild leaves the sums as they were."""
    code, lines, stderr = bench("--quick", "--only", "backup")
    assert code == 0, stderr[-3000:]
    values = {line["metric"]: line for line in lines}
    assert values["backup.missing_acknowledged"]["value"] == 0
    assert values["backup.acknowledged_present"]["value"] == values["backup.acknowledged_present"]["baseline"] > 0
    assert values["backup.size_bytes"]["value"] > 0 and values["backup.restore_s"]["value"] > 0


@pytest.mark.slow
def test_gunicorn_serves_health_and_compressed_cacheable_static_files() -> None:
    from cml.bench.databases import fresh_database, server_url
    from cml.bench.server import HOST, Server, load

    kind = "postgresql" if PG_URL else "sqlite"
    with fresh_database(kind, server_url(kind, PG_URL or None), "serve") as database, Server(database, 2, 2) as server:
        import http.client

        conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
        conn.request("GET", "/healthz")
        health = conn.getresponse()
        assert health.status == 200 and json.loads(health.read()) == {"status": "ok", "database": "ok"}
        conn.request("GET", "/static/cml.css", headers={"Accept-Encoding": "br, gzip"})
        css = conn.getresponse()
        css.read()
        assert css.status == 200
        assert css.getheader("Content-Encoding") in ("br", "gzip")
        assert "max-age=86400" in (css.getheader("Cache-Control") or "")
        conn.close()
        result = load(server.port, 3, [("GET", "/healthz", None)] * 20, [])  # the benchmark's own client
        assert result.statuses == {200: 20} and [o.index for o in result.outcomes] == list(range(20))
        assert result.client_cpu_s > 0 and server.cpu_seconds() > 0


def test_the_full_disk_run_is_skipped_with_its_reason_without_root(monkeypatch) -> None:
    from cml.bench import disk
    from cml.bench.databases import BenchDatabase
    from cml.bench.report import Report

    monkeypatch.setattr(disk.os, "geteuid", lambda: 1000)
    notes: list[str] = []
    report = Report()
    monkeypatch.setattr(report, "note", notes.append)
    assert disk.run_disk_full(BenchDatabase("sqlite", "sqlite:///unused", ROOT), report, 10, 1, 1, 1) is None
    assert notes == ["fault.disk skipped: mounting a tmpfs needs root"]


def test_the_sync_run_sends_the_apps_json_beside_the_form_and_stores_each_once() -> None:
    """The app's sync path through gunicorn with CSRF on: every interview 201, a resend 200 and nothing more stored."""
    code, lines, stderr = bench("--quick", "--only", "sync", "--interviews", "30")
    assert code == 0, stderr[-3000:]
    values = {line["metric"]: line for line in lines}
    for label in ("sequential", "parallel4"):
        line = values[f"sync.{label}.seconds"]
        assert line["statuses"] == {"201": 30} and line["baseline_statuses"] == {"303": 30} and line["csrf"] == "on"
        assert line["baseline"] > 0 and line["target_s"] == 1.2
    assert values["sync.resend.seconds"]["statuses"] == {"200": 30}


def test_the_offline_app_bytes_are_reported_beside_the_form_path() -> None:
    code, lines, stderr = bench("--only", "offline")
    assert code == 0, stderr[-3000:]
    figures = {line["metric"]: line for line in lines}
    first, later = figures["offline_app_first_visit_bytes"], figures["offline_app_later_visit_bytes"]
    assert first["baseline"] > 0 and later["baseline"] > 0
    # The setup is in the first visit; a later one asks for it with its ETag and gets a 304.
    assert "/collect/api/v1/setup" in first["largest"]
    assert later["value"] < first["largest"]["/collect/api/v1/setup"]
