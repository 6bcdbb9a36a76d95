"""Production serving with gunicorn:

    gunicorn -c python:cml.gunicorn_conf "cml:create_app()"

Workers are sized for the machine: one process per core, 16 threads each ("gthread").
A submission is written by its process's group committer (cml/services/committer.py):
every submission a process has in flight when a commit starts shares that transaction and
its one fsync, so a process needs many requests in flight, which threads give cheaply; a
process per core lets the Python work of two requests run at the same time.
Measured on 2 cores with `python -m cml.bench --only ingest --server-configs 2x16,2x8,3x8`
(16 client connections, the machine shared with other jobs, see README "Benchmarks"):
SQLite 2 x 16 gave 97 durable submissions/s (p99 405 ms), 2 x 8 71/s, 3 x 8 68/s; on
PostgreSQL 2 x 16 65/s, 2 x 8 64/s, 5 sync workers 43/s. Every shape is bound by the CPU
the server spends per submission (7.7 ms on SQLite), not by the fsync any more.
Every setting can be changed with the usual gunicorn flags or environment variables:

    CML_BIND            address to listen on (default 127.0.0.1:8000; put a proxy in front)
    WEB_CONCURRENCY     number of worker processes (default: the number of cores)
    CML_WEB_THREADS     threads per worker (default 16, gunicorn's "gthread"; 1 gives "sync")
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
