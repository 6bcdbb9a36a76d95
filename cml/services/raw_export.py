"""Raw response export for administrators and regional leads, streamed in constant memory.

Rows are read in keyset-paginated batches, straight from the driver, and written as they
come: memory does not grow with the number of responses. Sensitive questions are left
out unless asked for. A million rows are the target, so the per-row work of the CSV is
kept to decoding the answers (orjson) and looking up each cell's CSV text, made once per
distinct value (`AnswerFields`, compiled once per export). The XLSX goes cell by cell
(`AnswerCells`, json.loads): its writer costs far more than the cells.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import repeat
from typing import Any, cast

import orjson
from flask_babel import gettext as _
from sqlalchemy import CursorResult, Date, bindparam, func, select, text

from cml.core.answer_cells import AnswerCells, AnswerFields, choice_columns
from cml.core.cells import QUOTED as _QUOTED
from cml.core.cells import Cell, csv_field, safe_cell
from cml.core.questionnaire import Choice, Question, Questionnaire
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region, Response
from cml.models import Questionnaire as QuestionnaireRow
from cml.services import sealing, surveys

BATCH = 2000
"""Rows per query: PostgreSQL's driver receives them all at once (~1.5 MB), SQLite's as they are fetched."""
CHUNK = 500
"""Rows per fetch and per CSV chunk: what the export holds in memory at a time."""
FIXED_COLUMNS = ("submission_id", "questionnaire", "version", "region", "facility", "facility_name", "interview_date", "received_at", "source")


@dataclass(frozen=True)
class RawExportRequest:
    code: str
    region_ids: set[int] | None
    """None: every region (administrators)."""
    include_sensitive: bool = False
    labels_language: str | None = None
    """None: choice ids (codes); else choice labels in this language."""
    choices_as_columns: bool = False
    """Multiple choice as one 0/1 column per choice (named question/choice), instead of one column of them all."""
    excel_locale: bool = False
    """CSV for a spreadsheet set to Ukrainian or Russian: `;` between fields and a decimal comma."""
    date_from: date | None = None
    date_to: date | None = None
    """Only interviews on or between these dates (either may be open)."""
    codebook_language: str = "en"
    """The language of the codebook's labels."""

    @property
    def simple_csv(self) -> bool:
        """Whether the CSV is the plain one the fast path writes (one column per question, commas, decimal points)."""
        return not (self.choices_as_columns or self.excel_locale)


def export_questions(code: str, include_sensitive: bool) -> tuple[Questionnaire, list[Question]]:
    """The latest version's questions (and any only older versions had), sensitive ones only if asked."""
    versions = _versions(code)
    if not versions:
        raise LookupError(code)
    latest = surveys.model_of(versions[0])
    questions: dict[str, Question] = {}
    for version in versions:
        for question in surveys.model_of(version).questions:
            questions.setdefault(question.id, question)
    chosen = [q for q in questions.values() if q.answers and (include_sensitive or not q.sensitive)]  # a note has no column
    return latest, chosen


def version_numbers(code: str) -> dict[int, int]:
    """Version id -> version number, for every version of the questionnaire."""
    return {v.id: v.version for v in _versions(code)}


def _versions(code: str) -> list[QuestionnaireVersion]:
    """The questionnaire's versions, newest first."""
    return list(db.session.scalars(
        select(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == code).order_by(QuestionnaireVersion.version.desc())
    ))


def count_rows(request: RawExportRequest) -> int:
    query = (select(func.count(Response.id)).join(QuestionnaireVersion).join(QuestionnaireRow)
             .where(QuestionnaireRow.code == request.code, Response.deleted_at.is_(None)))  # the trash is in no export
    if request.region_ids is not None:
        query = query.where(Response.region_id.in_(request.region_ids))
    if request.date_from is not None:
        query = query.where(Response.interview_date >= request.date_from)
    if request.date_to is not None:
        query = query.where(Response.interview_date <= request.date_to)
    return int(db.session.scalar(query) or 0)


# The unary plus keeps both filters off their indexes, so every batch is a range scan of
# the primary key that stops after BATCH rows: through an index SQLite would sort all the
# remaining rows for each batch (quadratic in the export's size). Raw values, no ORM or
# type processing: the answers arrive as JSON text and are decoded once, here.
_BATCH_SQL = (
    "SELECT id, CAST(submission_id AS TEXT), questionnaire_version_id, region_id, facility_id, interview_date, received_at, source, "
    "CAST(answers AS TEXT){sealed} FROM responses WHERE id > :after AND +questionnaire_version_id IN :versions AND deleted_at IS NULL {regions}{dates}"
    "ORDER BY id LIMIT :batch"
)


