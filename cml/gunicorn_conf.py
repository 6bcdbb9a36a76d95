"""Production serving with gunicorn:

    gunicorn -c python:cml.gunicorn_conf "cml:create_app()"

Workers are sized for the machine: 2 x cores + 1 single-threaded ("sync") processes.
A submission is written by its process's group committer (cml/services/committer.py):
every submission a process has in flight when a commit starts shares that transaction and
its one fsync; on SQLite the processes' committers take turns on an OS lock.
Measured on 2 cores, quiet machine, 16 client connections, `python -m cml.bench --sizes
10000,100000` (both shapes in the same run, 2026-11-22, after the committer and the user
load went to bare SQL): SQLite 5 sync workers 216 durable submissions/s (p99 101 ms,
7.0 ms server CPU each), 2 x 16 threads 178/s (p99 192 ms, 6.9 ms); PostgreSQL 141/s (p99
165 ms) against 108/s (p99 395 ms). Processes run the Python work of a submission in
parallel where one process's threads share its GIL. Threads pay when the machine is
loaded or the disk's fsync is slow, since one process then batches many submissions into
one transaction: on the same 2 cores shared with other jobs (load average 4-7), 2 x 16
threads measured 173-182/s against 71-76/s for 5 sync workers. There,
`CML_WEB_THREADS=16 WEB_CONCURRENCY=2` is the better shape.
Every setting can be changed with the usual gunicorn flags or environment variables:

    CML_BIND            address to listen on (default 127.0.0.1:8000; put a proxy in front)
    WEB_CONCURRENCY     number of worker processes (default 2 x cores + 1)
    CML_WEB_THREADS     threads per worker (default 1, gunicorn's "sync"; more gives "gthread")
"""

from __future__ import annotations

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("CML_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cores + 1))
threads = int(os.environ.get("CML_WEB_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
# A worker that stops answering its master's heartbeat this long is restarted (with sync
# workers: one request taking this long); a streamed raw export of a million responses
# takes a minute or two, so the bound is generous.
timeout = 300
graceful_timeout = 30
keepalive = 5
# Each worker builds its own app and database connections after the fork.
preload_app = False
# Behind a reverse proxy (nginx) on the same machine; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("CML_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("CML_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("CML_LOG_LEVEL", "info")
