"""Paper-form import: a CSV validated whole, every bad row reported, stored exactly once.

Columns: `region`, `facility`, `date`, then one per question id (an optional
`submission_id` column makes row identity explicit); no `facility` when the questionnaire's
responses belong to a region or an event (they are kept at the region's stand-in). A file is
read against one published version, the latest unless another is named (old paper forms). Regions and facilities by code or
name; choices by id or by label in any of the questionnaire's languages; several choices
separated by `|` (or `;` in a comma-separated file); dates as YYYY-MM-DD or DD.MM.YYYY.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from cml import logs
from cml.core.answers import FieldError, RawValue, clean_answers
from cml.core.bounds import EARLIEST_INTERVIEW, MAX_CELL_CHARS, is_plain_text
from cml.core.question_types import kind_of
from cml.core.questionnaire import Questionnaire
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region, User
from cml.services import audit, surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.scope import region_ids, stand_in

FIXED_COLUMNS = ("region", "facility", "date")
MAX_REPORTED_PROBLEMS = 100
"""Problems listed one by one; the rest are counted. A file that is wrong throughout (the wrong
file, the wrong export) is stopped once it has ten times as many and nothing will be stored."""
# Rows of one questionnaire's paper forms share this namespace, so a re-import finds the same ids.
IMPORT_NAMESPACE = uuid.UUID("8f0c8a52-6c1e-4f59-9a4e-2f1f3f7c7e11")

Describe = Callable[[FieldError], str]


@dataclass(frozen=True)
class RowProblem:
    row: int
    """The spreadsheet row number: the header is row 1."""
    column: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    stored: int = 0
    duplicates: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    """The first MAX_REPORTED_PROBLEMS problems."""
    more_problems: int = 0
    """Problems found beyond those listed."""
    stopped_at: int | None = None
    """The row after which reading stopped, with far too many problems to go on."""
    file_problem: str | None = None
    """A problem with the whole file (encoding, header): then no row is looked at."""

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.problems

    def add(self, problems: list[RowProblem]) -> None:
        room = MAX_REPORTED_PROBLEMS - len(self.problems)
        self.problems += problems[:max(room, 0)]
        self.more_problems += max(len(problems) - max(room, 0), 0)

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems


class _Places:
    """Regions and facilities by code or name, limited to what the importer may write to."""

    def __init__(self, user: User | None) -> None:
        every_region = list(db.session.scalars(select(Region)))
        allowed = region_ids(user) if user is not None else None
        regions = [r for r in every_region if allowed is None or r.id in allowed]
        self.all_regions = {self._key(name) for r in every_region for name in [r.code, *r.name.values()]}
        self.regions: dict[str, Region] = {}
        for region in regions:
            for name in [region.code, *region.name.values()]:
                self.regions[self._key(name)] = region
        self.facilities: dict[tuple[int, str], Facility] = {}
        for facility in db.session.scalars(select(Facility).where(Facility.region_id.in_([r.id for r in regions]), Facility.stands_for_region.is_(False))):
            for name in (facility.code, facility.name, *(facility.names or {}).values()):
                self.facilities[(facility.region_id, self._key(name))] = facility
        # A file names the same few places on every row: each spelling is looked up once.
        self._region_cache: dict[str, tuple[Region | None, str | None]] = {}
        self._facility_cache: dict[tuple[int, str], Facility | None] = {}
        self._stand_ins: dict[int, Facility] = {}

    @staticmethod
    def _key(text: str) -> str:
        return " ".join(text.split()).casefold()

    def region(self, text: str) -> tuple[Region | None, str | None]:
        found = self._region_cache.get(text)
        if found is None:
            found = self._region_cache[text] = self._find_region(text)
        return found

    def _find_region(self, text: str) -> tuple[Region | None, str | None]:
        key = self._key(text)
        if key in self.regions:
            return self.regions[key], None
        if key in self.all_regions:
            return None, _("this region is not one of yours")
        return None, _("unknown region '%(name)s'", name=text[:60])

    def stand_in(self, region: Region) -> Facility:
        """The region's stand-in facility, made on first use."""
        if region.id not in self._stand_ins:
            self._stand_ins[region.id] = stand_in(region)
        return self._stand_ins[region.id]

    def facility(self, region: Region, text: str) -> Facility | None:
        wanted = (region.id, text)
        if wanted not in self._facility_cache:
            self._facility_cache[wanted] = self.facilities.get((region.id, self._key(text)))
        return self._facility_cache[wanted]


def parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 (a calendar date, no zone)
        except ValueError:
            continue
    return None