def batch_query(request: RawExportRequest, version_ids: list[int]) -> Any:
    """The statement of one batch (bound later with `after`: the last id of the previous batch)."""
    dates = ("AND interview_date >= :since " if request.date_from is not None else "") + ("AND interview_date <= :until " if request.date_to is not None else "")
    sql = _BATCH_SQL.format(regions="AND +region_id IN :regions " if request.region_ids is not None else "",
                            sealed=", sealed_answers" if request.include_sensitive else "", dates=dates)
    statement = text(sql).bindparams(bindparam("versions", version_ids, expanding=True), batch=BATCH)
    if request.region_ids is not None:
        statement = statement.bindparams(bindparam("regions", sorted(request.region_ids), expanding=True))
    if request.date_from is not None:
        statement = statement.bindparams(bindparam("since", request.date_from, type_=Date))
    if request.date_to is not None:
        statement = statement.bindparams(bindparam("until", request.date_to, type_=Date))
    return statement


def rows(request: RawExportRequest) -> Iterator[list[list[Cell]]]:
    """Chunks of rows: first the header alone, then one row per response, oldest first; every cell formula-safe."""
    questionnaire, questions = export_questions(request.code, request.include_sensitive)
    versions = version_numbers(request.code)
    places = _places()
    prefixes = _Cached(lambda key: (safe_cell(request.code), versions[key[0]], *places(key[1], key[2])))
    """(version id, region id, facility id) -> the questionnaire, version, region, facility and facility name cells."""
    sources = _Cached(safe_cell)
    answer_cells: Callable[[Mapping[str, Any]], list[Cell]] = AnswerCells(questions, questionnaire, request.labels_language).cells
    if request.choices_as_columns:
        header, answer_cells = choice_columns(questions, answer_cells)
    else:
        header = [q.id for q in questions]
    yield [[*FIXED_COLUMNS, *header]]
    for chunk in _fetched(request, versions):
        yield [[_uuid_text(submission_id), *prefixes[version_id, region_id, facility_id], _iso_date(interview_date),
                _iso_seconds(received_at), sources[source], *answer_cells(_answers(answers_text))]
               for _, submission_id, version_id, region_id, facility_id, interview_date, received_at, source, answers_text in chunk]


def _fetched(request: RawExportRequest, versions: dict[int, int]) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The responses' rows as the driver gives them (plain tuples, no Row each), CHUNK at a time, oldest first;
    with the sensitive answers opened into the answers' JSON when they are asked for."""
    if not request.include_sensitive:
        return _fetched_rows(request, versions)
    ring = sealing.keyring()
    return ([(*row[:8], _with_sealed(ring, row[1], row[8], row[9])) for row in chunk] for chunk in _fetched_rows(request, versions))


def _with_sealed(ring: sealing.Keyring, submission_id: Any, answers_text: str, sealed: bytes | None) -> str:
    """One JSON object of the plain and the sealed answers (their keys never overlap), spliced as text."""
    if sealed is None:
        return answers_text
    opened = sealing.unseal_json(ring, sealing.identity("responses", _as_uuid(submission_id)), bytes(sealed)).decode()
    if opened == "{}":
        return answers_text
    plain = answers_text.strip()
    return opened if plain == "{}" or not plain.startswith("{") else f"{plain[:-1]},{opened[1:]}"


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _fetched_rows(request: RawExportRequest, versions: dict[int, int]) -> Iterator[Sequence[tuple[Any, ...]]]:
    statement = batch_query(request, sorted(versions))
    if db.engine.dialect.name == "postgresql":
        yield from _pipelined(statement)
        return
    after, fetched = 0, BATCH
    while fetched == BATCH:  # a short batch was the last
        # A textual SELECT's result is a CursorResult; Session.execute is typed with the wider Result.
        result = cast("CursorResult[*tuple[Any, ...]]", db.session.execute(statement, {"after": after}))
        cursor, fetched = result.cursor, 0
        try:
            while chunk := cursor.fetchmany(CHUNK):
                yield chunk
                fetched += len(chunk)
                after = chunk[-1][0]
        finally:  # also when the download stops half-way
            result.close()


