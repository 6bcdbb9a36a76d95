"""Incident cases: who sees which, the consent each use rests on, and the follow-up steps.

Scope, decided only here: those who manage cases (a region's leads, admins) see the incident
reports of their regions; the monitor who filed a report sees its case (and may add steps: they
are often the peer who goes with the person to the service) but nothing else; advocates see
none. A report in the trash (withdrawn, deleted) has no case. Anything else is "not found".

A case row is made on first view or act (`case_for_submission`), copying the person's consent
from the answers; from then on a consent can only be withdrawn (recorded, audit-logged), never
granted again. Warnings, the brief's counts and the referral steps read `Case.consented`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import abort, has_request_context
from sqlalchemy import Select, func, select

from cml.auth.capabilities import has_capability
from cml.core.bounds import parse_id, plain_text
from cml.core.questionnaire import Answer, Questionnaire
from cml.db import WRITE_LOCK_OPTION
from cml.extensions import db
from cml.models import (
    CASE_STATES,
    REFERRAL_KINDS,
    STEP_KINDS,
    STEP_OUTCOMES,
    Case,
    CaseStep,
    QuestionnaireVersion,
    Response,
    User,
    Warning,
)
from cml.models import Questionnaire as QuestionnaireRow
from cml.models.cases import CONSENTS, STEP_NOTE_LENGTH
from cml.services import audit, counting, surveys
from cml.services.responses import all_answers
from cml.services.scope import restrict_to_user_regions

INCIDENT_CODE = "incident_report"
CONSENT_QUESTIONS = {use: f"consent_{use}" for use in CONSENTS}
LEGACY_WARNING_QUESTION = "add_to_warning_list"
"""Versions before 4 asked only this: a "yes" there is consent to a warning."""
DETAIL_QUESTIONS = (
    "incident_date", "violence_types", "perpetrator", "aggressor_count", "place", "place_area", "documents_confiscated",
    "documents_returned", "injured", "reported_to", "help_needed", "help_received", "pep_received", "aggressor_description",
)  # fmt: skip
"""The report's answers a case page and a warning draft show. The sensitive ones among them (the
area, the aggressor's description) are sealed at rest and opened here; each opening is audited."""


