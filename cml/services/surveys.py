"""Publishing questionnaire versions and reading them back as core models."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import func, select

from cml.core.questionnaire import Problem, Questionnaire, check_bytes, parse_document
from cml.extensions import db
from cml.models import Questionnaire as QuestionnaireRow
from cml.models import QuestionnaireVersion, User
from cml.services import audit


class PublishError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Published:
    version: QuestionnaireVersion
    created: bool
    """False when exactly this content was already published."""


def canonical_json(document: object) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def publish(data: bytes, actor: User | None = None, require_next: bool = False) -> Published:
    """Publish a questionnaire file's contents as a new version, after every check passes.

    :param require_next: refuse any number but the next (the browser's drafts); the shipped files and
        the command line may skip numbers, as `demo load` publishing a file's current version does.
    """
    questionnaire, problems = check_bytes(data)
    if questionnaire is None:
        raise PublishError(problems)
    content = canonical_json(json.loads(data.decode("utf-8-sig")))
    content_hash = hashlib.sha256(content.encode()).hexdigest()
    row = db.session.scalar(select(QuestionnaireRow).where(QuestionnaireRow.code == questionnaire.id))
    if row is None:
        row = QuestionnaireRow(code=questionnaire.id, title=dict(questionnaire.title))
        db.session.add(row)
        db.session.flush()
    existing = db.session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == row.id, QuestionnaireVersion.version == questionnaire.version
        )
    )
    if existing is not None:
        if existing.content_hash == content_hash:
            return Published(existing, created=False)
        raise PublishError([Problem("$.version", f"version {questionnaire.version} of \"{questionnaire.id}\" is already published with different content; raise \"version\" to {latest_number(row.id) + 1}")])
    latest = latest_number(row.id)
    if questionnaire.version < latest:
        raise PublishError([Problem("$.version", f"version {questionnaire.version} is older than the published version {latest}; raise \"version\" to {latest + 1}")])
    if require_next and latest and questionnaire.version != latest + 1:  # in the browser a gap would look like a lost version
        raise PublishError([Problem("$.version", f"version {questionnaire.version} skips a number: the published version is {latest}; set \"version\" to {latest + 1}")])
    version = QuestionnaireVersion(questionnaire_id=row.id, version=questionnaire.version, content=content, content_hash=content_hash, published_by_id=actor.id if actor else None)
    db.session.add(version)
    row.title = dict(questionnaire.title)
    db.session.flush()
    audit.record("questionnaire.publish", actor, target=f"{questionnaire.id} v{questionnaire.version}", hash=content_hash[:12])
    return Published(version, created=True)


def latest_number(questionnaire_id: int) -> int:
    number = db.session.scalar(select(func.max(QuestionnaireVersion.version)).where(QuestionnaireVersion.questionnaire_id == questionnaire_id))
    return int(number or 0)


def latest_version(code: str) -> QuestionnaireVersion | None:
    """The newest published version of a questionnaire: the one forms serve."""
    return db.session.scalar(
        select(QuestionnaireVersion)
        .join(QuestionnaireRow)
        .where(QuestionnaireRow.code == code)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    )


def is_retired(version: QuestionnaireVersion) -> bool:
    """Whether a version may start no new interview (its responses keep counting)."""
    return version.retired_at is not None


def collectable_version(code: str, number: int | None = None) -> QuestionnaireVersion | None:
    """The version a new interview of `code` is recorded on: version `number` unless it is retired,
    else (None) the newest one not retired; None when there is no such version.

    The one rule for every way in: the web form, the offline app's setup and the paper import.
    """
    query = (
        select(QuestionnaireVersion)
        .join(QuestionnaireRow)
        .where(QuestionnaireRow.code == code, QuestionnaireVersion.retired_at.is_(None))
    )
    if number is not None:
        query = query.where(QuestionnaireVersion.version == number)
    return db.session.scalar(query.order_by(QuestionnaireVersion.version.desc()).limit(1))


def set_retired(version: QuestionnaireVersion, retired: bool, actor: User) -> bool:
    """Retire a version (no new interviews) or bring it back; False when it already was so."""
    if is_retired(version) == retired:
        return False
    version.retired_at = datetime.now(UTC) if retired else None
    version.retired_by_id = actor.id if retired else None
    db.session.flush()
    audit.record("questionnaire.retire" if retired else "questionnaire.unretire", actor,
                 target=f"{version.questionnaire.code} v{version.version}")
    return True


VERSION_MAX = 2**31 - 1
"""The largest version number the version column (a 32-bit integer) holds."""


def version_of(code: str, number: int | None) -> QuestionnaireVersion | None:
    """Version `number` of a questionnaire, or its latest when `number` is None."""
    if number is None:
        return latest_version(code)
    if not 0 < number <= VERSION_MAX:  # PostgreSQL refuses to compare its integer column with a larger number
        return None
    found: QuestionnaireVersion | None = db.session.scalar(
        select(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == code, QuestionnaireVersion.version == number)
    )
    return found


def version_numbers(code: str) -> list[int]:
    """The published version numbers of a questionnaire, newest first."""
    return list(db.session.scalars(
        select(QuestionnaireVersion.version).join(QuestionnaireRow).where(QuestionnaireRow.code == code).order_by(QuestionnaireVersion.version.desc())
    ))


def published_questionnaires() -> list[QuestionnaireRow]:
    return list(db.session.scalars(select(QuestionnaireRow).where(QuestionnaireRow.versions.any()).order_by(QuestionnaireRow.code)))


def collectable_questionnaires() -> list[QuestionnaireRow]:
    """The questionnaires a new interview may start on: those with a version not retired."""
    return list(db.session.scalars(
        select(QuestionnaireRow).where(QuestionnaireRow.versions.any(QuestionnaireVersion.retired_at.is_(None))).order_by(QuestionnaireRow.code)
    ))


def model_of(version: QuestionnaireVersion) -> Questionnaire:
    """The core model of a stored version, parsed once per content."""
    return _parse_stored(version.content_hash, version.content)


@lru_cache(maxsize=256)
def _parse_stored(content_hash: str, content: str) -> Questionnaire:
    questionnaire, problems = parse_document(json.loads(content))
    if questionnaire is None:  # only possible if the checks became stricter after publication
        raise PublishError(problems)
    return questionnaire
