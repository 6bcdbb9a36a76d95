"""Accounts: creating users, checking passwords, changing roles and regions."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import ROLES, Region, User
from cml.services import audit, sessions
from cml.services.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}\Z")


class AccountError(ValueError):
    pass


def random_password() -> str:
    return secrets.token_urlsafe(12)


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def check_new_user(username: str, role: str) -> None:
    if not USERNAME.match(username):
        raise AccountError(_("username '%(name)s': use 3-64 lower-case letters, digits, '.', '_' or '-'", name=username))
    if role not in ROLES:
        raise AccountError(_("role '%(role)s': use one of %(roles)s", role=role, roles=", ".join(ROLES)))
    if find_user(username) is not None:
        raise AccountError(_("username '%(name)s' is taken", name=username))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("a password needs at least %(min)d characters", min=MIN_PASSWORD_LENGTH))


def create_user(username: str, password: str, role: str, regions: list[Region], actor: User | None = None,
                temporary: bool = False) -> User:
    """A new account; a `temporary` password must be changed at the first sign-in."""
    username = username.strip().lower()
    check_new_user(username, role)
    check_password(password)
    user = User(username=username, password_hash=hash_password(password), role=role, active=True, regions=list(regions),
                must_change_password=temporary)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor, target=username, role=role, regions=[r.code for r in regions], temporary_password=temporary)
    return user


def update_user(user: User, role: str, regions: list[Region], active: bool, actor: User) -> None:
    if role not in ROLES:
        raise AccountError(_("role '%(role)s': use one of %(roles)s", role=role, roles=", ".join(ROLES)))
    before = {"role": user.role, "regions": [r.code for r in user.regions], "active": user.active}
    user.role, user.regions, user.active = role, list(regions), active
    after = {"role": role, "regions": [r.code for r in regions], "active": active}
    if before["active"] and not active:
        # A deactivated account is signed out everywhere, and stays so if it is reactivated.
        after["sessions_ended"] = sessions.end_all(user, "deactivated")
    if before != after:
        audit.record("user.update", actor, target=user.username, before=before, after=after)


def set_password(user: User, password: str, actor: User | None, keep_session: str | None = None, temporary: bool = False) -> None:
    """A new password ends every session of the account but `keep_session` (the one that changed it).

    A `temporary` one (an administrator chose it, so two people know it) works until the
    account's owner signs in and replaces it."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    ended = sessions.end_all(user, "password", keep=keep_session)
    audit.record("user.password", actor, target=user.username, sessions_ended=ended, temporary=temporary)


def authenticate(username: str, password: str, address: str | None = None) -> User | None:
    """The active user with these credentials, recording the attempt either way.

    A failed attempt names the account only when it exists: what was typed for an unknown
    one may be a real name or a password typed in the wrong box."""
    user = find_user(username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        audit.record("login.failed", None, username=user.username if user else None, known=user is not None, address=address)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    audit.record("login", user, address=address)
    return user
