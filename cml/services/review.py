"""Reviewing submissions: a state per response, a comment for its sender, and what counts.

A response is received when stored; a reviewer approves it, flags issues (with a comment
its sender reads) or rejects it. Whether it counts in the figures is its questionnaire's
`counted_states` (cml.services.counting): every change of state recounts the response's
facts and sums in the caller's transaction. The audit log records who, when, which
submission and which state, never the comment (it may quote an answer).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, select

from cml.core.questionnaire import REVIEW_STATES
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Response, User
from cml.models import Questionnaire as QuestionnaireRow
from cml.services import audit, counting
from cml.services.scope import restrict_to_user_regions

COMMENT_MAX = 2000
PAGE_SIZE = 50
NEEDS_COMMENT = frozenset({"has_issues"})
KEEPS_COMMENT = frozenset({"has_issues", "rejected"})
"""The states whose comment is kept; received and approved clear it (nothing is left to fix)."""


class ReviewRefused(ValueError):
    """A change of state that cannot be made; `reason` names why (for the form's message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Filters:
    """What the list of submissions is narrowed to; None is "any"."""

    questionnaire_id: int | None = None
    region_id: int | None = None
    facility_id: int | None = None
    state: str | None = None
    month: int | None = None
    """YYYYMM of the interview."""


def reviewable(user: User) -> Select:  # type: ignore[type-arg]
    """The responses this user may review: those of their regions (all for admins), not in the trash."""
    query = select(Response).where(Response.deleted_at.is_(None))
    return restrict_to_user_regions(query, user, Response.region_id)


def find(user: User, submission_id: uuid.UUID, for_update: bool = False) -> Response | None:
    """One response the user may review, by its submission id; None when it is not theirs to see."""
    query = reviewable(user).where(Response.submission_id == submission_id)
    if for_update:  # two reviewers at once: the second waits, then recounts from the first's state
        query = query.with_for_update()
    found: Response | None = db.session.scalar(query)
    return found


def listed(user: User, filters: Filters, page: int = 1) -> tuple[list[Response], int]:
    """One page of the responses the user may review, newest first, and how many match in all."""
    query = _filtered(reviewable(user), filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Response.received_at.desc(), Response.id.desc()).offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(rows), int(total)


def _filtered(query: Select, filters: Filters) -> Select:  # type: ignore[type-arg]
    if filters.questionnaire_id is not None:
        versions = select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == filters.questionnaire_id)
        query = query.where(Response.questionnaire_version_id.in_(versions))
    if filters.region_id is not None:
        query = query.where(Response.region_id == filters.region_id)
    if filters.facility_id is not None:
        query = query.where(Response.facility_id == filters.facility_id)
    if filters.state is not None:
        query = query.where(Response.review_state == filters.state)
    if filters.month is not None:
        query = query.where(Response.month == filters.month)
    return query


def set_state(response: Response, state: str, comment: str | None, actor: User) -> None:
    """Give a response a review state (and comment), recount its facts and sums, audit the change;
    added and flushed in the caller's transaction. ReviewRefused when the state or comment will not do."""
    if state not in REVIEW_STATES:
        raise ReviewRefused("state")
    text = (comment or "").strip()
    if state in NEEDS_COMMENT and not text:
        raise ReviewRefused("comment_required")
    if len(text) > COMMENT_MAX:
        raise ReviewRefused("comment_too_long")
    before = response.review_state
    response.review_state = state
    response.review_comment = text if state in KEEPS_COMMENT and text else None
    response.reviewed_by_id = actor.id
    response.reviewed_at = datetime.now(UTC)
    db.session.flush()
    counting.recount([response.id])
    audit.record("submission.review", actor, target=str(response.submission_id), before=before, state=state)


def state_counts(user: User, questionnaire_id: int, first_month: int, last_month: int, region_ids: set[int] | None) -> dict[str, int]:
    """How many responses to a questionnaire are in each review state, interviews of these months,
    in these regions (None: all the user may see); trashed ones are not counted."""
    versions = select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
    query = (select(Response.review_state, func.count()).where(Response.deleted_at.is_(None), Response.questionnaire_version_id.in_(versions),
                                                              Response.month.between(first_month, last_month))
             .group_by(Response.review_state))
    query = restrict_to_user_regions(query, user, Response.region_id)
    if region_ids is not None:
        query = query.where(Response.region_id.in_(sorted(region_ids)))
    found = {state: int(count) for state, count in db.session.execute(query)}
    return {state: found.get(state, 0) for state in REVIEW_STATES}


def facilities_in(user: User) -> list[Facility]:
    """The facilities (stand-ins of regions included) a reviewer may filter by: those of their regions."""
    query = select(Facility).order_by(Facility.region_id, Facility.name)
    return list(db.session.scalars(restrict_to_user_regions(query, user, Facility.region_id)))


def questionnaires() -> list[QuestionnaireRow]:
    return list(db.session.scalars(select(QuestionnaireRow).order_by(QuestionnaireRow.code)))
