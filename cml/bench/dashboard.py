"""The national overview as an advocate sees it, cold and warm, beside the bare SQL GROUP BY.

"Overview" is the page `/dashboard/` for an advocate (every region, aggregates only):
every clinic-exit indicator for the latest quarter with its change from the quarter
before, and the regional and national tables that decide which cells may be published.
The baseline is one GROUP BY by indicator, region, facility and quarter over the same
facts and months, run through the bare driver (no ORM, no statistics).

Measured three ways:
- `overview_page`: the whole page through the app as it runs. Cold starts with the
  table cache emptied (`cml.services.table_cache`), so it computes everything; warm
  pages are served from the cache, as every view is until the next write of sums.
- `overview_page_uncached`: the same page with the table cache off, so every request
  computes its tables: what the first view after a write costs.
- `indicator_page_uncached`: one indicator's page for the advocate (by region, over time,
  the funnel, three charts), cache off: statistics and charts for 25 regions x 8 quarters.
- `overview_unshared` (up to 200k responses): the `estimate_cells` and
  `disclosure_cube` calls the page makes, outside a request and with the cache off,
  where each runs its own GROUP BY.

Cold: the OS page cache is dropped (when the benchmark runs as root) and the app opens
a new database connection; PostgreSQL's own shared buffers stay as they were.
Warm: the median of the following runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from cml.bench.data import CODE, BenchData
from cml.bench.report import Report
from cml.core.periods import month_range, period_key, previous_period
from cml.extensions import db
from cml.services.estimates import estimate_cells
from cml.services.fact_sums import latest_month
from cml.services.publication import disclosure_cube
from cml.services.table_cache import EXTENSION_KEY
from cml.settings import override

INDICATOR = "hiv_test_offered"
"""A proportion, so its page has the binomial funnel."""


def drop_os_cache() -> bool:
    """Empty the kernel's page cache (root only), so a cold run reads from disk."""
    try:
        subprocess.run(["sync"], check=True)  # noqa: S607
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("1\n")
        return True
    except OSError:
        return False


def latest_quarter(data: BenchData) -> int:
    month = latest_month(data.questionnaire_id)
    assert month is not None
    return period_key(month, "quarter")


def compute_overview(period: int, k: int = 5) -> int:
    """What the advocate overview computes: national with change, and the protected cube that decides publication."""
    previous = previous_period(period, "quarter")
    table = estimate_cells(CODE, by=("period",), grain="quarter", period_range=(previous, period))
    cube = disclosure_cube(CODE, k)
    return len(table.rows) + len(cube.published)


def bare_group_by(questionnaire_id: int, period: int | None = None) -> int:
    """The facts summed per indicator, region, facility and quarter by the driver alone: over
    the three quarters up to `period` (what the overview reads), or every period when None."""
    where = f"questionnaire_id = {int(questionnaire_id)}"
    if period is not None:
        first = previous_period(previous_period(period, "quarter"), "quarter")
        months = (month_range(first, "quarter")[0], month_range(period, "quarter")[1])
        where += f" AND month >= {months[0]} AND month <= {months[1]}"
    sql = (
        "SELECT indicator, region_id, facility_id, (month / 100) * 10 + ((month - (month / 100) * 100) - 1) / 3 + 1 AS period, "  # noqa: S608
        "sum(numerator), sum(denominator), sum(numerator_squared), count(*) FROM indicator_facts "
        f"WHERE {where} GROUP BY indicator, region_id, facility_id, period"
    )
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        count = len(cursor.fetchall())
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return count


def _cold_then_warm(app: Flask, run: Callable[[], object], repeats: int) -> tuple[float, float]:
    app.extensions.pop(EXTENSION_KEY, None)  # cold computes every table again
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_os_cache()
    with app.app_context():
        started = time.perf_counter()
        run()
        cold = time.perf_counter() - started
        db.session.remove()
    warm = []
    for _ in range(repeats):
        with app.app_context():
            started = time.perf_counter()
            run()
            warm.append(time.perf_counter() - started)
            db.session.remove()
    return cold, statistics.median(warm)


def advocate_client(app: Flask, password: str) -> Any:
    """A test client signed in as the demo advocate (the app is built with CSRF off, for the benchmark only)."""
    client = app.test_client()
    response = client.post("/login", data={"username": "demo-advocate", "password": password})
    assert response.status_code == 302, response.status_code
    return client


def run(app: Flask, data: BenchData, report: Report, n: int, password: str) -> None:
    # A GROUP BY over 10M facts takes seconds: fewer repeats keep the run within minutes.
    repeats = 3 if report.context.get("quick") or n > 200_000 else 7
    with app.app_context():
        period = latest_quarter(data)
        questionnaire_id = data.questionnaire_id
    client = advocate_client(app, password)

    def page() -> None:
        response = client.get(f"/dashboard/?survey={CODE}")
        assert response.status_code == 200, response.status_code

    def indicator_page() -> None:
        response = client.get(f"/dashboard/indicator?survey={CODE}&indicator={INDICATOR}")
        assert response.status_code == 200, response.status_code
        assert response.data.count(b'class="chart"') == 3  # by region, over time, funnel

    facts_n = _facts(app)
    base_cold, base_warm = _cold_then_warm(app, lambda: bare_group_by(questionnaire_id, period), repeats)
    override(app, table_cache=False)
    # Outside a request nothing is shared: the three GROUP BYs run one after the other.
    compute = _cold_then_warm(app, lambda: compute_overview(period), repeats) if n <= 200_000 else None
    uncached_cold, uncached_warm = _cold_then_warm(app, page, repeats)
    _, indicator_warm = _cold_then_warm(app, indicator_page, repeats)
    override(app, table_cache=True)
    page_cold, page_warm = _cold_then_warm(app, page, repeats)
    context = {"n": n, "facts": facts_n, "regions": 25, "facilities": 400, "quarters": 8, "repeats": repeats,
               "os_cache_dropped": os.geteuid() == 0}
    report.emit("dashboard.overview_page.cold", page_cold * 1000, "ms", base_cold * 1000, **context)
    report.emit("dashboard.overview_page.warm", page_warm * 1000, "ms", base_warm * 1000, target_ms=200, target_ratio=2, table_cache="hit", **context)
    report.emit("dashboard.overview_page_uncached.cold", uncached_cold * 1000, "ms", base_cold * 1000, table_cache="off", **context)
    report.emit("dashboard.overview_page_uncached.warm", uncached_warm * 1000, "ms", base_warm * 1000, table_cache="off", **context)
    report.emit("dashboard.indicator_page_uncached.warm", indicator_warm * 1000, "ms", base_warm * 1000, table_cache="off", indicator=INDICATOR, **context)
    if compute is not None:
        report.emit("dashboard.overview_unshared.cold", compute[0] * 1000, "ms", base_cold * 1000, table_cache="off", **context)
        report.emit("dashboard.overview_unshared.warm", compute[1] * 1000, "ms", base_warm * 1000, table_cache="off", **context)


def _facts(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(db.text("SELECT count(*) FROM indicator_facts")).scalar() or 0)
