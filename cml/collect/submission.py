"""A complete submission, from the form's final submit or the app's JSON: checked, then stored exactly once.

Both paths clean the same raw answers with `clean_answers`, hold the place to the user's
regions and the date to the programme's days, and hand the rows to the group committer,
which answers only after the COMMIT (cml.services.committer).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Row, bindparam, select

from cml.core.answers import CleanedAnswers, RawValue, clean_answers
from cml.core.bounds import EARLIEST_INTERVIEW, interview_date_ok, parse_id
from cml.extensions import db
from cml.models import Facility
from cml.services.committer import Outcome, committer_for
from cml.services.responses import FormVersion, prepare, stored_repeat
from cml.services.scope import region_ids
from cml.web.formatting import fmt_day


def parse_date(text: object) -> date | None:
    """A year-month-day date, or None."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


_ACTIVE_FACILITY = select(Facility.id, Facility.region_id, Facility.stands_for_region).where(Facility.id == bindparam("wanted"), Facility.active.is_(True))


def submitted_facility(raw: object, at_facility: bool) -> Row[int, int, bool] | None:
    """What `facility_for` answers (the active facility, only in one of the user's regions, as
    `scope.region_ids` decides), as id and region from one prebuilt query: submit is the hot path.
    A questionnaire whose responses belong to a region or an event takes only a region's stand-in, and no other does."""
    wanted = parse_id(raw)
    if wanted is None:
        return None
    row = db.session.connection().execute(_ACTIVE_FACILITY, {"wanted": wanted}).first()  # Core: plain rows, no ORM pass
    allowed = region_ids(current_user)
    if row is None or bool(row.stands_for_region) == at_facility:
        return None
    return row if allowed is None or row.region_id in allowed else None


@dataclass(frozen=True)
class Checked:
    """A complete submission after its checks: `problem` says why it cannot be stored, else None."""

    submission_id: uuid.UUID
    version: FormVersion
    facility: Row[int, int, bool] | None
    interview_date: date | None
    cleaned: CleanedAnswers
    problem: str | None


def check(submission_id: uuid.UUID, version: FormVersion, raw_facility: object, raw_date: object, raw: Mapping[str, RawValue]) -> Checked:
    """Clean the answers and check the place and the date, reading only."""
    questionnaire = version.model
    facility = submitted_facility(raw_facility, questionnaire.at_facility)
    interview_date = parse_date(raw_date)
    cleaned = clean_answers(questionnaire, raw, date.today())
    return Checked(submission_id, version, facility, interview_date, cleaned, _refusal(facility, interview_date, cleaned, questionnaire.at_facility))


def _refusal(facility: object, interview_date: date | None, cleaned: CleanedAnswers, at_facility: bool) -> str | None:
    """Why a final submission cannot be stored, or None when it can."""
    if facility is None:
        return _("Please choose one of the facilities of your regions.") if at_facility else _("Please choose one of your regions.")
    if interview_date is None or not interview_date_ok(interview_date, date.today()):
        return _("The interview date is missing, in the future or before %(date)s.", date=fmt_day(EARLIEST_INTERVIEW))
    if not cleaned.ok:
        return _("Some answers need correcting.")
    return None


def store(checked: Checked, source: str) -> Outcome:
    """Store a checked submission (no `problem`) once; returns after the COMMIT."""
    assert checked.problem is None and checked.facility is not None and checked.interview_date is not None
    item = prepare(checked.submission_id, checked.version, checked.facility, checked.interview_date, checked.cleaned.answers, current_user, source=source)
    # A resend (a phone that lost the acknowledgement) is answered from one read: the
    # committer's transaction would write nothing, but on PostgreSQL its commit still waits
    # for a WAL flush. An id stored after this read still meets the committer's own check.
    repeat = stored_repeat(item)
    if repeat is not None:
        db.session.commit()
        return repeat
    # End the read transaction, so its pooled connection is free while this request waits:
    # with as many threads as pooled connections, the committer would otherwise find none.
    db.session.commit()
    return committer_for(current_app, db.engine).store(item)