class CaseRefused(ValueError):
    """A change the case does not allow; `reason` is a code the page turns into words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CaseView:
    """One incident report as the cases list shows it (whether or not its case row exists yet)."""

    report_id: int
    case_id: int | None
    region_id: int
    facility_id: int
    incident_date: date
    received_at: datetime
    state: str
    violence_types: tuple[str, ...]
    steps: int
    filed_by_id: int | None


def manages(user: User) -> bool:
    return bool(has_capability(user, "manage_cases"))


def _reports(user: User) -> Select | None:  # type: ignore[type-arg]
    """The incident reports this user may see as cases (not in the trash), or None for none at all."""
    query = (
        select(Response)
        .join(QuestionnaireVersion, Response.questionnaire_version_id == QuestionnaireVersion.id)
        .join(QuestionnaireRow, QuestionnaireVersion.questionnaire_id == QuestionnaireRow.id)
        .where(QuestionnaireRow.code == INCIDENT_CODE, Response.deleted_at.is_(None))
    )
    scoped: Select = restrict_to_user_regions(query, user, Response.region_id)  # type: ignore[type-arg]
    if manages(user):
        return scoped
    if has_capability(user, "view_own_submissions"):
        return scoped.where(Response.submitted_by_id == user.id)
    return None


def visible_cases(user: User, *, region_id: int | None = None, state: str | None = None) -> list[CaseView]:
    """The cases this user may see, newest report first; `state` "open" includes reports whose
    case row is not made yet (they are open with no steps)."""
    query = _reports(user)
    if query is None or (state is not None and state not in CASE_STATES):
        return []
    steps = select(CaseStep.case_id, func.count().label("n")).group_by(CaseStep.case_id).subquery()
    query = query.outerjoin(Case, Case.submission_id == Response.id).outerjoin(steps, steps.c.case_id == Case.id)
    query = query.add_columns(Case.id, Case.state, func.coalesce(steps.c.n, 0))
    if region_id is not None:
        query = query.where(Response.region_id == region_id)
    if state == "closed":
        query = query.where(Case.state == "closed")
    elif state == "open":
        query = query.where((Case.id.is_(None)) | (Case.state == "open"))
    query = query.order_by(Response.interview_date.desc(), Response.id.desc())
    views = []
    for response, case_id, case_state, step_count in db.session.execute(query):
        answers = response.answers
        types = answers.get("violence_types")
        views.append(CaseView(
            report_id=response.id, case_id=case_id, region_id=response.region_id, facility_id=response.facility_id,
            incident_date=incident_date_of(response), received_at=response.received_at,
            state=case_state or "open", violence_types=tuple(types) if isinstance(types, list) else (),
            steps=int(step_count), filed_by_id=response.submitted_by_id,
        ))  # fmt: skip
    return views


def incident_date_of(response: Response) -> date:
    """The incident's date as answered, else the interview's."""
    raw = response.answers.get("incident_date")
    fallback: date = response.interview_date
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return fallback
    return fallback


def report_for(user: User, submission_id: object) -> Response:
    """The incident report with this response id if the user may see its case; 404 otherwise."""
    wanted = parse_id(submission_id)
    query = _reports(user)
    if wanted is None or query is None:
        abort(404)
    found: Response | None = db.session.scalar(query.where(Response.id == wanted))
    return found or abort(404)


def case_for(user: User, case_id: object) -> Case:
    """The case with this id if the user may see it (its report in scope, not in the trash); 404 otherwise."""
    wanted = parse_id(case_id)
    query = _reports(user)
    if wanted is None or query is None:
        abort(404)
    found: Case | None = db.session.scalar(select(Case).where(Case.id == wanted, Case.submission_id.in_(query.with_only_columns(Response.id))))
    return found or abort(404)


def existing_case(submission_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.submission_id == submission_id))


def case_for_submission(user: User, submission_id: object) -> Case:
    """The case of this incident report, made on first use (same scope as `case_for`; 404 otherwise).

    A new row is written and committed in a transaction of its own, under the write lock, so a
    page view (which reads without it) may make it too."""
    response = report_for(user, submission_id)
    found = existing_case(response.id)
    if found is not None:
        return found
    response_id = response.id
    begin_writing()
    reloaded = db.session.get(Response, response_id)
    assert reloaded is not None
    response = reloaded
    found = existing_case(response_id)  # made meanwhile by another request
    if found is not None:
        return found
    consents = consents_of(surveys.model_of(response.version), response.answers)
    case = Case(submission_id=response.id, region_id=response.region_id, facility_id=None if response.facility.stands_for_region else response.facility_id,
                filed_by_id=response.submitted_by_id, state="open", **{f"consent_{use}": given for use, given in consents.items()})
    db.session.add(case)
    db.session.flush()
    audit.record("case.create", user, target=f"case:{case.id}", case_id=case.id, region_id=case.region_id,
                 consents=sorted(use for use, given in consents.items() if given))
    db.session.commit()
    return case


def begin_writing() -> None:
    """End the current (reading) transaction and start one under the write lock: a page view
    reads without it (`cml.db`), and a write there (a case made, a sealed answer's opening
    audited) must not fail half-way on SQLite when another request writes meanwhile."""
    db.session.commit()
    db.session.connection(execution_options={WRITE_LOCK_OPTION: True})


def consents_of(model: Questionnaire, answers: Mapping[str, Answer]) -> dict[str, bool]:
    """The person's consent per use as the report's version asked it.

    Version 4 asks each use. Earlier versions asked no consent to be counted: they were collected
    under a description saying the report is counted, so they count as before. Their warning
    consent is `add_to_warning_list`; they never asked about referral, so there is none."""
    given = {}
    for use, question in CONSENT_QUESTIONS.items():
        if model.question(question) is not None:
            given[use] = answers.get(question) == "yes"
        elif use == "count":
            given[use] = True
        elif use == "warning":
            given[use] = answers.get(LEGACY_WARNING_QUESTION) == "yes"
        else:
            given[use] = False
    return given


def asked_consent(case: Case) -> set[str]:
    """The uses the report's version asked consent to (a page explains those it did not)."""
    model = surveys.model_of(case.response.version)
    asked = {use for use, question in CONSENT_QUESTIONS.items() if model.question(question) is not None}
    if "warning" not in asked and model.question(LEGACY_WARNING_QUESTION) is not None:
        asked.add("warning")
    return asked


def may_warn(case: Case) -> bool:
    """Whether the person consented to a warning and has not withdrawn it."""
    return bool(case.consented("warning"))


def may_manage(user: User, case: Case) -> bool:
    """Close, reopen and record withdrawn consent: those who manage cases (the scope is already checked)."""
    return manages(user)


def may_add_step(user: User, case: Case) -> bool:
    """Those who manage cases, and the monitor who filed the report."""
    return manages(user) or (case.filed_by_id is not None and case.filed_by_id == user.id)


