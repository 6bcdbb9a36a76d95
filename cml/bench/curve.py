"""The scale curve: the data-size scenarios at each size, and how each grows from the smallest to the largest."""

from __future__ import annotations

import time
from typing import Any

from cml.bench import dashboard, exports, imports
from cml.bench.data import BenchData
from cml.bench.databases import BenchDatabase
from cml.bench.report import Report
from cml.extensions import db

GROWTH = {
    # metric: how it should grow with n ("linear" for time, "flat" for memory or per-request time)
    "export.raw_csv.seconds": "linear",
    "export.raw_csv.peak_rss": "flat",
    "export.raw_sav.seconds": "linear",
    "export.raw_sav.peak_rss": "linear",  # pyreadstat writes a whole data frame: the rows are held once
    "export.indicator_xlsx.seconds": "linear",
    "dashboard.overview_page.warm": "flat",  # a cache hit: no work grows with the data
    "dashboard.overview_page_uncached.warm": "linear",
    "import.rows_per_s": "flat",
}


def run(database: BenchDatabase, report: Report, sizes: list[int], only: set[str], import_cap: int, store_cap: int) -> None:
    app = database.app(WTF_CSRF_ENABLED=False)
    with app.app_context():
        data = BenchData()
        started = time.perf_counter()
        data.make_templates()
        report.note(f"{len(data.templates)} answer sets generated in {time.perf_counter() - started:.1f} s")
        db.session.remove()
    for n in sizes:
        with app.app_context():
            started = time.perf_counter()
            added = data.fill(n)
            seconds = time.perf_counter() - started
            wanted, n = n, data.count()  # imports at the previous size may have added more
            db.session.remove()
        report.note(f"n={n} (asked {wanted}): {added} responses added in {seconds:.1f} s ({added / max(seconds, 1e-9):,.0f}/s)")
        if "dashboard" in only:
            dashboard.run(app, data, report, n, database.accounts["demo-advocate"])
        if "exports" in only:
            exports.run_raw_csv(database, report, n)
            exports.run_stat_files(database, report, n)
            if not report.context.get("quick") or n == max(sizes):
                exports.run_xlsx(app, data, report, n)
        if "import" in only:
            imports.run_import(app, data, report, n, min(n, import_cap))
            imports.run_store_many(app, data, report, n, min(n, store_cap))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if len(sizes) > 1:
        growth(report)


def growth(report: Report) -> None:
    """From the smallest to the largest n: value(max)/value(min) beside what linear (n ratio) or flat (1) growth gives."""
    for metric, shape in GROWTH.items():
        values: dict[int, Any] = {line["n"]: line["value"] for line in report.lines if line["metric"] == metric and "n" in line}
        if len(values) < 2:
            continue
        smallest, largest = min(values), max(values)
        if not values[smallest]:
            continue
        expected = largest / smallest if shape == "linear" else 1.0
        report.emit(f"curve.{metric}", values[largest] / values[smallest], f"x from n={smallest} to n={largest}", expected,
                    shape=shape, points={str(k): v for k, v in sorted(values.items())})
