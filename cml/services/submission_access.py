"""Who may correct, withdraw or restore which submission: the one place these rules are decided.

A lead (in their regions) or an admin corrects and withdraws; the monitor who sent a submission
corrects it within CORRECTION_WINDOW_DAYS of its receipt; only an admin restores from the trash.
Everything else is "not found": a submission of another region is never confirmed to exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cml.auth.capabilities import has_capability
from cml.core.bounds import parse_id
from cml.extensions import db
from cml.models import Response, User
from cml.services.scope import region_ids, restrict_to_user_regions
from cml.settings import settings


def correction_window() -> timedelta:
    """How long after receipt the monitor who sent a submission may still correct it."""
    return timedelta(days=settings().correction_window_days)


def trash_days() -> timedelta:
    """How long a withdrawn or deleted submission stays restorable before it is purged."""
    return timedelta(days=settings().trash_days)


def _in_scope(user: User, response_id: object, lock: bool = False) -> Response | None:
    wanted = parse_id(response_id)
    if wanted is None:
        return None
    query = restrict_to_user_regions(select(Response).where(Response.id == wanted), user, Response.region_id)
    if lock:  # PostgreSQL: two corrections of one response take turns (SQLite's BEGIN IMMEDIATE already does)
        query = query.with_for_update()
    found: Response | None = db.session.scalar(query)
    return found


def own_within_window(user: User, response: Response, now: datetime | None = None) -> bool:
    """Whether `user` sent this submission and its correction window is still open."""
    if response.submitted_by_id != user.id:
        return False
    received = response.received_at if response.received_at.tzinfo else response.received_at.replace(tzinfo=UTC)
    return (now or datetime.now(UTC)) - received <= correction_window()


def may_correct(user: User, response: Response) -> bool:
    """Whether `user` may correct this submission now: one of their regions, not in the trash, and
    theirs to correct (a reviewer's, or its sender's within the window). The lists' "Correct it" links
    ask this; the page itself asks `correctable`, which reads the response within the regions first."""
    in_regions = (ids := region_ids(user)) is None or response.region_id in ids
    return in_regions and response.deleted_at is None and (has_capability(user, "correct_submissions") or own_within_window(user, response))


def correctable(user: User, response_id: object, lock: bool = False) -> Response | None:
    """The submission `user` may correct now (in their regions, not in the trash), else None."""
    response = _in_scope(user, response_id, lock)
    return response if response is not None and may_correct(user, response) else None


def withdrawable(user: User, response_id: object) -> Response | None:
    """The submission `user` may withdraw or delete (a lead's regions, any for an admin), else None."""
    if not has_capability(user, "withdraw_submissions"):
        return None
    response = _in_scope(user, response_id, lock=True)
    return response if response is not None and response.deleted_at is None else None


def restorable(user: User, response_id: object) -> Response | None:
    """A submission in the trash that `user` may restore, else None."""
    if not has_capability(user, "restore_from_trash"):
        return None
    response = _in_scope(user, response_id, lock=True)
    return response if response is not None and response.deleted_at is not None else None
