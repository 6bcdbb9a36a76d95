"""Production serving with gunicorn:

    gunicorn -c python:cml.gunicorn_conf "cml:create_app()"

Workers are sized for the machine: one process per core, 16 threads each ("gthread").
A submission is written by its process's group committer (cml/services/committer.py):
every submission a process has in flight when a commit starts shares that transaction and
its one fsync; on SQLite the processes' committers take turns on an OS lock. Threads give
a process many submissions to batch (one BEGIN, one sums upsert and one fsync for all of
them) and keep connections alive, where a sync worker answers one request per connection.
Measured on 2 cores shared with other jobs (load average 4-7), 16 client connections,
`python -m cml.bench --only ingest --server-configs 2x16,5x1,2x8` in one run, SQLite:
2 x 16 threads 173 durable submissions/s (p99 213 ms, 5.3 ms server CPU each), 2 x 8
166/s (p99 219 ms, 5.3 ms), 5 sync workers 71/s (p99 357 ms, 7.4 ms); a second run gave
182/s against 76/s. (Before the committer and the user load went to bare SQL, a submission
cost ~10 ms of CPU and 5 sync workers were ahead: 117/s against 91/s on a quiet machine.)
Every setting can be changed with the usual gunicorn flags or environment variables:

    CML_BIND            address to listen on (default 127.0.0.1:8000; put a proxy in front)
    WEB_CONCURRENCY     number of worker processes (default: one per core)
    CML_WEB_THREADS     threads per worker (default 16, "gthread"; 1 gives gunicorn's "sync")
"""

from __future__ import annotations

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("CML_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", cores))
threads = int(os.environ.get("CML_WEB_THREADS", 16))
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
