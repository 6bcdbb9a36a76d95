"""Storing responses exactly once, with their indicator facts.

`store_response` writes in the caller's transaction (imports, tests, commands); the web
form's submit prepares a `Submission` (`prepare`) and hands it to the group committer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from cml.core.periods import month_key
from cml.core.questionnaire import Answer, Questionnaire
from cml.extensions import db
from cml.models import Facility, IndicatorFact, QuestionnaireVersion, Response, User
from cml.models import Questionnaire as QuestionnaireRow
from cml.services import fact_sums, sealing, surveys
from cml.services.bulk import canonical_answers, payload
from cml.services.committer import Outcome, Submission
from cml.services.indicators import fact_rows, facts_model


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


def submission_payload(version_id: int, facility_id: int, interview_date: date, answers: Mapping[str, Answer]) -> str:
    """Everything a submission says, canonically: what its fingerprint is made of."""
    return payload(version_id, facility_id, interview_date, canonical_answers(answers))


def answers_hash(response: Response, version_id: int, facility_id: int, interview_date: date, answers: Mapping[str, Answer]) -> str:
    """What `response.answers_hash` would be for this submission: the same only for an identical retry."""
    return _fingerprint_under(response, submission_payload(version_id, facility_id, interview_date, answers))


def _fingerprint_under(response: Response, submitted: str) -> str:
    """The fingerprint of a submission under a stored response's digest key ("" without one: never equal)."""
    if response.sealed_answers is None:
        return ""
    key = sealing.digest_key(sealing.keyring(), sealing.identity("responses", response.submission_id), response.sealed_answers)
    return sealing.fingerprint(key, submitted)


def all_answers(response: Response) -> dict[str, Answer]:
    """A stored response's answers, the sealed ones opened."""
    answers = dict(response.answers)
    if response.sealed_answers is not None:
        answers.update(sealing.unseal(sealing.keyring(), sealing.identity("responses", response.submission_id), response.sealed_answers))
    return answers


def sealed_columns(ring: sealing.Keyring, model: Questionnaire, submission_id: uuid.UUID, submitted: str,
                   answers: Mapping[str, Answer]) -> dict[str, object]:
    """The `answers`, `sealed_answers` and `answers_hash` columns of a new response."""
    plain, sensitive = sealing.split(model, answers)
    sealed, key = sealing.seal(ring, sealing.identity("responses", submission_id), sensitive)
    return {"answers": plain, "sealed_answers": sealed, "answers_hash": sealing.fingerprint(key, submitted)}


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
    submitted = submission_payload(version.id, facility.id, interview_date, answers)
    existing = find(submission_id)
    if existing is not None:
        return _repeat(existing, submitted)
    response = Response(
        submission_id=submission_id,
        questionnaire_version_id=version.id,
        region_id=facility.region_id,
        facility_id=facility.id,
        interview_date=interview_date,
        month=month_key(interview_date),
        submitted_by_id=user.id if user else None,
        source=source,
        **sealed_columns(sealing.keyring(), surveys.model_of(version), submission_id, submitted, answers),
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        existing = find(submission_id)
        if existing is None:
            raise
        return _repeat(existing, submitted)
    add_facts(response, version, answers)
    return Stored(response, duplicate=False)


def _repeat(existing: Response, submitted: str) -> Stored:
    if existing.answers_hash != _fingerprint_under(existing, submitted):
        raise SubmissionConflict(existing)
    return Stored(existing, duplicate=True)


def find(submission_id: uuid.UUID) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_id == submission_id))


def add_facts(response: Response, version: QuestionnaireVersion, answers: Mapping[str, Answer]) -> None:
    """The response's indicator facts, and their part of the sums, in the caller's transaction."""
    facts = fact_rows((response.id, response.region_id, response.facility_id, response.month), version.questionnaire_id, version.id,
                      facts_model(version), answers)
    if facts:
        db.session.execute(insert(IndicatorFact.__table__), facts)
        fact_sums.add(facts)


@dataclass(frozen=True)
class FormVersion:
    """A published version as a submission needs it: ids, its model, and the model its facts follow."""

    id: int
    questionnaire_id: int
    model: Questionnaire
    facts_model: Questionnaire
    number: int = 0
    """The version's number (1, 2, …), as people and the collection app know it."""


