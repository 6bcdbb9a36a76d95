"""Production serving with gunicorn:

    gunicorn -c python:cml.gunicorn_conf "cml:create_app()"

Workers are sized for the machine: 2 x cores + 1 single-threaded ("sync") processes.
Measured on 2 cores with `python -m cml.bench --server-configs 5x1,3x2` (16 clients
posting durable submissions to SQLite): 5 sync workers gave 63 submissions/s with p99
1.2 s, 3 workers x 2 threads 41/s with p99 2.9 s. A request spends most of its time
waiting for SQLite's write lock or the fsync of the commit; a process waits without
holding anyone's GIL, and its Python work runs in parallel on the other core. Every
setting can be changed with the usual gunicorn flags or environment variables:

    CML_BIND            address to listen on (default 127.0.0.1:8000; put a proxy in front)
    WEB_CONCURRENCY     number of worker processes (default 2 x cores + 1)
    CML_WEB_THREADS     threads per worker (default 1, gunicorn's "sync" worker; more gives "gthread")
"""

from __future__ import annotations

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("CML_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cores + 1))
threads = int(os.environ.get("CML_WEB_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
# A sync worker is restarted when one request takes longer than this; a streamed raw
# export of a million responses takes a minute or two, so the bound is generous.
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