def _pipelined(statement: Any) -> Iterator[list[tuple[Any, ...]]]:
    """PostgreSQL: the next batch is asked for (psycopg's pipeline mode) before this one is written.

    The server then reads and renders it while this process turns the current one into CSV,
    on the other core, instead of the two taking turns. Two batches are held at most (as the
    driver received them), and a chunk's rows as tuples.
    """
    compiled = statement.bindparams(after=0).compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    sql, params = compiled.string, dict(compiled.params)
    connection = db.session.connection().connection.driver_connection
    assert connection is not None
    with connection.pipeline():
        batch: Any = connection.cursor()
        batch.execute(sql, {**params, "after": 0})
        while batch is not None:
            chunk = batch.fetchmany(CHUNK)  # waits for the batch; rows become tuples a chunk at a time
            following = None
            if batch.rowcount == BATCH:  # a short batch was the last
                batch.scroll(BATCH - 1, mode="absolute")
                last_id = batch.fetchone()[0]
                batch.scroll(len(chunk), mode="absolute")
                following = connection.cursor()
                following.execute(sql, {**params, "after": last_id})
            while chunk:
                yield chunk
                chunk = batch.fetchmany(CHUNK)
            batch = following


def _answers(answers_text: str) -> dict[str, Any]:
    """The stored answers as `json.loads` reads them (raising on garbage); not an object: no answers."""
    answers = json.loads(answers_text)
    return answers if type(answers) is dict else {}


class _Cached(dict[Any, Any]):
    """Cells made once per distinct key (a few thousand places, a handful of sources), never once per response."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        self[key] = value = self.make(key)
        return value


def _places() -> Callable[[int, int], tuple[Cell, Cell, Cell]]:
    """(region id, facility id) -> the region, facility and facility name cells.

    A response is keyed by its own region, as stored, even if its facility has since moved
    to another region.
    """
    regions = {region_id: safe_cell(code) for region_id, code in db.session.execute(select(Region.id, Region.code))}
    facilities = {f: (safe_cell(c), safe_cell(n)) for f, c, n in db.session.execute(select(Facility.id, Facility.code, Facility.name))}
    return lambda region_id, facility_id: (regions[region_id], *facilities[facility_id])


def _uuid_text(value: object) -> str:
    """The canonical text of a submission id: SQLite stores 32 hex digits, PostgreSQL returns a UUID."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(safe_cell(str(value)))


def _iso_date(value: Any) -> str:
    """YYYY-MM-DD: SQLite stores it so, PostgreSQL returns a date."""
    return value if isinstance(value, str) else str(value.isoformat())