def report_details(case: Case, actor: User | None = None) -> dict[str, Answer]:
    """The report's answers a case page or a warning draft needs (DETAIL_QUESTIONS, None when not
    answered, and the interview date), sealed ones opened; an opening is audit-logged with the
    names of the fields opened, never their text."""
    response = case.response
    answers = all_answers(response) if response.sealed_answers is not None else dict(response.answers)
    details: dict[str, Answer] = {name: answers.get(name) for name in DETAIL_QUESTIONS}
    details["interview_date"] = response.interview_date.isoformat()
    opened = sorted(name for name in DETAIL_QUESTIONS if name not in response.answers and details[name] not in (None, ""))
    if opened:
        audit.record("case.open_sealed", actor or _current_user(), target=f"case:{case.id}", case_id=case.id, fields=opened)
    return details


def _current_user() -> User | None:
    if not has_request_context():
        return None
    from flask_login import current_user  # type: ignore[import-untyped,unused-ignore]

    return current_user if getattr(current_user, "is_authenticated", False) else None  # type: ignore[no-any-return,unused-ignore]


def add_step(user: User, case: Case, *, kind: str, happened_on: date, outcome: str, note: str = "", today: date | None = None) -> CaseStep:
    """A follow-up step (added and flushed, audited; the caller commits). Refused: an unknown kind
    or outcome, a date in the future or before 2000, a note too long, a
    closed case, or a referral without the person's (unwithdrawn) consent to be referred."""
    if kind not in STEP_KINDS:
        raise CaseRefused("kind")
    if outcome not in STEP_OUTCOMES:
        raise CaseRefused("outcome")
    if happened_on > (today or date.today()) or happened_on.year < 2000:
        raise CaseRefused("date")
    note = plain_text(note or "").strip()
    if len(note) > STEP_NOTE_LENGTH:
        raise CaseRefused("note")
    if case.state != "open":
        raise CaseRefused("closed")
    if kind in REFERRAL_KINDS and not case.consented("referral"):
        raise CaseRefused("no_referral_consent")
    step = CaseStep(case_id=case.id, kind=kind, happened_on=happened_on, outcome=outcome, note=note, created_by_id=user.id)
    db.session.add(step)
    db.session.flush()
    case.updated_at = _now()
    audit.record("case.step", user, target=f"case:{case.id}", case_id=case.id, step_id=step.id, kind=kind, outcome=outcome,
                 fields=["note"] if note else [])
    return step


def set_state(user: User, case: Case, state: str) -> bool:
    """Close or reopen a case, audited; whether it changed."""
    if state not in CASE_STATES:
        raise CaseRefused("state")
    if state == case.state:
        return False
    audit.record("case.state", user, target=f"case:{case.id}", case_id=case.id, previous=case.state, state=state)
    case.state = state
    case.closed_at, case.closed_by_id = (_now(), user.id) if state == "closed" else (None, None)
    return True


def withdraw_consent(user: User, case: Case, use: str) -> bool:
    """Record that the person withdrew a consent (whether it changed). Withdrawn warning consent
    takes every warning of the case off at once; withdrawn count consent takes the report out of
    every indicator at once (`cml.services.counting`) and is a flag the brief's counts read.
    Never undone: a consent withdrawn stays withdrawn."""
    if use not in CONSENTS:
        raise CaseRefused("consent")
    if not getattr(case, f"consent_{use}") or getattr(case, f"{use}_withdrawn_at") is not None:
        return False
    now = _now()
    setattr(case, f"{use}_withdrawn_at", now)
    case.consent_withdrawn_by_id = user.id
    taken_off: list[int] = []
    if use == "warning":
        for warning in db.session.scalars(select(Warning).where(Warning.case_id == case.id, Warning.state != "withdrawn")):
            warning.state, warning.withdrawn_at = "withdrawn", now
            taken_off.append(warning.id)
    if use == "count":
        db.session.flush()
        counting.recount([case.submission_id])
    audit.record("case.consent_withdrawn", user, target=f"case:{case.id}", case_id=case.id, consent=use, warnings_withdrawn=taken_off)
    return True


def count_withdrawn_report_ids(region_ids: set[int] | None = None) -> set[int]:
    """Response ids of incident reports whose case records a withdrawn consent to be counted:
    the counts that follow cases (the council brief's) leave them out."""
    query = select(Case.submission_id).where(Case.count_withdrawn_at.is_not(None))
    if region_ids is not None:
        query = query.where(Case.region_id.in_(region_ids))
    return set(db.session.scalars(query))


def _now() -> datetime:
    return datetime.now(UTC)
