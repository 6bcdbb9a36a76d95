"""python -m cml.bench [--quick] [--database sqlite|postgresql] [--sizes 10000,100000,1000000] [--only ...] [--interviews 500]"""

from __future__ import annotations

import argparse
import os
import sys
import time

from cml.bench import backup, curve, disk, fault, ingest, offline, sync
from cml.bench.databases import fresh_database, server_url
from cml.bench.report import Report

SCENARIOS = ("ingest", "sync", "dashboard", "exports", "import", "fault", "backup", "offline")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cml.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and loads: about two minutes")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL server to create throwaway databases on (default: CML_BENCH_DATABASE_URL or CML_TEST_DATABASE_URL)")
    parser.add_argument("--sizes", help="responses for the scale curve, comma-separated (default 10000,100000,200000,1000000; quick 2000,10000)")
    parser.add_argument("--only", help=f"comma-separated scenarios of {','.join(SCENARIOS)} (default: all)")
    parser.add_argument("--requests", type=int, help="submissions per ingest run (default 2000; quick 200)")
    parser.add_argument("--interviews", type=int, help="waiting interviews per sync run (default 500; quick 100)")
    parser.add_argument("--concurrency", type=int, help="client threads (default 16; quick 8)")
    parser.add_argument("--backup-size", type=int, help="responses in the database of the backup run (default 100000; quick 2000)")
    parser.add_argument("--server-configs", help="gunicorn workers x threads to compare, e.g. 2x16,5x1 (default: 2 x cores + 1 sync workers, then cores x 16 threads; quick only the first)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in (args.sizes or ("2000,10000" if args.quick else "10000,100000,200000,1000000")).split(",")]
    args.only = set((args.only or ",".join(SCENARIOS)).split(","))
    unknown = args.only - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    args.backup_size = args.backup_size or (2000 if args.quick else 100_000)
    args.requests = args.requests or (200 if args.quick else 2000)
    args.interviews = args.interviews or (100 if args.quick else 500)
    args.concurrency = args.concurrency or (8 if args.quick else 16)
    cores = len(os.sched_getaffinity(0))
    default_configs = f"{2 * cores + 1}x1" if args.quick else f"{2 * cores + 1}x1,{cores}x16"  # the first is gunicorn_conf's
    args.server_configs = [tuple(int(p) for p in c.split("x")) for c in (args.server_configs or default_configs).split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    server = server_url(args.database, args.database_url)
    report = Report(database=args.database, quick=args.quick)
    started = time.perf_counter()
    if "ingest" in args.only:
        with fresh_database(args.database, server, "ingest") as database:
            ingest.run(database, report, args.requests, args.concurrency, args.server_configs)
    if "sync" in args.only:
        workers, threads = args.server_configs[0]
        with fresh_database(args.database, server, "sync") as database:
            sync.run(database, report, args.interviews, workers, threads)
    if args.only & {"dashboard", "exports", "import"}:
        with fresh_database(args.database, server, "data") as database:
            curve.run(database, report, sorted(args.sizes), args.only, import_cap=2000 if args.quick else 100_000,
                      store_cap=1000 if args.quick else 20_000)
    if "offline" in args.only:
        with fresh_database(args.database, server, "offline") as database:
            offline.run(database, report)
    if "fault" in args.only:
        workers, threads = args.server_configs[0]
        with fresh_database(args.database, server, "fault") as database:
            fault.run_kill(database, report, 150 if args.quick else 600, args.concurrency, workers, threads)
            fault.run_lock(database, report, 60 if args.quick else 200, args.concurrency, workers, threads)
            disk.run_disk_full(database, report, 150 if args.quick else 600, args.concurrency, workers, threads)
    if "backup" in args.only:
        workers, threads = args.server_configs[0]
        with fresh_database(args.database, server, "backup") as database:
            backup.run(database, report, args.backup_size, args.requests, args.concurrency, workers, threads, server)
    report.note(f"benchmark finished in {time.perf_counter() - started:.0f} s")
    for failure in report.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
