"""Sync: the collection app sends its waiting interviews to a real server, as the app does it.

A fresh database, one monitor, and a gunicorn on 127.0.0.1 with CSRF on (as in production,
unlike the other runs' servers). The monitor signs in through the sign-in form, asks
`GET /collect/api/v1/session` for the CSRF token, then sends N complete clinic-exit
interviews (generated, valid, each with its own submission id) as the app's JSON to
`POST /collect/api/v1/submissions` with the session cookie and `X-CSRFToken`: one after
another (the app's sync loop), then another N with 4 in flight. A 201 means the interview
and its facts were committed. Then the first N are sent again (a phone that lost the
acknowledgements): each must be answered 200 duplicate, and nothing stored.

Baseline, same server: the same interviews (their own ids) through the HTML form's
self-contained final submit, `POST /collect/clinic_exit/submit` with the token in the form,
one after another and 4 in flight. The two paths take turns of 50 interviews, so both meet
the same load on a shared machine; each path's figure adds up its turns. The client is `http.client`, one connection per thread;
its CPU is reported beside the server's (both share the machine's cores).
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from cml.bench.databases import BenchDatabase
from cml.bench.report import Report, percentile
from cml.bench.server import HOST, Server
from cml.extensions import db

CODE = "clinic_exit"
PARALLEL = 4
MONITOR = "bench-sync-monitor"
API = "/collect/api/v1"


@dataclass(frozen=True)
class Interview:
    submission_id: str
    facility: int
    interview_date: str
    answers: dict[str, str | list[str]]


@dataclass
class Session:
    cookie: str
    token: str


@dataclass
class Run:
    seconds: float
    statuses: dict[int, int]
    latencies: list[float]
    client_cpu_s: float
    server_cpu_s: float


def prepare(database: BenchDatabase, count: int, seed: int = 5) -> tuple[str, int, list[Interview]]:
    """The monitor's password, the clinic exit version's id and number, and `count` interviews' answers as raw strings."""
    from cml.core.synthetic import Generator, facility_profiles
    from cml.models import Facility, Region
    from cml.services import users
    from cml.services.demo_data import window
    from cml.services.surveys import latest_version, model_of

    app = database.app()
    with app.app_context():
        regions = list(db.session.scalars(db.select(Region).where(~Region.code.like("bench-%")).order_by(Region.code)))[:2]
        password = users.random_password()
        account = users.find_user(MONITOR)
        if account is None:
            users.create_user(MONITOR, password, "monitor", regions)
        else:
            users.set_password(account, password, None)
        db.session.commit()
        version = latest_version(CODE)
        assert version is not None
        version_id = version.id
        mine = {region.id for region in regions}
        places = db.session.execute(db.select(Facility.id, Facility.region_id).where(Facility.active.is_(True), Facility.stands_for_region.is_(False))).all()
        today = date.today()
        generator = Generator(model_of(version), facility_profiles([(f, r) for f, r in places if r in mine], random.Random(seed)),
                              window(today), today, today, f"sync:{seed}")
        made = generator.responses(f"sync:{seed}:answers", count)
        rng = random.Random(seed)
        interviews = [
            Interview(str(uuid.UUID(int=rng.getrandbits(128), version=4)), response.facility_id, response.interview_date.isoformat(),
                      {q: [str(v) for v in value] if isinstance(value, list) else str(value) for q, value in response.answers.items()})
            for response in made
        ]
        db.session.remove()
        db.engine.dispose()
    return password, version_id, interviews


def _request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    if response.will_close:
        conn.close()  # sync workers answer `Connection: close`: the next request opens a new one
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def _cookie(headers: dict[str, str], current: str) -> str:
    found = headers.get("set-cookie")
    return found.split(";", 1)[0] if found else current


