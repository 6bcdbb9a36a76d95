"""Paper-form import (rows/s), and the bulk store under it, each beside a floor.

`import.rows_per_s`: a generated valid CSV (every clinic-exit question, an explicit
submission id per row, bench regions and facilities by code) through
`cml.services.imports.import_csv` and the commit, as the upload page and the CLI run
it. Baseline: Python's csv module reading the same bytes (the floor of any importer).

`bulk.store_many.rows_per_s`: `cml.services.bulk.store_many` (fingerprints, duplicate
check, the driver's executemany or COPY of responses and facts, one sums upsert) of
already-cleaned responses, and the commit.
Baseline: the benchmark's own loader writing the same number of rows through the bare
driver.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import date

from flask import Flask

from cml.bench.data import CODE, BenchData
from cml.bench.report import Report
from cml.extensions import db
from cml.models import Facility, Region


def make_csv(data: BenchData, rows: int) -> bytes:
    """A valid paper-form file of `rows` interviews (choice ids, `|` between several)."""
    from cml.services.surveys import model_of

    questionnaire = model_of(data.version)
    questions = [q.id for q in questionnaire.questions]
    codes = {f: (r, c) for f, r, c in db.session.execute(db.select(Facility.id, Region.code, Facility.code).join(Region)).all()}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission_id", "region", "facility", "date", *questions])
    for submission_id, template, day in data.items(rows):
        region, facility = codes[template.facility_id]
        cells = []
        for question in questions:
            value = template.answers.get(question)
            if value is None:
                cells.append("")
            elif isinstance(value, list):
                cells.append("|".join(str(v) for v in value))
            elif isinstance(value, bool):
                cells.append("yes" if value else "no")
            else:
                cells.append(str(value))
        writer.writerow([str(submission_id), region, facility, day.isoformat(), *cells])
    return buffer.getvalue().encode()


def run_import(app: Flask, data: BenchData, report: Report, n: int, rows: int) -> None:
    from cml.services.imports import import_csv

    with app.app_context():
        content = make_csv(data, rows)
        db.session.remove()
    started = time.perf_counter()
    parsed = sum(1 for _ in csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    floor = time.perf_counter() - started
    with app.test_request_context():
        started = time.perf_counter()
        result = import_csv(content, CODE, None, lambda error: error.code, today=date.today())
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
    report.check("import.valid", result.ok and result.stored == rows, f"{result.stored} of {rows} stored; problems {result.problems[:3]}")
    report.emit("import.rows_per_s", rows / seconds, "rows/s (higher is better)", parsed / floor, target=30_000, n=n, rows=rows, stored=result.stored)


def run_store_many(app: Flask, data: BenchData, report: Report, n: int, rows: int) -> None:
    from cml.services.bulk import NewResponse, store_many

    with app.app_context():
        items = [NewResponse(sid, t.facility_id, t.region_id, day, t.answers) for sid, t, day in data.items(rows)]
        version = data.version
        started = time.perf_counter()
        result = store_many(version, items, source="demo")
        db.session.commit()
        seconds = time.perf_counter() - started
        report.check("store_many.stored", result.stored == rows, f"{result.stored} of {rows}")
        before = data.count()
        db.session.remove()
        started = time.perf_counter()
        data.fill(before + rows)
        floor = time.perf_counter() - started
        db.session.remove()
    report.emit("bulk.store_many.rows_per_s", rows / seconds, "rows/s (higher is better)", rows / floor, n=n, rows=rows)