def _iso_seconds(value: Any) -> str | None:
    """YYYY-MM-DDTHH:MM:SS (with the offset PostgreSQL gives), as `datetime.isoformat(timespec="seconds")`."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]"
        return value[:10] + "T" + value[11:19]
    return str(value.isoformat(timespec="seconds"))


def csv_chunks(request: RawExportRequest) -> Iterator[bytes]:
    """The export as UTF-8 CSV (with a byte-order mark, so spreadsheets read Cyrillic right), a few hundred rows per chunk.

    The bytes are what `csv.writer` writes for `rows` (tests compare them), made without it:
    every cell that repeats (places, sources, answers) is CSV text made once per export,
    and a row is one f-string.
    """
    if not request.simple_csv:
        yield from _written_csv(request)
        return
    questionnaire, questions = export_questions(request.code, request.include_sensitive)
    versions = version_numbers(request.code)
    places = _places()
    prefixes = _Cached(lambda key: ",".join(map(csv_field, (safe_cell(request.code), versions[key[0]], *places(key[1], key[2])))))
    """(version id, region id, facility id) -> the questionnaire, version, region, facility and facility name fields."""
    sources = _Cached(lambda source: csv_field(safe_cell(source)))
    answer_fields = AnswerFields(questions, questionnaire, request.labels_language).line
    header = io.StringIO()
    csv.writer(header).writerow([*FIXED_COLUMNS, *(q.id for q in questions)])
    yield ("\ufeff" + header.getvalue()).encode()
    for chunk in _fetched(request, versions):
        _, submission_ids, _, _, _, dates, moments, _, answers_texts = zip(*chunk, strict=True)
        answer_lines = _answer_lines(answers_texts, answer_fields)
        if _as_sqlite_stores(submission_ids, dates, moments):  # the common cases, checked per chunk, not per row
            lines = [f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]},{prefixes[version_id, region_id, facility_id]},{interview_date},"
                     f"{m[:10]}T{m[11:19]},{sources[source]},{answers}\r\n"
                     for (_, s, version_id, region_id, facility_id, interview_date, m, source, _), answers in zip(chunk, answer_lines, strict=True)]
        elif _as_postgresql_gives(submission_ids, dates, moments):
            lines = [f"{s},{prefixes[version_id, region_id, facility_id]},{interview_date.isoformat()},"
                     f"{m.isoformat(timespec='seconds')},{sources[source]},{answers}\r\n"
                     for (_, s, version_id, region_id, facility_id, interview_date, m, source, _), answers in zip(chunk, answer_lines, strict=True)]
        else:
            lines = [f"{_uuid_field(s)},{prefixes[version_id, region_id, facility_id]},{_date_field(interview_date)},"
                     f"{_seconds_field(m)},{sources[source]},{answers}\r\n"
                     for (_, s, version_id, region_id, facility_id, interview_date, m, source, _), answers in zip(chunk, answer_lines, strict=True)]
        yield "".join(lines).encode()


def _written_csv(request: RawExportRequest) -> Iterator[bytes]:
    """The CSV of `rows` written by `csv.writer`: for choices as columns, and for spreadsheets set to
    Ukrainian or Russian (`;` between fields, a decimal comma). Slower than the plain CSV, as constant in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if request.excel_locale else ",")
    buffer.write("\ufeff")
    for batch in rows(request):
        writer.writerows(map(_decimal_commas, batch) if request.excel_locale else batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def _decimal_commas(row: list[Cell]) -> list[Cell]:
    """Fractional numbers with a decimal comma, as a spreadsheet set to Ukrainian or Russian reads them."""
    return [str(cell).replace(".", ",") if type(cell) is float else cell for cell in row]


def codebook(request: RawExportRequest) -> list[list[Cell]]:
    """What every column of the export holds: column, question, label, type, choices (id = label), sensitive; formula-safe."""
    questionnaire, questions = export_questions(request.code, request.include_sensitive)
    language = request.codebook_language
    rows: list[list[Cell]] = [[_("column"), _("question"), _("label"), _("type"), _("choices"), _("sensitive")]]
    for column, description, kind in _fixed_descriptions():
        rows.append([column, None, safe_cell(description), kind, None, None])
    for question in questions:
        label = safe_cell(questionnaire.text(question.label, language))
        choices = safe_cell("; ".join(f"{c.id} = {questionnaire.text(c.label, language)}{_offered_when(question, c)}" for c in question.choices)) if question.choices else None
        sensitive = _("yes") if question.sensitive else _("no")
        if request.choices_as_columns and question.type == "multiple_choice":
            for choice in question.choices:
                rows.append([f"{question.id}/{choice.id}", question.id, safe_cell(f"{questionnaire.text(question.label, language)}: "
                                                                                   f"{questionnaire.text(choice.label, language)}"),
                             question.type, _("1 = chosen, 0 = not chosen, empty = not asked or not answered"), sensitive])
        else:
            rows.append([question.id, question.id, label, question.type, choices, sensitive])
    return rows


def _offered_when(question: Question, choice: Choice) -> str:
    """For a filtered choice: when it is offered, e.g. " (when region = north)"."""
    if question.choice_filter is None or choice.filter is None:
        return ""
    return " (" + _("when %(question)s = %(values)s", question=question.choice_filter, values=" / ".join(choice.filter)) + ")"


def _fixed_descriptions() -> list[tuple[str, str, str]]:
    return [
        ("submission_id", _("Submission id, fixed when the interview started"), "text"),
        ("questionnaire", _("Questionnaire id"), "text"),
        ("version", _("Questionnaire version the answers were given to"), "integer"),
        ("region", _("Region code"), "text"),
        ("facility", _("Facility code (a region's \"(no facility)\" for responses that belong to a region or an event)"), "text"),
        ("facility_name", _("Facility name"), "text"),
        ("interview_date", _("Date of the interview (or of the event)"), "date"),
        ("received_at", _("When the server received it (UTC)"), "datetime"),
        ("source", _("How it arrived: web, import, api or demo"), "text"),
    ]


def codebook_csv(request: RawExportRequest) -> bytes:
    """The codebook as CSV, with the export's separators."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=";" if request.excel_locale else ",").writerows(codebook(request))
    return buffer.getvalue().encode()


def _answer_lines(answers_texts: tuple[str, ...], answer_fields: Callable[[dict[str, Any]], str]) -> list[str]:
    """The answers' CSV text of each row, decoded by orjson, which reads what `json.loads` reads the same way but for two cases.

    It refuses NaN, Infinity and lone surrogates (json.loads reads them; the chunk is decoded
    again), and it makes an integer past 64 bits a float, whose CSV text has an exponent: a
    row with "e+" is decoded again (tests compare both).
    """
    try:
        lines = list(map(answer_fields, map(orjson.loads, answers_texts)))
    except (orjson.JSONDecodeError, AttributeError):  # AttributeError: answers that are not an object (no .get)
        return [answer_fields(_answers(answers_text)) for answers_text in answers_texts]
    if any(map(str.__contains__, lines, repeat("e+"))):
        return [answer_fields(_answers(answers_text)) if "e+" in line else line for answers_text, line in zip(answers_texts, lines, strict=True)]
    return lines


_CANONICAL_UUIDS = re.compile("(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*")


def _as_sqlite_stores(submission_ids: tuple[Any, ...], dates: tuple[Any, ...], moments: tuple[Any, ...]) -> bool:
    """Submission ids of 32 characters, dates and times as text, none needing CSV quotes: written as they are (times cut)."""
    try:
        text = "".join(submission_ids) + "".join(dates) + "".join(moments)
    except TypeError:  # not all texts (PostgreSQL's dates, a missing time)
        return False
    return set(map(len, submission_ids)) == {32} and _QUOTED.search(text) is None


def _as_postgresql_gives(submission_ids: tuple[Any, ...], dates: tuple[Any, ...], moments: tuple[Any, ...]) -> bool:
    """Canonical submission ids (the text of a UUID), dates and times: no quotes, nothing a spreadsheet would run."""
    if set(map(type, dates)) != {date} or set(map(type, moments)) != {datetime}:
        return False
    try:
        return _CANONICAL_UUIDS.fullmatch("".join(submission_ids)) is not None
    except TypeError:  # not all texts
        return False


def _uuid_field(value: object) -> str:
    """`_uuid_text` as a CSV field: SQLite's 32 hex digits (letters and digits need no quotes) dashed, sooner."""
    text = _uuid_text(value)
    return text if type(value) is str and len(value) == 32 and value.isalnum() else csv_field(text)


def _date_field(value: Any) -> str:
    return csv_field(_iso_date(value))


def _seconds_field(value: Any) -> str:
    return csv_field(_iso_seconds(value))


def xlsx_file(request: RawExportRequest) -> str:
    """The export as an XLSX file on disk, written row by row (XlsxWriter's constant-memory mode), with a codebook sheet.

    Dates are date cells and the time received a date-time cell (UTC), so spreadsheets sort and filter them as dates.
    """
    import xlsxwriter  # only XLSX downloads need it: a CSV export's process stays smaller

    handle, path = tempfile.mkstemp(prefix="cml-raw-", suffix=".xlsx")
    os.close(handle)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False, "remove_timezone": True})
    sheet = workbook.add_worksheet(request.code[:31])
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    row_number = 0
    dated: dict[int, Any] = {}
    for batch in rows(request):
        for row in batch:
            if row_number == 0:
                dated = _date_columns(request, row, day, moment)
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, str):
                    when = _as_date(cell, column in dated and row_number > 0)
                    if when is not None:
                        sheet.write_datetime(row_number, column, when, dated[column])
                    else:
                        sheet.write_string(row_number, column, cell, bold if row_number == 0 else None)
                else:
                    sheet.write_number(row_number, column, cell)
            row_number += 1
    sheet.freeze_panes(1, 0)
    book = workbook.add_worksheet(_("codebook")[:31])
    for number, row in enumerate(codebook(request)):
        for column, cell in enumerate(row):
            if cell is not None:
                book.write_string(number, column, str(cell), bold if number == 0 else None)
    book.freeze_panes(1, 0)
    workbook.close()
    return path


def _date_columns(request: RawExportRequest, header: list[Cell], day: Any, moment: Any) -> dict[int, Any]:
    """Column -> cell format, for the interview date, the time received and every date question."""
    _questionnaire, questions = export_questions(request.code, request.include_sensitive)
    dates = {q.id for q in questions if q.type == "date"} | {"interview_date"}
    return {i: (moment if name == "received_at" else day) for i, name in enumerate(header) if name in dates or name == "received_at"}


_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d)?")


def _as_date(cell: str, in_date_column: bool) -> date | datetime | None:
    """A date column's ISO text as a date (or date and time); anything else (an odd stored value) stays text."""
    if not in_date_column:
        return None
    try:
        if _ISO_DATE.fullmatch(cell):
            return date.fromisoformat(cell)
        if _ISO_MOMENT.fullmatch(cell):
            return datetime.fromisoformat(cell)
    except ValueError:
        return None
    return None


def stream_file(path: str, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
    """Send a temporary file in chunks and remove it afterwards."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)
