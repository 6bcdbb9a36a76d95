"""Raw response export for administrators and regional leads, streamed in constant memory.

Rows are read in keyset-paginated batches and written as they come: memory does not grow
with the number of responses. Sensitive questions are left out unless asked for.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter
from sqlalchemy import func, select

from cml.core.cells import Cell, safe_cell
from cml.core.questionnaire import Question, Questionnaire
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region, Response
from cml.models import Questionnaire as QuestionnaireRow
from cml.services import surveys

BATCH = 2000
FIXED_COLUMNS = ("submission_id", "questionnaire", "version", "region", "facility", "facility_name", "interview_date", "received_at", "source")


@dataclass(frozen=True)
class RawExportRequest:
    code: str
    region_ids: set[int] | None
    """None: every region (administrators)."""
    include_sensitive: bool = False
    labels_language: str | None = None
    """None: choice ids (codes); else choice labels in this language."""


def export_questions(code: str, include_sensitive: bool) -> tuple[Questionnaire, list[Question]]:
    """The latest version's questions (and any only older versions had), sensitive ones only if asked."""
    versions = db.session.scalars(
        select(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == code).order_by(QuestionnaireVersion.version.desc())
    ).all()
    if not versions:
        raise LookupError(code)
    latest = surveys.model_of(versions[0])
    questions: dict[str, Question] = {}
    for version in versions:
        for question in surveys.model_of(version).questions:
            questions.setdefault(question.id, question)
    chosen = [q for q in questions.values() if include_sensitive or not q.sensitive]
    return latest, chosen


def count_rows(request: RawExportRequest) -> int:
    query = select(func.count(Response.id)).join(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == request.code)
    if request.region_ids is not None:
        query = query.where(Response.region_id.in_(request.region_ids))
    return int(db.session.scalar(query) or 0)


def rows(request: RawExportRequest) -> Iterator[list[Cell]]:
    """The header, then one row per response, oldest first; every cell formula-safe."""
    questionnaire, questions = export_questions(request.code, request.include_sensitive)
    yield [*FIXED_COLUMNS, *(q.id for q in questions)]
    last_id = 0
    while True:
        query = (
            select(Response.id, Response.submission_id, QuestionnaireVersion.version, Region.code, Facility.code, Facility.name,
                   Response.interview_date, Response.received_at, Response.source, Response.answers)
            .join(QuestionnaireVersion, Response.questionnaire_version_id == QuestionnaireVersion.id)
            .join(QuestionnaireRow, QuestionnaireVersion.questionnaire_id == QuestionnaireRow.id)
            .join(Region, Response.region_id == Region.id)
            .join(Facility, Response.facility_id == Facility.id)
            .where(QuestionnaireRow.code == request.code, Response.id > last_id)
            .order_by(Response.id)
            .limit(BATCH)
        )
        if request.region_ids is not None:
            query = query.where(Response.region_id.in_(request.region_ids))
        batch = db.session.execute(query).all()
        if not batch:
            return
        for response_id, submission_id, version, region, facility, facility_name, interview_date, received_at, source, answers in batch:
            fixed: list[Cell] = [str(submission_id), request.code, version, region, facility, facility_name,
                                 interview_date.isoformat(), received_at.isoformat(timespec="seconds") if received_at else None, source]
            yield [safe_cell(v) for v in fixed] + [_answer_cell(q, answers.get(q.id), questionnaire, request.labels_language) for q in questions]
            last_id = response_id
        db.session.expunge_all()


def _answer_cell(question: Question, value: object, questionnaire: Questionnaire, language: str | None) -> Cell:
    if value is None:
        return None
    if question.choices and language is not None:
        chosen = value if isinstance(value, list) else [value]
        labels = {c.id: questionnaire.text(c.label, language) for c in question.choices}
        return safe_cell("; ".join(labels.get(str(v), str(v)) for v in chosen))
    if isinstance(value, list):
        return safe_cell("|".join(str(v) for v in value))
    return safe_cell(value)


def csv_chunks(request: RawExportRequest) -> Iterator[bytes]:
    """The export as UTF-8 CSV (with a byte-order mark, so spreadsheets read Cyrillic right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for count, row in enumerate(rows(request), start=1):
        writer.writerow(["" if cell is None else cell for cell in row])
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_file(request: RawExportRequest) -> str:
    """The export as an XLSX file on disk, written row by row (XlsxWriter's constant-memory mode)."""
    handle, path = tempfile.mkstemp(prefix="cml-raw-", suffix=".xlsx")
    os.close(handle)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(request.code[:31])
    bold = workbook.add_format({"bold": True})
    for row_number, row in enumerate(rows(request)):
        for column, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, str):
                sheet.write_string(row_number, column, cell, bold if row_number == 0 else None)
            else:
                sheet.write_number(row_number, column, cell)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return path


def stream_file(path: str, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
    """Send a temporary file in chunks and remove it afterwards."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)