def sign_in(port: int, password: str) -> Session:
    """Through the sign-in form with its CSRF token, as a browser does; then the app's session call."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    status, headers, page = _request(conn, "GET", "/login")
    cookie = _cookie(headers, "")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert status == 200 and token is not None, status
    body = urllib.parse.urlencode({"username": MONITOR, "password": password, "csrf_token": token.group(1).decode()}).encode()
    status, headers, _ = _request(conn, "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise RuntimeError(f"sign-in failed: {status}")
    cookie = _cookie(headers, cookie)
    status, headers, data = _request(conn, "GET", f"{API}/session", headers={"Cookie": cookie})
    assert status == 200, status
    conn.close()
    return Session(_cookie(headers, cookie), json.loads(data)["csrf_token"])


def json_request(session: Session, interview: Interview, number: int) -> tuple[str, bytes, dict[str, str]]:
    """The app's request: the version by its number (as the setup gives it); the form names it by its id."""
    body = json.dumps({"submission_id": interview.submission_id, "questionnaire": CODE, "version": number, "facility": interview.facility,
                       "interview_date": interview.interview_date, "answers": interview.answers}).encode()
    return f"{API}/submissions", body, {"Content-Type": "application/json", "Cookie": session.cookie, "X-CSRFToken": session.token}


def form_request(session: Session, interview: Interview, version_id: int) -> tuple[str, bytes, dict[str, str]]:
    fields: list[tuple[str, str]] = [("csrf_token", session.token), ("version", str(version_id)), ("submission_id", interview.submission_id),
                                     ("facility", str(interview.facility)), ("interview_date", interview.interview_date)]
    for question, value in interview.answers.items():
        fields += [(f"q_{question}", item) for item in (value if isinstance(value, list) else [value])]
    return f"/collect/{CODE}/submit", urllib.parse.urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                                                              "Cookie": session.cookie}


