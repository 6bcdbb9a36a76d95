"""Withdrawal and deletion: the trash, restoring from it, and purging it.

A withdrawn (consent withdrawn) or deleted submission leaves the figures at once (its facts
and their sums go in the same transaction, `counting`), and stays in the trash, restorable by
an admin, for TRASH_DAYS. `purge` then removes it with its history for good, keeping only its
submission id (`purged_submissions`) so that a phone's late resend is acknowledged and never
stored again. The audit log says who, when and which submission; never an answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from cml.extensions import db
from cml.models import DELETED_REASONS, Draft, IndicatorFact, PurgedSubmission, Response, ResponseRevision, User
from cml.services import audit, counting


class TrashExpired(Exception):
    """The submission has been in the trash longer than TRASH_DAYS: it waits to be purged."""


def withdraw(response: Response, user: User, reason: str) -> None:
    """Put a submission in the trash: consent "withdrawn" or "deleted"."""
    if reason not in DELETED_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    response.deleted_at, response.deleted_by_id, response.deleted_reason = datetime.now(UTC), user.id, reason
    db.session.flush()
    counting.recount([response.id])
    audit.record("submission.withdraw" if reason == "withdrawn" else "submission.delete", user,
                 target=f"submission {response.submission_id}", response=response.id)


def restore(response: Response, user: User, keep: timedelta, now: datetime | None = None) -> None:
    """Take a submission out of the trash; it counts again at once."""
    if expired(response, keep, now):
        raise TrashExpired(response.id)
    reason = response.deleted_reason
    response.deleted_at, response.deleted_by_id, response.deleted_reason = None, None, None
    db.session.flush()
    counting.recount([response.id])
    audit.record("submission.restore", user, target=f"submission {response.submission_id}", response=response.id, reason=reason)


def expired(response: Response, keep: timedelta, now: datetime | None = None) -> bool:
    if response.deleted_at is None:
        return False
    deleted = response.deleted_at if response.deleted_at.tzinfo else response.deleted_at.replace(tzinfo=UTC)
    return deleted < (now or datetime.now(UTC)) - keep


def in_trash(region_ids: set[int] | None = None) -> list[Response]:
    """The trash, most recently withdrawn first (of these regions; default all)."""
    query = select(Response).where(Response.deleted_at.is_not(None)).order_by(Response.deleted_at.desc(), Response.id.desc())
    if region_ids is not None:
        query = query.where(Response.region_id.in_(sorted(region_ids)))
    return list(db.session.scalars(query))


def purge(keep: timedelta, now: datetime | None = None, user: User | None = None) -> int:
    """Remove for good what has been in the trash longer than `keep`, with its history; how many."""
    cutoff = (now or datetime.now(UTC)) - keep
    rows = db.session.execute(select(Response.id, Response.submission_id).where(Response.deleted_at < cutoff).order_by(Response.id)).all()
    if not rows:
        return 0
    ids, submissions = [row.id for row in rows], [row.submission_id for row in rows]
    counting.recount(ids)  # nothing of them counts; this makes sure no fact outlives them
    db.session.execute(insert(PurgedSubmission), [{"submission_id": sid} for sid in submissions])
    db.session.execute(delete(ResponseRevision).where(ResponseRevision.response_id.in_(ids)))
    db.session.execute(delete(IndicatorFact).where(IndicatorFact.response_id.in_(ids)))
    db.session.execute(delete(Draft).where(Draft.submission_id.in_(submissions)))
    db.session.execute(delete(Response).where(Response.id.in_(ids)))
    audit.record("trash.purge", user, count=len(ids), responses=ids)
    return len(ids)
