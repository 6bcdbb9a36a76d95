"""Questionnaires uploaded in the browser: every problem of the file at once, else a draft that its
administrator previews, compares with the published version and publishes (cml.services.surveys)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from cml.core.questionnaire import Problem, Questionnaire, check_bytes, parse_document
from cml.core.questionnaire.compare import Comparison, compare
from cml.core.questionnaire.json_lines import line_of, value_lines
from cml.core.strict_json import MAX_FILE_BYTES
from cml.extensions import db
from cml.models import Questionnaire as QuestionnaireRow
from cml.models import QuestionnaireDraft, QuestionnaireVersion, Response, User
from cml.services import audit, surveys

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
"""An .xlsx is a zip of XML: a questionnaire's workbook is tens of kilobytes."""
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class UploadProblem:
    """One problem of an uploaded file, where its author finds it."""

    message: str
    path: str | None = None
    """The JSON path (a JSON file, or the questionnaire converted from an XLSForm)."""
    line: int | None = None
    """The line of the JSON file."""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    """The XLSForm sheet, 1-based row and column header."""


@dataclass(frozen=True)
class Upload:
    """A read upload: the questionnaire's JSON document when every check passed, else the problems."""

    document: dict[str, Any] | None
    problems: list[UploadProblem]
    kind: str
    """"json" or "xlsform"."""


def is_xlsform(data: bytes, filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC)


def read_upload(data: bytes, filename: str) -> Upload:
    """Check an uploaded JSON or XLSForm file as `surveys publish` would, listing every problem."""
    if len(data) > MAX_UPLOAD_BYTES:
        return Upload(None, [UploadProblem(f"the file is {len(data):,} bytes; at most {MAX_UPLOAD_BYTES:,} are accepted")], "json")
    if is_xlsform(data, filename):
        return _read_xlsform(data)
    questionnaire, problems = check_bytes(data)
    if questionnaire is None:
        return Upload(None, _with_lines(problems, data), "json")
    return Upload(json.loads(data.decode("utf-8-sig")), [], "json")


def _with_lines(problems: list[Problem], data: bytes) -> list[UploadProblem]:
    lines: dict[str, int] = {}
    if len(data) <= MAX_FILE_BYTES:
        try:
            lines = value_lines(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, IndexError, RecursionError):
            lines = {}  # not JSON: the problem itself says where (the decoder's line and column)
    return [UploadProblem(p.message, p.path, line_of(p.path, lines) if lines and p.path != "$" else None) for p in problems]


def _read_xlsform(data: bytes) -> Upload:
    try:
        from cml.core.xlsform import read_xlsform  # the XLSForm reader (issue 19's other part)
    except ImportError:
        return Upload(None, [UploadProblem("this installation cannot read XLSForm files yet; upload the questionnaire as JSON")], "xlsform")
    result = read_xlsform(data)
    problems = [UploadProblem(p.message, sheet=p.sheet or None, row=p.row, column=p.column) for p in result.problems]
    if result.questionnaire is None:
        return Upload(None, problems or [UploadProblem("the workbook holds no questionnaire")], "xlsform")
    converted = surveys.canonical_json(result.questionnaire).encode()
    questionnaire, found = check_bytes(converted)
    problems += [UploadProblem(p.message, path=p.path) for p in found]
    if questionnaire is None or problems:
        return Upload(None, problems, "xlsform")
    return Upload(result.questionnaire, [], "xlsform")


def save_draft(document: dict[str, Any], filename: str, user: User) -> QuestionnaireDraft:
    draft = QuestionnaireDraft(code=str(document["id"]), content=surveys.canonical_json(document), source_filename=filename[:255],
                               uploaded_by_id=user.id)
    db.session.add(draft)
    db.session.flush()
    audit.record("questionnaire.draft", user, target=f"{draft.code} v{document.get('version')}", file=filename[:100], draft=draft.id)
    return draft


def drafts_of(user: User) -> list[QuestionnaireDraft]:
    return list(db.session.scalars(
        select(QuestionnaireDraft).where(QuestionnaireDraft.uploaded_by_id == user.id).order_by(QuestionnaireDraft.id.desc())
    ))


def draft_of(user: User, draft_id: int) -> QuestionnaireDraft | None:
    """The draft if `user` uploaded it: an administrator works on their own drafts only."""
    draft = db.session.get(QuestionnaireDraft, draft_id)
    return draft if draft is not None and draft.uploaded_by_id == user.id else None


def model(draft: QuestionnaireDraft) -> Questionnaire:
    questionnaire, problems = parse_document(json.loads(draft.content))
    if questionnaire is None:  # only if the checks became stricter since the upload
        raise surveys.PublishError(problems)
    return questionnaire


def discard(draft: QuestionnaireDraft, user: User) -> None:
    audit.record("questionnaire.discard", user, target=draft.code, draft=draft.id)
    db.session.delete(draft)
    db.session.flush()


def publish(draft: QuestionnaireDraft, user: User) -> surveys.Published:
    """Publish through the same service as `surveys publish`; the draft is gone once it is a version."""
    published = surveys.publish(draft.content.encode(), user, require_next=True)
    if published.created:
        db.session.delete(draft)
        db.session.flush()
    return published


def comparison(draft: QuestionnaireDraft) -> Comparison:
    """The draft against the latest published version, with each version's stored responses."""
    new = model(draft)
    versions = list(db.session.scalars(
        select(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == draft.code).order_by(QuestionnaireVersion.version)
    ))
    counts = response_counts([v.id for v in versions])
    published = surveys.model_of(versions[-1]) if versions else None
    return compare(published, new, [(surveys.model_of(v), counts.get(v.id, 0)) for v in versions])


def response_counts(version_ids: list[int]) -> dict[int, int]:
    """Stored responses per version, as `indicators rebuild` counts them (the trash included: its facts are rebuilt too)."""
    if not version_ids:
        return {}
    rows = db.session.execute(
        select(Response.questionnaire_version_id, func.count(Response.id))
        .where(Response.questionnaire_version_id.in_(version_ids)).group_by(Response.questionnaire_version_id)
    )
    return {version_id: int(count) for version_id, count in rows}
