"""Drafts: a form's answers kept on the server between pages, keyed by its submission id.

Sensitive answers are sealed like a response's (`cml.services.sealing`), under the draft's own
data key, new at every save.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from sqlalchemy import delete, select

from cml.core.answers import RawValue
from cml.core.questionnaire import Questionnaire
from cml.extensions import db
from cml.models import Draft, Facility, QuestionnaireVersion, User
from cml.services import sealing


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


def answers_of(draft: Draft) -> dict[str, RawValue]:
    """Every raw answer of the draft, the sealed ones opened."""
    answers = dict(draft.answers)
    if draft.sealed_answers is not None:
        answers.update(sealing.unseal(sealing.keyring(), sealing.identity("drafts", draft.submission_id), draft.sealed_answers))
    return answers


def save_section(draft: Draft, questionnaire: Questionnaire, question_ids: list[str], raw: Mapping[str, RawValue]) -> dict[str, RawValue]:
    """Replace the draft's raw answers for one section's questions; all its answers afterwards."""
    answers = {k: v for k, v in answers_of(draft).items() if k not in question_ids}
    for question_id in question_ids:
        value = raw.get(question_id)
        if value not in (None, "", []):
            answers[question_id] = value
    plain, sensitive = sealing.split(questionnaire, answers)
    draft.answers = plain  # a new dict, so the JSON column is seen as changed
    draft.sealed_answers = sealing.seal(sealing.keyring(), sealing.identity("drafts", draft.submission_id), sensitive)[0] if sensitive else None
    return answers


def discard(submission_id: uuid.UUID) -> None:
    db.session.execute(delete(Draft).where(Draft.submission_id == submission_id))