def _reader(text: str) -> tuple[Iterator[list[str]], list[str], str]:
    """Rows as lists of cells (blank lines skipped, as csv.DictReader does), the header, the delimiter."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    return (row for row in reader if row), header, delimiter


def import_csv(
    data: bytes, code: str, user: User | None, describe: Describe, skip_invalid: bool = False, today: date | None = None, version_number: int | None = None,
) -> ImportReport:
    """Validate every row, then store all of them, or with `skip_invalid` the valid ones.

    :param user: the importer; None (the command line) may write to every region.
    :param version_number: the version the paper forms were printed from; None: the latest.
    """
    report = ImportReport()
    today = today or date.today()
    version = surveys.collectable_version(code, version_number)
    if version is None:
        if (retired := surveys.version_of(code, version_number)) is not None:
            report.file_problem = _("%(code)s version %(version)s is retired: it takes no new interviews", code=code, version=retired.version)
        elif version_number is not None and surveys.latest_version(code) is not None:
            report.file_problem = _("%(code)s has no version %(version)s; its versions are %(versions)s",
                                    code=code, version=version_number, versions=", ".join(map(str, surveys.version_numbers(code))))
        else:
            report.file_problem = _("no published questionnaire '%(code)s'", code=code)
        return report
    questionnaire = surveys.model_of(version)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_problem = _("the file is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'")
        return report
    if not is_plain_text(text):
        report.file_problem = _("the file holds NUL characters; save it from the spreadsheet as 'CSV UTF-8'")
        return report
    try:
        return _check_and_store(report, text, version, questionnaire, user, describe, skip_invalid, today)
    except csv.Error as error:  # a cell longer than the csv module's field limit, a broken quote
        report.file_problem = _("not a readable CSV file (row %(row)s): %(error)s", row=report.rows + 2, error=str(error)[:200])
        report.problems, report.more_problems = [], 0
        return report


def _check_and_store(
    report: ImportReport, text: str, version: QuestionnaireVersion, questionnaire: Questionnaire, user: User | None,
    describe: Describe, skip_invalid: bool, today: date,
) -> ImportReport:
    code = questionnaire.id
    rows, header, delimiter = _reader(text)
    report.file_problem = _check_header(header, questionnaire)
    if report.file_problem:
        return report
    check = _RowCheck(header, questionnaire, _Places(user), ("|",) if delimiter == ";" else ("|", ";"), describe, today, user)
    items: list[NewResponse] = []
    for number, row in enumerate(rows, start=2):
        report.rows += 1
        problems, item = check(row, number)
        if problems:
            report.add(problems)
            if len(report.problems) >= MAX_REPORTED_PROBLEMS:
                check.describe = _unlisted  # from here on problems are only counted: wording them is most of a bad row's cost
            if not skip_invalid and report.problem_count > 10 * MAX_REPORTED_PROBLEMS:
                report.stopped_at = number
                return report
        elif item is not None:
            report.valid += 1
            items.append(item)
    if report.rows == 0:
        report.file_problem = _("the file has a header but no rows")
        return report
    if report.problems and not skip_invalid:
        return report
    result = store_many(version, items, source="import")
    report.stored, report.duplicates = result.stored, result.duplicates
    report.add([RowProblem(0, "submission_id", _("%(id)s was imported before with different answers; not changed", id=sid)) for sid in result.conflicts])
    audit.record("responses.import", user, target=f"{code} v{version.version}", rows=report.rows, stored=report.stored,
                 duplicates=report.duplicates, invalid=report.rows - report.valid)
    return report


def _unlisted(error: FieldError) -> str:
    return ""


def record_failure(report: ImportReport, code: str, user: User | None, address: str | None = None) -> None:
    """A refused import in the audit log and the log: how many rows and problems, never a cell's value."""
    details: dict[str, Any] = {"rows": report.rows, "invalid": report.rows - report.valid, "problems": report.problem_count,
               "file_problem": report.file_problem is not None}
    logs.event("responses.import_failed", logging.WARNING, survey=code[:64], **details)
    audit.record("responses.import_failed", user, target=code[:64], address=address, **details)


