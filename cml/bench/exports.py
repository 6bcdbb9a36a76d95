"""Exports: the streamed raw CSV (rows/s, peak memory) and the national XLSX indicator table.

The raw CSV is written by `cml.services.raw_export.csv_chunks`, as the download does,
in a child process of its own so its resident memory is its own; bytes go to /dev/null.
Its baseline is the same keyset-paginated SQL through the bare DB-API cursor in another
child: the driver fetching the rows, without decoding answers, building cells or CSV.

Memory, per child: `peak_rss` is the highest resident memory while exporting (the peak
is reset just before, so a transient spike at start-up is not counted: importing the
app hashes a dummy password with argon2id, 64 MiB for a moment); `startup_peak_mib`
is that start-up peak; `rss_growth` is the peak over the RSS before the export (flat
means constant memory). Two processes are measured: a fresh one (`peak_rss`, what a new
worker or a CLI export holds) and one that first served the advocate's overview page
(`peak_rss_after_dashboard`: scipy and plotly loaded, as in a worker that has served
dashboards).

`export.raw_csv_sensitive` is the administrator's export with the sensitive answers, every
row's sealed answers opened (its baseline is the plain export's rate).

The analysts' files (`export.raw_sav.*`, `export.raw_dta.*`: cml.services.analyst_files)
are written to a temporary file in a child each, as the download does: time, file size and
peak memory. pyreadstat writes a whole data frame, so unlike the CSV their memory grows with
the rows (8 bytes a number or code, a pointer a text): the baseline is the CSV's.

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

MODES = ("csv", "csv_sensitive", "csv_after_dashboard", "scan", "sav", "dta")


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Start VmHWM afresh from the current RSS (Linux: 5 > /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def child(mode: str, url: str, instance: str, secret: str) -> dict[str, Any]:
    """Runs in the child process: one raw export ("csv", "csv_after_dashboard") or the bare scan ("scan")."""
    from cml import create_app
    from cml.services import raw_export

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False})
    if mode == "csv_after_dashboard":
        from cml.bench.dashboard import advocate_client

        page = advocate_client(app, os.environ["CML_BENCH_ADVOCATE_PASSWORD"]).get(f"/dashboard/?survey={CODE}")
        assert page.status_code == 200, page.status_code
    with app.app_context():
        request = raw_export.RawExportRequest(CODE, None, include_sensitive=mode == "csv_sensitive")
        raw_export.export_questions(CODE, False)  # load the questionnaire before measuring
        startup_peak = _rss_kb("VmHWM")
        peak_reset = _reset_peak()
        start_rss = _rss_kb("VmRSS")
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = written = 0
        if mode == "scan":
            rows = _scan(request)
        elif mode in ("sav", "dta"):
            from cml.services import analyst_files

            path = analyst_files.stat_file(request, mode, CODE)  # type: ignore[arg-type]
            written = os.path.getsize(path)
            os.unlink(path)
        else:
            with open(os.devnull, "wb") as sink:
                for chunk in raw_export.csv_chunks(request):
                    sink.write(chunk)
                    written += len(chunk)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        peak = _rss_kb("VmHWM")
        if mode != "scan":
            rows = raw_export.count_rows(request)
    heavy = sorted({name.split(".")[0] for name in sys.modules} & {"scipy", "numpy", "plotly", "openpyxl", "xlsxwriter", "pandas"})
    return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds, "bytes": written, "rss_start_kb": start_rss, "rss_peak_kb": peak,
            "startup_peak_kb": startup_peak, "peak_reset": peak_reset, "heavy_modules": heavy}


def _scan(request: Any) -> int:
    """The export's SQL, batch by batch, fetched by the bare DB-API cursor and dropped."""
    from cml.services import raw_export

    statement = raw_export.batch_query(request, sorted(raw_export.version_numbers(request.code)))
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        rows, after, fetched = 0, 0, raw_export.BATCH
        while fetched == raw_export.BATCH:
            sql = str(statement.bindparams(after=after).compile(db.engine, compile_kwargs={"literal_binds": True}))
            cursor.execute(sql)
            fetched = 0
            while chunk := cursor.fetchmany(raw_export.CHUNK):
                fetched += len(chunk)
                after = chunk[-1][0]
            rows += fetched
        raw.rollback()
    finally:
        raw.close()
    return rows


