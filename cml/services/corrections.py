"""Correcting a stored submission: its answers, facility or interview date, the earlier version kept.

The response keeps its id and submission id (a correction is never a second interview); the
version it replaces goes to `response_revisions` as stored, sealed answers still sealed and
its fingerprint kept, so a late resend of it is recognised as a duplicate (`response_rows`).
The new version is sealed under a new data key; its facts and their sums change in the same
transaction (`counting.recount`). The caller has checked the answers as on entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from cml.core.periods import month_key
from cml.core.questionnaire import Answer
from cml.extensions import db
from cml.models import Facility, Response, ResponseRevision, User
from cml.services import audit, counting, sealing, surveys
from cml.services.response_rows import same_submission, sealed_columns, submission_payload


def correct(response: Response, editor: User, facility: Facility, interview_date: date, answers: Mapping[str, Answer]) -> int | None:
    """Replace the submission's answers, facility and date; the number of the kept earlier version,
    or None when nothing changed (then nothing is written)."""
    ring = sealing.keyring()
    version = response.version
    submitted = submission_payload(version.id, facility.id, interview_date, answers)
    if same_submission(ring, response.submission_id, response.answers_hash, response.sealed_answers, submitted):
        return None
    changed = [name for name, differs in (("facility", facility.id != response.facility_id),
                                          ("date", interview_date != response.interview_date)) if differs]
    number = int(db.session.scalar(select(func.coalesce(func.max(ResponseRevision.number), 0))
                                   .where(ResponseRevision.response_id == response.id)) or 0) + 1
    db.session.add(ResponseRevision(
        response_id=response.id, number=number, answers=dict(response.answers), sealed_answers=response.sealed_answers,
        facility_id=response.facility_id, interview_date=response.interview_date, answers_hash=response.answers_hash, made_by_id=editor.id,
    ))
    columns = sealed_columns(ring, surveys.model_of(version), response.submission_id, submitted, answers)
    if columns["answers"] != response.answers or len(changed) == 0:
        changed.append("answers")
    response.answers, response.sealed_answers, response.answers_hash = columns["answers"], columns["sealed_answers"], columns["answers_hash"]
    response.facility_id, response.region_id = facility.id, facility.region_id
    response.interview_date, response.month = interview_date, month_key(interview_date)
    response.corrected_at = datetime.now(UTC)
    db.session.flush()
    counting.recount([response.id])
    audit.record("submission.correct", editor, target=f"submission {response.submission_id}", response=response.id, revision=number,
                 changed=changed)
    return number


def history(response: Response) -> list[ResponseRevision]:
    """The earlier versions of a response, oldest first."""
    return list(db.session.scalars(select(ResponseRevision).where(ResponseRevision.response_id == response.id).order_by(ResponseRevision.number)))
