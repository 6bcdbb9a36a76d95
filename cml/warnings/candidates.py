"""The incident reports a lead may turn into a warning: the person consented, and no warning is under way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from cml.extensions import db
from cml.models import Case, Response, User
from cml.models import Warning as CommunityWarning
from cml.services import cases, surveys

MAX_CANDIDATES = 50
"""The newest reports looked at: older ones are reached from the cases list."""


@dataclass(frozen=True)
class Candidate:
    report_id: int
    region_id: int
    incident_date: date


def candidates(user: User) -> list[Candidate]:
    """Reports of the user's regions, newest first, whose person consented to a warning (not withdrawn) and that
    have no draft or published warning. A report without a case row yet is read for its consent as the case would."""
    views = cases.visible_cases(user)[:MAX_CANDIDATES]
    if not views:
        return []
    ids = [v.report_id for v in views]
    rows = {c.submission_id: c for c in db.session.scalars(select(Case).where(Case.submission_id.in_(ids)))}
    busy = set(db.session.scalars(select(CommunityWarning.case_id).where(CommunityWarning.case_id.in_([c.id for c in rows.values()]),
                                                                        CommunityWarning.state != "withdrawn")))
    responses = {r.id: r for r in db.session.scalars(select(Response).where(Response.id.in_(ids)))}
    found = []
    for view in views:
        case = rows.get(view.report_id)
        if case is not None:
            consented = cases.may_warn(case) and case.id not in busy
        else:
            response = responses[view.report_id]
            consented = cases.consents_of(surveys.model_of(response.version), response.answers).get("warning", False)
        if consented:
            found.append(Candidate(view.report_id, view.region_id, view.incident_date))
    return found