def _in_child(mode: str, database: BenchDatabase) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "CML_BENCH_ADVOCATE_PASSWORD": database.accounts.get("demo-advocate", "")}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cml.bench.exports", mode, database.url, str(database.instance), database.secret],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_raw_csv(database: BenchDatabase, report: Report, n: int) -> None:
    csv = _in_child("csv", database)
    scan = _in_child("scan", database)
    served = _in_child("csv_after_dashboard", database)
    sensitive = _in_child("csv_sensitive", database)
    context = {"n": n, "rows": csv["rows"], "bytes": csv["bytes"]}
    report.emit("export.raw_csv.rows_per_s", csv["rows"] / csv["seconds"], "rows/s (higher is better)", scan["rows"] / scan["seconds"], **context)
    # An administrator's export with the sensitive answers: every row's sealed answers opened; baseline the plain export.
    report.emit("export.raw_csv_sensitive.rows_per_s", sensitive["rows"] / sensitive["seconds"], "rows/s (higher is better)",
                csv["rows"] / csv["seconds"], cpu_seconds=round(sensitive["cpu_seconds"], 2), n=n, rows=sensitive["rows"], bytes=sensitive["bytes"])
    # CPU seconds beside wall seconds: on a shared machine the wall clock also counts waiting for a core.
    report.emit("export.raw_csv.seconds", csv["seconds"], "s", scan["seconds"], target_s_at_1m=8, cpu_seconds=round(csv["cpu_seconds"], 2),
                baseline_cpu_seconds=round(scan["cpu_seconds"], 2), **context)
    report.emit("export.raw_csv.peak_rss", csv["rss_peak_kb"] / 1024, "MiB while exporting, fresh process", scan["rss_peak_kb"] / 1024,
                target_mib=100, startup_peak_mib=round(csv["startup_peak_kb"] / 1024, 1), peak_reset=csv["peak_reset"],
                heavy_modules=csv["heavy_modules"], **context)
    report.emit("export.raw_csv.peak_rss_after_dashboard", served["rss_peak_kb"] / 1024, "MiB while exporting, after a dashboard page",
                scan["rss_peak_kb"] / 1024, target_mib=100, heavy_modules=served["heavy_modules"], **context)
    report.emit("export.raw_csv.rss_growth", (csv["rss_peak_kb"] - csv["rss_start_kb"]) / 1024, "MiB over the RSS before the export",
                (scan["rss_peak_kb"] - scan["rss_start_kb"]) / 1024, rss_before_mib=round(csv["rss_start_kb"] / 1024, 1), **context)


def run_stat_files(database: BenchDatabase, report: Report, n: int) -> None:
    """SPSS and Stata files of the whole questionnaire: time, size, peak memory; baseline the plain CSV export's."""
    csv = _in_child("csv", database)
    for file_format in ("sav", "dta"):
        made = _in_child(file_format, database)
        context = {"n": n, "rows": made["rows"], "bytes": made["bytes"], "csv_bytes": csv["bytes"]}
        report.emit(f"export.raw_{file_format}.seconds", made["seconds"], "s", csv["seconds"], cpu_seconds=round(made["cpu_seconds"], 2), **context)
        report.emit(f"export.raw_{file_format}.peak_rss", made["rss_peak_kb"] / 1024, "MiB while exporting, fresh process", csv["rss_peak_kb"] / 1024,
                    rss_growth_mib=round((made["rss_peak_kb"] - made["rss_start_kb"]) / 1024, 1), **context)


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
        groups = bare_group_by(data.questionnaire_id)
        baseline = time.perf_counter() - started
        db.session.remove()
    report.emit("export.indicator_xlsx.seconds", seconds, "s", baseline, n=n, table_rows=len(table.rows), xlsx_bytes=len(content), groups=groups)


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:5])))
