"""Production serving with gunicorn:

    gunicorn -c python:cml.gunicorn_conf "cml:create_app()"

Workers are sized for the machine: by default (cores + 1) processes of 2 threads each,
threads so that a worker waiting on the disk (SQLite's fsync at every commit) or on
PostgreSQL keeps serving other requests; see README "Production" for how this was
measured against 2 x cores + 1 single-threaded workers. Every setting can be changed
with the usual gunicorn flags or environment variables:

    CML_BIND            address to listen on (default 127.0.0.1:8000; put a proxy in front)
    WEB_CONCURRENCY     number of worker processes
    CML_WEB_THREADS     threads per worker (1 gives gunicorn's plain "sync" worker)
"""

from __future__ import annotations

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("CML_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", cores + 1))
threads = int(os.environ.get("CML_WEB_THREADS", 2))
worker_class = "gthread" if threads > 1 else "sync"
# A raw CSV export of a large region streams for a while; its worker sends heartbeats
# between chunks, so this bounds only a stuck worker.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Each worker builds its own app and database connections after the fork.
preload_app = False
# Behind a reverse proxy (nginx) on the same machine; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("CML_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("CML_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("CML_LOG_LEVEL", "info")
