"""Personal access tokens for the JSON API: made for one account, shown once, kept as a SHA-256, expiring.

A token is "cml_pat_" and 32 random bytes (URL-safe base64): the prefix tells it from a device
token or a password, and a leaked one is recognisable in a paste. Only its SHA-256 is stored:
256 bits of randomness need no slow hash, and a copy of the table lets nobody in. Every token
expires (at most `MAX_DAYS` after it was made); it can be revoked earlier. It acts as its
account: the same role and regions, read afresh on every request, so a changed role or a
deactivated account takes effect at once. Every creation and revocation is in the audit log.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from cml.db import WRITE_LOCK_OPTION
from cml.extensions import db
from cml.models import ApiToken, User
from cml.services import audit, sessions

PREFIX = "cml_pat_"
NAME_MAX = 80
DEFAULT_DAYS = 90
MAX_DAYS = 365
NOTE_EVERY = timedelta(minutes=1)
"""How often a token's last use is written: often enough to tell a used token from a forgotten one."""
log = logging.getLogger(__name__)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(owner: User, name: str, days: int, actor: User | None) -> str:
    """A new token for `owner`, valid `days` days (1 to MAX_DAYS); returned once, never stored. `actor` None: the command line."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token lasts 1 to {MAX_DAYS} days")
    token = PREFIX + secrets.token_urlsafe(32)
    moment = sessions.now()
    row = ApiToken(user_id=owner.id, name=name.strip()[:NAME_MAX], token_hash=digest(token), created_at=moment,
                   expires_at=moment + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.create", actor, target=owner.username, token_id=row.id, name=row.name, days=days)
    return token


def tokens_of(owner: User) -> list[ApiToken]:
    """The account's tokens not revoked (expired ones included, so their owner sees why they stopped), newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None))
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def is_expired(row: ApiToken, moment: datetime | None = None) -> bool:
    return bool(sessions.aware(row.expires_at) <= (moment or sessions.now()))


def revoke(owner: User, token_id: int, actor: User) -> bool:
    """Revoke one of `owner`'s tokens; False when it is not one of theirs or already revoked."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = sessions.now()
    audit.record("api_token.revoke", actor, target=owner.username, token_id=row.id, name=row.name)
    return True


_LIVE = select(ApiToken.id, ApiToken.user_id, ApiToken.expires_at, ApiToken.last_used_at).where(
    ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))
_NOTE = update(ApiToken).where(ApiToken.id == bindparam("wanted")).values(last_used_at=bindparam("seen"))


def holder(token: str) -> tuple[User, int, bool] | None:
    """The active account a live token acts for, the token's id, and whether its last use is due to be noted;
    None for an unknown, revoked or expired token or an inactive account."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = db.session.connection().execute(_LIVE, {"digest": digest(token)}).first()
    moment = sessions.now()
    if row is None or sessions.aware(row.expires_at) <= moment:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    due = row.last_used_at is None or moment - sessions.aware(row.last_used_at) >= NOTE_EVERY
    return user, row.id, due


def note_use(token_id: int) -> None:
    """Note a token's use, after the request and in a transaction of its own (never the request's)."""
    try:
        with db.engine.connect().execution_options(**{WRITE_LOCK_OPTION: True}) as connection, connection.begin():
            connection.execute(_NOTE, {"wanted": token_id, "seen": sessions.now()})
    except SQLAlchemyError:
        log.warning("could not note an API token's last use", exc_info=True)
