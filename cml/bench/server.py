"""A gunicorn serving a benchmark database on 127.0.0.1 and a free port, and a load client.

The load client drives a fixed number of keep-alive connections from one thread (see
`load`), a fixed number of requests shared by them: loads go only to loopback, are bounded
in count and time, and stop by themselves. Each connection signs in once.
"""

from __future__ import annotations

import http.client
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter, deque
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

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its live workers."""
        assert self.process is not None
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")

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
    at: float = 0.0
    """When it was answered (time.perf_counter)."""


@dataclass
class LoadResult:
    outcomes: list[Outcome]
    seconds: float
    concurrency: int
    client_cpu_s: float = 0.0
    """CPU time the client itself used."""

    @property
    def statuses(self) -> Counter[int | None]:
        return Counter(o.status for o in self.outcomes)

    @property
    def answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not None]


def load(port: int, concurrency: int, jobs: list[tuple[str, str, bytes | None]], cookies: list[str],
         during: Callable[[int], None] | None = None, timeout: float = 30) -> LoadResult:
    """Send every job (method, path, body) once over `concurrency` connections; `during(done)` is
    called after every answer with the number answered so far (to inject a fault).

    One thread drives every connection with a selector and bare HTTP/1.1 (prebuilt request
    bytes, only the status line and the headers it needs parsed), so that on a machine with
    2 cores the client takes as little CPU from the server as it can: its CPU time is
    reported (`client_cpu_s`). Connection i uses cookies[i % len(cookies)]; a connection the
    server closes (sync workers say `Connection: close`) is opened again for the next job.
    """
    selector = selectors.DefaultSelector()
    queue = deque(range(len(jobs)))
    outcomes: list[Outcome] = []
    clients = [_Client(number, cookies[number % len(cookies)] if cookies else None) for number in range(min(concurrency, len(jobs)))]
    started = time.perf_counter()
    cpu = time.thread_time()

    def answer(client: _Client, status: int | None, location: str = "") -> None:
        assert client.index is not None
        now = time.perf_counter()
        outcomes.append(Outcome(client.index, status, now - client.started, location, now))
        client.index = None
        if during is not None:
            during(len(outcomes))

    def next_job(client: _Client) -> None:
        while queue:
            index = queue.popleft()
            method, path, body = jobs[index]
            client.index, client.started = index, time.perf_counter()
            try:
                if client.sock is None:
                    client.sock = socket.create_connection((HOST, port), timeout=timeout)
                    client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    selector.register(client.sock, selectors.EVENT_READ, client)
                client.buffer.clear()
                client.sock.sendall(_request_bytes(port, method, path, body, client.cookie))
                return
            except OSError:
                client.close(selector)
                answer(client, None)

    for client in clients:
        next_job(client)
    while any(c.index is not None for c in clients):
        for key, _ in selector.select(timeout=0.5):
            client = key.data
            try:
                data = client.sock.recv(65536)
            except OSError:
                data = b""
            if data:
                client.buffer += data
            parsed = _parse(client.buffer, complete=not data)
            if parsed is None and data:
                continue  # more to come
            if parsed is None:  # closed before a whole response: no answer
                client.close(selector)
                answer(client, None)
            else:
                status, location, keep = parsed
                if not keep:
                    client.close(selector)
                answer(client, status, location)
            next_job(client)
        now = time.perf_counter()
        for client in clients:
            if client.index is not None and now - client.started > timeout:
                client.close(selector)
                answer(client, None)
                next_job(client)
    for client in clients:
        client.close(selector)
    selector.close()
    return LoadResult(sorted(outcomes, key=lambda o: o.index), time.perf_counter() - started, concurrency, time.thread_time() - cpu)


@dataclass(eq=False)
class _Client:
    number: int
    cookie: str | None
    sock: socket.socket | None = None
    index: int | None = None
    started: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)

    def close(self, selector: selectors.BaseSelector) -> None:
        if self.sock is not None:
            selector.unregister(self.sock)
            self.sock.close()
            self.sock = None


def _request_bytes(port: int, method: str, path: str, body: bytes | None, cookie: str | None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    if cookie:
        head.append(f"Cookie: {cookie}")
    if body is not None:
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")


def _parse(buffer: bytearray, complete: bool) -> tuple[int, str, bool] | None:
    """(status, Location, keep-alive) once `buffer` holds a whole response, else None.
    `complete`: the server closed the connection (a body without a length ends there)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = len(buffer) - end - 4
    if "content-length" in headers:
        if body < int(headers["content-length"]):
            return None
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        if not buffer.endswith(b"0\r\n\r\n"):
            return None
    elif not complete:
        return None
    keep = headers.get("connection", "").lower() != "close" and ("content-length" in headers or "transfer-encoding" in headers)
    return int(lines[0].split()[1]), headers.get("location", ""), keep