class UnknownQuestionnaire(LookupError):
    """No questionnaire with this code has a published version."""


def form_version(code: str, version_id: int) -> FormVersion | None:
    """Version `version_id` of questionnaire `code`, or None when it is not one of its versions
    (UnknownQuestionnaire when `code` has none).

    One small query; the parsed models are kept per process by content hash (a published
    version's content never changes), so the content is read only the first time.
    """
    return _form_version(code, version_id, by_number=False)


def form_version_number(code: str, number: int) -> FormVersion | None:
    """As `form_version`, for the version numbered `number` (what the collection app knows)."""
    return _form_version(code, number, by_number=True)


def _form_version(code: str, wanted_key: int, by_number: bool) -> FormVersion | None:
    rows = db.session.connection().execute(_VERSIONS_OF, {"code": code}).all()  # Core: plain rows, no ORM pass
    if not rows:
        raise UnknownQuestionnaire(code)
    wanted = next((row for row in rows if (row.version if by_number else row.id) == wanted_key), None)
    if wanted is None:
        return None
    latest = rows[0]
    key = (wanted.content_hash, latest.content_hash)
    models = _MODELS.get(key)
    if models is None:
        version, newest = db.session.get(QuestionnaireVersion, wanted.id), db.session.get(QuestionnaireVersion, latest.id)
        assert version is not None and newest is not None
        if len(_MODELS) > 256:
            _MODELS.clear()
        models = _MODELS[key] = (surveys.model_of(version), facts_model(version, newest))
    return FormVersion(wanted.id, wanted.questionnaire_id, *models, number=wanted.version)


_MODELS: dict[tuple[str, str], tuple[Questionnaire, Questionnaire]] = {}
_VERSIONS_OF = (  # built once: building a statement costs more than SQLite takes to run it
    select(QuestionnaireVersion.id, QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.content_hash, QuestionnaireVersion.version)
    .join(QuestionnaireRow)
    .where(QuestionnaireRow.code == bindparam("code"))
    .order_by(QuestionnaireVersion.version.desc())
)


class Place(Protocol):
    id: int
    region_id: int


def prepare(
    submission_id: uuid.UUID, version: FormVersion, facility: Place, interview_date: date,
    answers: Mapping[str, Answer], user: User | None, source: str = "web",
) -> Submission:
    """The rows `store_response` would write, for the group committer (`Committer.store`)."""
    response = {
        "submission_id": submission_id,
        "questionnaire_version_id": version.id,
        "region_id": facility.region_id,
        "facility_id": facility.id,
        "interview_date": interview_date,
        "month": month_key(interview_date),
        "submitted_by_id": user.id if user else None,
        "source": source,
    }
    submitted, ring = submission_payload(version.id, facility.id, interview_date, answers), sealing.keyring()
    response.update(sealed_columns(ring, version.model, submission_id, submitted, answers))
    facts = fact_rows((0, facility.region_id, facility.id, response["month"]), version.questionnaire_id, version.id, version.facts_model, answers)
    for fact in facts:
        del fact["response_id"]  # given by the committer once the response has its id
    return Submission(submission_id, response, facts, submitted, ring)


_STORED = (  # built once: a resend is answered by this one read (cml.collect.submission)
    select(Response.id, Response.answers_hash, Response.sealed_answers).where(Response.submission_id == bindparam("wanted"))
)


def stored_repeat(item: Submission) -> Outcome | None:
    """What the committer would answer for a submission whose id is already stored ("duplicate" or
    "conflict", nothing written), from one read; None when the id is new (or stored by nobody yet)."""
    row = db.session.connection().execute(_STORED, {"wanted": item.submission_id}).first()
    if row is None:
        return None
    same = False
    if row.sealed_answers is not None and item.keyring is not None:
        key = sealing.digest_key(item.keyring, sealing.identity("responses", item.submission_id), bytes(row.sealed_answers))
        same = row.answers_hash == sealing.fingerprint(key, item.payload)
    return Outcome("duplicate" if same else "conflict", row.id)
