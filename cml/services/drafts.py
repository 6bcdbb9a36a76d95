"""Drafts: a form's answers kept on the server between pages, keyed by its submission id.

A draft belongs to the user who started it: only they can read, change or end it. Each user
may keep at most DRAFT_MAX_PER_USER drafts of at most DRAFT_MAX_CHARS_PER_USER characters
of answers in all, so one account cannot fill the disk; drafts untouched for
DRAFT_MAX_AGE_DAYS are purged (`flask --app cml drafts purge`, and a user's own on every save).

Sensitive answers are sealed like a response's (`cml.services.sealing`), under the draft's own
data key, new at every save.
"""

from __future__ import annotations

import json
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Text, cast, delete, func, select

from cml.core.answers import RawValue
from cml.core.questionnaire import Questionnaire
from cml.extensions import db
from cml.models import Draft, Facility, QuestionnaireVersion, User
from cml.models import Questionnaire as QuestionnaireRow
from cml.services import sealing
from cml.settings import settings


class DraftQuotaExceeded(Exception):
    """The user already keeps as many drafts, or as much in them, as allowed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        """"count" or "size"."""
        super().__init__(reason)


def open_draft(submission_id: uuid.UUID, user: User, version: QuestionnaireVersion, facility: Facility, interview_date: date) -> Draft:
    """The user's draft with this id, created or re-pointed at a facility and date.

    The caller has checked that no other user's draft has this id.
    """
    draft = db.session.get(Draft, submission_id)
    if draft is None:
        purge_expired(user)
        if _count(user) >= settings().draft_max_per_user:
            raise DraftQuotaExceeded("count")
        draft = Draft(submission_id=submission_id, user_id=user.id, questionnaire_version_id=version.id, answers={})
        db.session.add(draft)
    draft.facility_id, draft.interview_date = facility.id, interview_date
    db.session.flush()
    return draft


def find_draft(submission_id: uuid.UUID, user: User) -> Draft | None:
    """Only the user who started a draft may see it."""
    return db.session.scalar(select(Draft).where(Draft.submission_id == submission_id, Draft.user_id == user.id))


def answers_of(draft: Draft) -> dict[str, RawValue]:
    """Every raw answer of the draft, the sealed ones opened."""
    answers = dict(draft.answers)
    if draft.sealed_answers is not None:
        answers.update(sealing.unseal(sealing.keyring(), sealing.identity("drafts", draft.submission_id), draft.sealed_answers))
    return answers


def save_section(draft: Draft, questionnaire: Questionnaire, question_ids: list[str], raw: Mapping[str, RawValue]) -> dict[str, RawValue]:
    """Replace the draft's raw answers for one section's questions, within the owner's quota; all its answers afterwards."""
    answers = {k: v for k, v in answers_of(draft).items() if k not in question_ids}
    for question_id in question_ids:
        value = raw.get(question_id)
        if value not in (None, "", []):
            answers[question_id] = value
    # Sealed answers count at their sealed size: a little more than the plain text they hold.
    others = db.session.scalar(
        select(func.coalesce(func.sum(func.length(cast(Draft.answers, Text)) + func.coalesce(func.length(Draft.sealed_answers), 0)), 0))
        .where(Draft.user_id == draft.user_id, Draft.submission_id != draft.submission_id)
    )
    if int(others or 0) + len(json.dumps(answers)) > settings().draft_max_chars_per_user:
        raise DraftQuotaExceeded("size")
    plain, sensitive = sealing.split(questionnaire, answers)
    draft.answers = plain  # a new dict, so the JSON column is seen as changed (and updated_at set)
    draft.sealed_answers = sealing.seal(sealing.keyring(), sealing.identity("drafts", draft.submission_id), sensitive)[0] if sensitive else None
    purge_expired(db.session.get(User, draft.user_id))
    return answers


def discard(submission_id: uuid.UUID, user: User) -> None:
    """End the user's own draft with this id; another user's draft with the same id stays."""
    db.session.execute(delete(Draft).where(Draft.submission_id == submission_id, Draft.user_id == user.id))


def purge_expired(user: User | None = None, now: datetime | None = None) -> int:
    """Delete drafts untouched for DRAFT_MAX_AGE_DAYS (of one user, or of everyone); how many went."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings().draft_max_age_days)
    statement = delete(Draft).where(Draft.updated_at < cutoff).execution_options(synchronize_session=False)
    if user is not None:
        statement = statement.where(Draft.user_id == user.id)
    return int(typing.cast(CursorResult[Any], db.session.execute(statement)).rowcount or 0)  # a DELETE's result is a CursorResult


def _count(user: User) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Draft).where(Draft.user_id == user.id)) or 0)


@dataclass(frozen=True)
class Unfinished:
    """One of a user's drafts as a list shows it."""

    submission_id: uuid.UUID
    version: QuestionnaireVersion
    questionnaire: QuestionnaireRow
    facility: Facility | None
    interview_date: date | None
    updated_at: datetime


def unfinished(user: User, questionnaire_id: int | None = None) -> list[Unfinished]:
    """The user's own drafts (of one questionnaire, when given), last changed first; none past DRAFT_MAX_AGE_DAYS."""
    cutoff = datetime.now(UTC) - timedelta(days=settings().draft_max_age_days)
    query = (select(Draft.submission_id, QuestionnaireVersion, QuestionnaireRow, Facility, Draft.interview_date, Draft.updated_at)
             .join(QuestionnaireVersion, QuestionnaireVersion.id == Draft.questionnaire_version_id)
             .join(QuestionnaireRow, QuestionnaireRow.id == QuestionnaireVersion.questionnaire_id)
             .outerjoin(Facility, Facility.id == Draft.facility_id)
             .where(Draft.user_id == user.id, Draft.updated_at >= cutoff)
             .order_by(Draft.updated_at.desc(), Draft.submission_id))
    if questionnaire_id is not None:
        query = query.where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
    return [Unfinished(*row) for row in db.session.execute(query).all()]
