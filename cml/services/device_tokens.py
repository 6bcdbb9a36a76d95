"""Device tokens: made for one account and one phone, shown once, kept as a SHA-256, revoked alone.

A token is 32 random bytes (URL-safe base64) behind a "cml_" prefix, so the sign-in can tell
it from a password without trying argon2 first, and a leaked one is recognisable in a paste.
Only its SHA-256 is stored: 256 bits of randomness need no slow hash, and a copy of the
table lets nobody in. Every creation and revocation is in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select

from cml.extensions import db
from cml.models import DeviceToken, User
from cml.services import audit, sessions

PREFIX = "cml_"
LABEL_MAX = 80


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    return text.startswith(PREFIX) and len(text) < 100


def create(owner: User, label: str, actor: User) -> str:
    """A new token for `owner`'s phone named `label`; the token is returned once, never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = DeviceToken(user_id=owner.id, label=label.strip()[:LABEL_MAX], token_hash=digest(token), created_at=sessions.now())
    db.session.add(row)
    db.session.flush()
    audit.record("device_token.create", actor, target=owner.username, token_id=row.id, label=row.label)
    return token


def tokens_of(owner: User) -> list[DeviceToken]:
    """The account's tokens still in use, newest first."""
    return list(db.session.scalars(select(DeviceToken).where(DeviceToken.user_id == owner.id, DeviceToken.revoked_at.is_(None))
                                   .order_by(DeviceToken.created_at.desc(), DeviceToken.id.desc())))


def revoke(owner: User, token_id: int, actor: User) -> bool:
    """Revoke one of `owner`'s tokens; False when it is not one of theirs or already revoked."""
    row = db.session.scalar(select(DeviceToken).where(DeviceToken.id == token_id, DeviceToken.user_id == owner.id,
                                                      DeviceToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = sessions.now()
    audit.record("device_token.revoke", actor, target=owner.username, token_id=row.id, label=row.label)
    return True


_LIVE = select(DeviceToken.id).where(DeviceToken.token_hash == bindparam("digest"), DeviceToken.user_id == bindparam("user"),
                                     DeviceToken.revoked_at.is_(None))


def valid_for(user: User, token: str) -> bool:
    """Whether `token` is a live token of `user` (one indexed read)."""
    return db.session.connection().execute(_LIVE, {"digest": digest(token), "user": user.id}).first() is not None
