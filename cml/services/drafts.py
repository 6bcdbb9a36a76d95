"""Drafts: a form's answers kept on the server between pages, keyed by its submission id."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from sqlalchemy import delete, select

from cml.core.answers import RawValue
from cml.extensions import db
from cml.models import Draft, Facility, QuestionnaireVersion, User


def open_draft(submission_id: uuid.UUID, user: User, version: QuestionnaireVersion, facility: Facility, interview_date: date) -> Draft:
    """The user's draft with this id, created or re-pointed at a facility and date."""
    draft = db.session.get(Draft, submission_id)
    if draft is None:
        draft = Draft(submission_id=submission_id, user_id=user.id, questionnaire_version_id=version.id, answers={})
        db.session.add(draft)
    draft.facility_id, draft.interview_date = facility.id, interview_date
    db.session.flush()
    return draft


def find_draft(submission_id: uuid.UUID, user: User) -> Draft | None:
    """Only the user who started a draft may see it."""
    return db.session.scalar(select(Draft).where(Draft.submission_id == submission_id, Draft.user_id == user.id))


def save_section(draft: Draft, question_ids: list[str], raw: Mapping[str, RawValue]) -> None:
    """Replace the draft's raw answers for one section's questions."""
    answers = {k: v for k, v in draft.answers.items() if k not in question_ids}
    for question_id in question_ids:
        value = raw.get(question_id)
        if value not in (None, "", []):
            answers[question_id] = value
    draft.answers = answers  # a new dict, so the JSON column is seen as changed


def discard(submission_id: uuid.UUID) -> None:
    db.session.execute(delete(Draft).where(Draft.submission_id == submission_id))
