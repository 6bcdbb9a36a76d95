"""Storing responses exactly once, with their indicator facts, in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from cml.core.indicators import contributions
from cml.core.periods import month_key
from cml.core.questionnaire import Answer
from cml.extensions import db
from cml.models import Facility, IndicatorFact, QuestionnaireVersion, Response, User
from cml.services import fact_sums
from cml.services.indicators import facts_model


class SubmissionConflict(Exception):
    """The submission id is already used for different answers."""

    def __init__(self, existing: Response) -> None:
        self.existing = existing
        super().__init__(f"submission {existing.submission_id} was already received with different answers")


@dataclass(frozen=True)
class Stored:
    response: Response
    duplicate: bool
    """True when this exact submission had been stored before; nothing new was written."""


def answers_hash(version: QuestionnaireVersion, facility_id: int, interview_date: date, answers: Mapping[str, Answer]) -> str:
    """Fingerprint of everything a submission says, to recognise an identical retry."""
    payload = json.dumps(
        {"v": version.id, "f": facility_id, "d": interview_date.isoformat(), "a": answers},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def store_response(
    submission_id: uuid.UUID,
    version: QuestionnaireVersion,
    facility: Facility,
    interview_date: date,
    answers: Mapping[str, Answer],
    user: User | None,
    source: str = "web",
) -> Stored:
    """Add a cleaned response and its facts; a repeat is acknowledged, a conflict raised.

    The unique submission id makes a concurrent duplicate fail at the database; the
    savepoint lets us answer it as the duplicate it is.
    """
    fingerprint = answers_hash(version, facility.id, interview_date, answers)
    existing = find(submission_id)
    if existing is not None:
        return _repeat(existing, fingerprint)
    response = Response(
        submission_id=submission_id,
        questionnaire_version_id=version.id,
        region_id=facility.region_id,
        facility_id=facility.id,
        interview_date=interview_date,
        month=month_key(interview_date),
        submitted_by_id=user.id if user else None,
        source=source,
        answers=dict(answers),
        answers_hash=fingerprint,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        existing = find(submission_id)
        if existing is None:
            raise
        return _repeat(existing, fingerprint)
    add_facts(response, version, answers)
    return Stored(response, duplicate=False)


def _repeat(existing: Response, fingerprint: str) -> Stored:
    if existing.answers_hash != fingerprint:
        raise SubmissionConflict(existing)
    return Stored(existing, duplicate=True)


def find(submission_id: uuid.UUID) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_id == submission_id))


def add_facts(response: Response, version: QuestionnaireVersion, answers: Mapping[str, Answer]) -> None:
    """The response's indicator facts, and their part of the sums, in the caller's transaction."""
    questionnaire = facts_model(version)
    facts = [
        {
            "response_id": response.id,
            "indicator": part.indicator_id,
            "questionnaire_id": version.questionnaire_id,
            "questionnaire_version_id": version.id,
            "region_id": response.region_id,
            "facility_id": response.facility_id,
            "month": response.month,
            "numerator": part.numerator,
            "denominator": part.denominator,
            "numerator_squared": part.numerator_squared,
        }
        for part in contributions(questionnaire, answers)
    ]
    if facts:
        db.session.execute(insert(IndicatorFact.__table__), facts)
        fact_sums.add(facts)
