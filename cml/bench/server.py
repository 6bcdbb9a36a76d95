"""A gunicorn serving a benchmark database on 127.0.0.1 and a free port, and a load client.

The client is plain `http.client`, one connection per thread (kept alive when the
worker allows it), a fixed number of requests shared by the threads: loads go only to
loopback, are bounded in count, and stop by themselves. Each thread signs in once.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cml.bench.databases import ROOT, BenchDatabase

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    database: BenchDatabase
    workers: int
    threads: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def settings(self) -> dict[str, object]:
        return {"server": "gunicorn -c python:cml.gunicorn_conf", "workers": self.workers, "threads": self.threads,
                "worker_class": "gthread" if self.threads > 1 else "sync"}

    def start(self) -> Server:
        env = {**os.environ, **self.database.server_env(), "CML_BIND": f"{HOST}:{self.port}", "WEB_CONCURRENCY": str(self.workers),
               "CML_WEB_THREADS": str(self.threads), "CML_LOG_LEVEL": "warning",
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.log = self.database.instance / f"gunicorn-{self.port}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "-c", "python:cml.gunicorn_conf", "cml:create_app()"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                status, _, _ = request(self.port, "GET", "/healthz")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in 60 s")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def request(port: int, method: str, path: str, body: bytes | None = None, cookie: str | None = None,
            connection: http.client.HTTPConnection | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Host": f"{HOST}:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        if connection is None:
            conn.close()


def sign_in(port: int, username: str, password: str) -> str:
    """The session cookie of a fresh sign-in (CSRF is off in the benchmark's server only)."""
    body = urllib.parse.urlencode({"username": username, "password": password}).encode()
    status, headers, _ = request(port, "POST", "/login", body)
    if status != 302 or "set-cookie" not in headers:
        raise RuntimeError(f"sign-in as {username} failed: {status}")
    return headers["set-cookie"].split(";", 1)[0]


@dataclass
class Outcome:
    index: int
    status: int | None
    """None: no answer (connection reset, worker killed)."""
    seconds: float
    location: str = ""


@dataclass
class LoadResult:
    outcomes: list[Outcome]
    seconds: float
    concurrency: int

    @property
    def statuses(self) -> Counter[int | None]:
        return Counter(o.status for o in self.outcomes)

    @property
    def answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not None]


def load(port: int, concurrency: int, jobs: list[tuple[str, str, bytes | None]], cookies: list[str],
         during: Callable[[int], None] | None = None, timeout: float = 30) -> LoadResult:
    """Send every job (method, path, body) once, from `concurrency` threads; `during(done)` is
    called after every answer with the number answered so far (to inject a fault)."""
    lock = threading.Lock()
    position = [0]
    outcomes: list[Outcome] = []

    def worker(number: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        cookie = cookies[number % len(cookies)]
        while True:
            with lock:
                index = position[0]
                position[0] += 1
            if index >= len(jobs):
                break
            method, path, body = jobs[index]
            started = time.perf_counter()
            try:
                status, headers, _ = request(port, method, path, body, cookie, connection=conn, timeout=timeout)
                outcome = Outcome(index, status, time.perf_counter() - started, headers.get("location", ""))
                if headers.get("connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                outcome = Outcome(index, None, time.perf_counter() - started)
            with lock:
                outcomes.append(outcome)
                done = len(outcomes)
            if during is not None:
                during(done)
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(sorted(outcomes, key=lambda o: o.index), time.perf_counter() - started, concurrency)