def send_all(server: Server, requests: list[tuple[str, bytes, dict[str, str]]], parallel: int) -> Run:
    """POST every request once, `parallel` at a time (each thread its own connection, in order from a shared list)."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    cpu = [0.0] * parallel
    lock = threading.Lock()
    queue = list(reversed(requests))

    def worker(number: int) -> None:
        started_cpu = time.thread_time()
        conn = http.client.HTTPConnection(HOST, server.port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                path, body, headers = queue.pop()
            started = time.perf_counter()
            status, _, _ = _request(conn, "POST", path, body, headers)
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()
        cpu[number] = time.thread_time() - started_cpu

    server_cpu = server.cpu_seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Run(time.perf_counter() - started, statuses, latencies, sum(cpu), server.cpu_seconds() - server_cpu)


BLOCK = 50
"""Interviews per turn when the app's path and the form's take turns (a shared machine's load drifts)."""


def alternated(server: Server, first: list[tuple[str, bytes, dict[str, str]]], second: list[tuple[str, bytes, dict[str, str]]],
               parallel: int) -> tuple[Run, Run]:
    """Both lists sent in turns of BLOCK, so both meet the same load; each path's turns added up."""
    totals = (Run(0.0, {}, [], 0.0, 0.0), Run(0.0, {}, [], 0.0, 0.0))
    for start in range(0, max(len(first), len(second)), BLOCK):
        for total, requests in zip(totals, (first, second), strict=True):
            if requests[start:start + BLOCK]:
                part = send_all(server, requests[start:start + BLOCK], parallel)
                total.seconds += part.seconds
                total.client_cpu_s += part.client_cpu_s
                total.server_cpu_s += part.server_cpu_s
                total.latencies.extend(part.latencies)
                for status, number in part.statuses.items():
                    total.statuses[status] = total.statuses.get(status, 0) + number
    return totals


def run(database: BenchDatabase, report: Report, count: int, workers: int, threads: int) -> None:
    password, version_id, interviews = prepare(database, count * 4 + 10)
    number = _version_number(database)
    batches = [interviews[i * count:(i + 1) * count] for i in range(4)]
    warm = interviews[4 * count:]
    database.extra_env["CML_WTF_CSRF_ENABLED"] = "true"  # the app's path as production runs it
    try:
        with Server(database, workers, threads) as server:
            session = sign_in(server.port, password)

            def as_json(items: list[Interview]) -> list[tuple[str, bytes, dict[str, str]]]:
                return [json_request(session, i, number) for i in items]

            def as_form(items: list[Interview]) -> list[tuple[str, bytes, dict[str, str]]]:
                return [form_request(session, i, version_id) for i in items]

            send_all(server, as_json(warm[:5]) + as_form(warm[5:]), 1)  # warm-up: every worker's first request, not measured
            runs = {}
            for parallel, label in ((1, "sequential"), (PARALLEL, f"parallel{PARALLEL}")):
                app_batch, form_batch = (batches[0], batches[1]) if parallel == 1 else (batches[2], batches[3])
                runs[f"json_{label}"], runs[f"form_{label}"] = alternated(server, as_json(app_batch), as_form(form_batch), parallel)
            stored_before = len(_stored(database))
            runs["json_resend"] = send_all(server, as_json(batches[0]), 1)
            stored_after = len(_stored(database))
    finally:
        database.extra_env.pop("CML_WTF_CSRF_ENABLED", None)
    _report(report, runs, count, {**server.settings, "interviews": count, "client": "http.client, one connection per thread",
                                  "csrf": "on", "questionnaire": CODE})
    stored = _stored(database)
    for name, batch, ok in (("json_sequential", batches[0], 201), ("form_sequential", batches[1], 303),
                            (f"json_parallel{PARALLEL}", batches[2], 201), (f"form_parallel{PARALLEL}", batches[3], 303)):
        report.check(f"sync.{name}.acknowledged", runs[name].statuses == {ok: count}, f"{runs[name].statuses}")
        report.check(f"sync.{name}.stored_once", all(stored.get(i.submission_id) == 1 for i in batch), "an acknowledged interview is missing or twice")
    report.check("sync.json_resend.duplicates", runs["json_resend"].statuses == {200: count}, f"{runs['json_resend'].statuses}")
    report.check("sync.json_resend.nothing_stored", stored_after == stored_before, f"{stored_after - stored_before} more rows")


def _version_number(database: BenchDatabase) -> int:
    from cml.services.surveys import latest_version

    app = database.app()
    with app.app_context():
        version = latest_version(CODE)
        assert version is not None
        number = version.version
        db.session.remove()
        db.engine.dispose()
    return number


def _stored(database: BenchDatabase) -> dict[str, int]:
    from cml.models import Response

    app = database.app()
    with app.app_context():
        found: dict[str, int] = {}
        for sid in db.session.scalars(db.select(Response.submission_id)):
            found[str(sid)] = found.get(str(sid), 0) + 1
        db.session.remove()
        db.engine.dispose()
    return found


def _report(report: Report, runs: dict[str, Run], count: int, context: dict[str, Any]) -> None:
    pairs = (("sequential", "json_sequential", "form_sequential", 1), (f"parallel{PARALLEL}", f"json_parallel{PARALLEL}", f"form_parallel{PARALLEL}", PARALLEL))
    for label, app_run, form_run in ((label, runs[a], runs[f]) for label, a, f, _ in pairs):
        parallel = PARALLEL if label != "sequential" else 1
        extra = {**context, "in_flight": parallel, "statuses": app_run.statuses, "baseline_statuses": form_run.statuses}
        report.emit(f"sync.{label}.seconds", app_run.seconds, f"s to send {count} waiting interviews as the app's JSON (form submit: baseline)",
                    form_run.seconds, target_s=round(20 * count / 500, 1), **extra)
        report.emit(f"sync.{label}.per_s", count / app_run.seconds, "interviews/s (higher is better)", count / form_run.seconds, **extra)
        report.emit(f"sync.{label}.p50", percentile(app_run.latencies, 50) * 1000, "ms", percentile(form_run.latencies, 50) * 1000, **extra)
        report.emit(f"sync.{label}.p99", percentile(app_run.latencies, 99) * 1000, "ms", percentile(form_run.latencies, 99) * 1000, **extra)
        report.emit(f"sync.{label}.server_cpu_ms", app_run.server_cpu_s / count * 1000, "ms of server CPU per interview",
                    form_run.server_cpu_s / count * 1000, **extra)
        report.emit(f"sync.{label}.client_cpu_ms", app_run.client_cpu_s / count * 1000, "ms of client CPU per interview",
                    form_run.client_cpu_s / count * 1000, **extra)
    resend, first = runs["json_resend"], runs["json_sequential"]
    report.emit("sync.resend.seconds", resend.seconds, f"s to send the same {count} again (each 200 duplicate; first send: baseline)",
                first.seconds, **context, in_flight=1, statuses=resend.statuses)