def fixed_columns(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The columns before the questions: no facility when responses belong to a region or an event."""
    return FIXED_COLUMNS if questionnaire.at_facility else tuple(c for c in FIXED_COLUMNS if c != "facility")


def _check_header(columns: list[str], questionnaire: Questionnaire) -> str | None:
    fixed = fixed_columns(questionnaire)
    missing = [c for c in fixed if c not in columns]
    if missing:
        return _("missing column(s): %(columns)s", columns=", ".join(missing))
    if len(set(columns)) != len(columns):
        return _("a column name appears twice")
    known = {q.id for q in questionnaire.questions if q.answers} | set(fixed) | {"submission_id"}
    unknown = [c for c in columns if c not in known]
    if unknown:
        return _("column(s) that are not questions of %(questionnaire)s: %(columns)s", questionnaire=questionnaire.id, columns=", ".join(c[:60] for c in unknown[:10]))
    return None


class _RowCheck:
    """Checks one row of a file whose header passed: everything that is the same for every
    row (column positions, separators, places, dates seen before) is worked out once."""

    def __init__(
        self,
        header: list[str],
        questionnaire: Questionnaire,
        places: _Places,
        separators: tuple[str, ...],
        describe: Describe,
        today: date,
        user: User | None,
    ) -> None:
        self.header, self.width, self.questionnaire = header, len(header), questionnaire
        position = {column: i for i, column in enumerate(header)}
        self.region_at, self.facility_at, self.date_at = position["region"], position.get("facility"), position["date"]
        self.id_at = position.get("submission_id")
        # Cells by question: one answer, or several choices split at the separators. The
        # cleaner strips and drops blanks itself; a question without a column is unanswered.
        self.single = [(q.id, position[q.id]) for q in questionnaire.questions if q.id in position and q.answers and not kind_of(q.type).several]
        self.several = [(q.id, position[q.id]) for q in questionnaire.questions if q.id in position and kind_of(q.type).several]
        self.places, self.separators, self.describe, self.today = places, separators, describe, today
        self.user_id = user.id if user else None
        self.dates: dict[str, date | None] = {}
        self.occurrences: dict[str, int] = {}

    def __call__(self, row: list[str], number: int) -> tuple[list[RowProblem], NewResponse | None]:
        problems: list[RowProblem] = []
        if len(row) != self.width:
            problems.append(RowProblem(number, "", _("this row has a different number of cells than the header")))
            return problems, None
        longest = max(map(len, row))
        if longest > MAX_CELL_CHARS:
            problems.append(RowProblem(number, "", _("a cell has %(length)d characters; at most %(max)d are read", length=longest, max=MAX_CELL_CHARS)))
            return problems, None
        region, why = self.places.region(row[self.region_at])
        if region is None:
            problems.append(RowProblem(number, "region", why or _("unknown region")))
        if self.facility_at is None:  # responses that belong to the region or an event in it
            facility = self.places.stand_in(region) if region else None
        else:
            facility = self.places.facility(region, row[self.facility_at]) if region else None
        if region is not None and facility is None and self.facility_at is not None:
            problems.append(RowProblem(number, "facility", _("no facility '%(facility)s' in %(region)s", facility=row[self.facility_at][:60], region=region.label(str(get_locale() or "en")))))
        interview_date = self._date(row[self.date_at])
        if interview_date is None:
            problems.append(RowProblem(number, "date", _("not a date; write YYYY-MM-DD or DD.MM.YYYY")))
        elif interview_date > self.today:
            problems.append(RowProblem(number, "date", _("the interview date is in the future")))
        elif interview_date < EARLIEST_INTERVIEW:
            problems.append(RowProblem(number, "date", _("the interview date is before %(date)s", date=EARLIEST_INTERVIEW.isoformat())))
        cleaned = clean_answers(self.questionnaire, self._raw(row), self.today, accept_labels=True)
        for question_id, error in cleaned.errors.items():
            problems.append(RowProblem(number, question_id, self.describe(error)))
        explicit = row[self.id_at].strip() if self.id_at is not None else ""
        submission_id = self._submission_id(explicit, row, number, problems)
        if problems or facility is None or interview_date is None or submission_id is None:
            return problems, None
        return problems, NewResponse(submission_id, facility.id, facility.region_id, interview_date, cleaned.answers, self.user_id)

    def _date(self, text: str) -> date | None:
        if text not in self.dates:
            self.dates[text] = parse_date(text)
        return self.dates[text]

    def _raw(self, row: list[str]) -> dict[str, RawValue]:
        raw: dict[str, RawValue] = {question_id: row[at] for question_id, at in self.single}
        first, *others = self.separators
        for question_id, at in self.several:
            cell = row[at]
            for separator in others:
                cell = cell.replace(separator, first)
            raw[question_id] = cell.split(first)
        return raw

    def _submission_id(self, explicit: str, row: list[str], number: int, problems: list[RowProblem]) -> uuid.UUID | None:
        """The row's id: given in the file, or derived from its content and how often that content
        occurred before in the file, so identical interviews stay distinct and a re-import finds them."""
        if explicit:
            try:
                return uuid.UUID(explicit)
            except ValueError:
                problems.append(RowProblem(number, "submission_id", _("not a valid UUID")))
                return None
        content = "\x1f".join(f"{k}={' '.join(v.split())}" for k, v in sorted(zip(self.header, row, strict=True)))
        digest = hashlib.sha256(content.encode()).hexdigest()
        self.occurrences[digest] = self.occurrences.get(digest, 0) + 1
        return uuid.uuid5(IMPORT_NAMESPACE, f"{self.questionnaire.id}:{digest}:{self.occurrences[digest]}")


def template_columns(version: QuestionnaireVersion) -> list[str]:
    questionnaire = surveys.model_of(version)
    return [*fixed_columns(questionnaire), *(q.id for q in questionnaire.questions if q.answers)]  # a note has no column
