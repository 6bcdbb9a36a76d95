"""Exports: the streamed raw CSV (rows/s, peak memory) and the national XLSX indicator table.

The raw CSV is written by `cml.services.raw_export.csv_chunks`, as the download does,
in a child process of its own so its peak resident memory (VmHWM) is its own; bytes go
to /dev/null. Its baseline is the same keyset-paginated queries through the bare
driver in another child: reading the rows, without building cells or CSV. Memory is
shown as peak RSS and as the growth over the process's RSS before the export began
(interpreter, app and libraries), so "flat" can be read off two sizes.

The XLSX indicator table is `indicator_export.build` (regions x quarters, aggregates
only, with the national rows) plus `indicator_spreadsheets.indicator_xlsx`; its
baseline is the bare GROUP BY of the facts it sums.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from flask import Flask

from cml.bench.data import CODE, BenchData
from cml.bench.databases import ROOT, BenchDatabase
from cml.bench.report import Report
from cml.extensions import db


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child(mode: str, url: str, instance: str, secret: str) -> dict[str, Any]:
    """Runs in the child process: one raw export (mode "csv") or the bare scan (mode "scan")."""
    from cml import create_app
    from cml.services import raw_export

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "SECRET_KEY": secret})
    with app.app_context():
        request = raw_export.RawExportRequest(CODE, None)
        raw_export.export_questions(CODE, False)  # load the questionnaire before measuring
        start_rss = _rss_kb("VmRSS")
        started = time.perf_counter()
        rows = written = 0
        if mode == "csv":
            with open(os.devnull, "wb") as sink:
                for chunk in raw_export.csv_chunks(request):
                    sink.write(chunk)
                    written += len(chunk)
        else:
            rows = _scan()
        seconds = time.perf_counter() - started
        if mode == "csv":
            rows = raw_export.count_rows(request)
    return {"rows": rows, "seconds": seconds, "bytes": written, "rss_start_kb": start_rss, "rss_peak_kb": _rss_kb("VmHWM")}


def _scan() -> int:
    """The export's queries, batch by batch, fetched by the driver and dropped."""
    from cml.models import Facility, QuestionnaireVersion, Region, Response
    from cml.models import Questionnaire as QuestionnaireRow
    from cml.services.raw_export import BATCH

    rows, last_id = 0, 0
    while True:
        query = (
            db.select(Response.id, Response.submission_id, QuestionnaireVersion.version, Region.code, Facility.code, Facility.name,
                      Response.interview_date, Response.received_at, Response.source, Response.answers)
            .join(QuestionnaireVersion, Response.questionnaire_version_id == QuestionnaireVersion.id)
            .join(QuestionnaireRow, QuestionnaireVersion.questionnaire_id == QuestionnaireRow.id)
            .join(Region, Response.region_id == Region.id)
            .join(Facility, Response.facility_id == Facility.id)
            .where(QuestionnaireRow.code == CODE, Response.id > last_id)
            .order_by(Response.id)
            .limit(BATCH)
        )
        batch = db.session.execute(query).all()
        if not batch:
            return rows
        rows += len(batch)
        last_id = batch[-1][0]


def _in_child(mode: str, database: BenchDatabase) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cml.bench.exports", mode, database.url, str(database.instance), database.secret],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_raw_csv(database: BenchDatabase, report: Report, n: int) -> None:
    csv = _in_child("csv", database)
    scan = _in_child("scan", database)
    context = {"n": n, "rows": csv["rows"], "bytes": csv["bytes"]}
    report.emit("export.raw_csv.rows_per_s", csv["rows"] / csv["seconds"], "rows/s (higher is better)", scan["rows"] / scan["seconds"], **context)
    report.emit("export.raw_csv.seconds", csv["seconds"], "s", scan["seconds"], target_s_at_1m=8, **context)
    report.emit("export.raw_csv.peak_rss", csv["rss_peak_kb"] / 1024, "MiB", scan["rss_peak_kb"] / 1024, target_mib=100, **context)
    report.emit("export.raw_csv.rss_growth", (csv["rss_peak_kb"] - csv["rss_start_kb"]) / 1024, "MiB over the RSS before the export",
                (scan["rss_peak_kb"] - scan["rss_start_kb"]) / 1024, rss_before_mib=round(csv["rss_start_kb"] / 1024, 1), **context)


def run_xlsx(app: Flask, data: BenchData, report: Report, n: int) -> None:
    from cml.bench.dashboard import bare_group_by, latest_quarter
    from cml.services.indicator_export import ExportRequest, build
    from cml.services.indicator_spreadsheets import indicator_xlsx

    with app.app_context():
        period = latest_quarter(data)
        bare_group_by(data.questionnaire_id, period)  # warm the same way for both
        started = time.perf_counter()
        table = build(ExportRequest(CODE, by=("region", "period")))
        content = indicator_xlsx(table, "bench")
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        groups = _bare_all_periods(data.questionnaire_id)
        baseline = time.perf_counter() - started
        db.session.remove()
    report.emit("export.indicator_xlsx.seconds", seconds, "s", baseline, n=n, table_rows=len(table.rows), xlsx_bytes=len(content), groups=groups)


def _bare_all_periods(questionnaire_id: int) -> int:
    sql = (
        "SELECT indicator, region_id, facility_id, (month / 100) * 10 + ((month - (month / 100) * 100) - 1) / 3 + 1 AS period, "  # noqa: S608
        "sum(numerator), sum(denominator), sum(numerator_squared), count(*) FROM indicator_facts "
        f"WHERE questionnaire_id = {int(questionnaire_id)} GROUP BY indicator, region_id, facility_id, period"
    )
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        count = len(cursor.fetchall())
        raw.rollback()
    finally:
        raw.close()
    return count


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:5])))
