"""Sign-in sessions on the server: started at sign-in; ended by signing out, from the list of
one's sessions, by a new password or by deactivation. The cookie only names a session, so a
copied cookie is worth nothing once its session has ended."""

from __future__ import annotations

import hashlib
import secrets
import typing
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, or_, select, update

from cml.config import session_idle_limit
from cml.extensions import db
from cml.models import User, UserSession

KEPT_AFTER_END = timedelta(days=30)
"""Ended and long-idle sessions are deleted at the account's next sign-in after this long."""


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def digest(token: str) -> str:
    """The stored id of the session whose cookie carries `token`."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, agent: str, address: str | None) -> str:
    """A new session of `user`; returns the token for the cookie (stored only as its digest)."""
    moment = now()
    cutoff = moment - max(KEPT_AFTER_END, session_idle_limit())
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 or_(UserSession.ended_at < cutoff, UserSession.last_seen_at < cutoff)))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=digest(token), user_id=user.id, created_at=moment, last_seen_at=moment,
                               agent=agent[:80], address=address))
    return token


def end(user: User, session_id: str, reason: str) -> bool:
    """End one of `user`'s sessions; False when it is not theirs or already over."""
    ended = db.session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id,
                                                         UserSession.ended_at.is_(None)).values(ended_at=now(), end_reason=reason))
    return bool(typing.cast(CursorResult[Any], ended).rowcount)  # an UPDATE's result is a CursorResult


def end_all(user: User, reason: str, keep: str | None = None) -> int:
    """End every session of `user` but `keep`; the number ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return int(typing.cast(CursorResult[Any], db.session.execute(query.values(ended_at=now(), end_reason=reason))).rowcount)


def active(user: User) -> list[UserSession]:
    """`user`'s sessions that still sign in, most recently used first."""
    since = now() - session_idle_limit()
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                                        UserSession.last_seen_at >= since)
                              .order_by(UserSession.last_seen_at.desc(), UserSession.created_at.desc()))
    return list(rows)
