"""The signed-in user of a request: one Core query for the account and its regions.

Flask-Login asks for the user on every request, and almost every page scopes by the
user's regions (services.scope), so the account comes with its regions. The ORM's
`session.get` with a joined load spent ~0.7 ms of CPU a request on statement building and
row processing; this prebuilt Core select of plain columns, put into the session as
already-loaded `User` and `Region` objects, costs a fraction of that. The objects are the
real models, in the session's identity map: changing one (a language, a password) is
flushed like any other change, and a column not loaded here loads on first use.

Nothing is cached between requests: every request reads the account afresh, so a changed
role, region or password, or a deactivation, takes effect on the next request. A
deactivated account is not signed in at all (Flask-Login then treats the request as
anonymous, and sign-in-only pages send it to the sign-in page).

The session holds `session_key(user)`: the account's id and a keyed digest of its current
password hash. Changing the password therefore ends every other session of the account
(a phone that was lost or taken is signed out by changing the password elsewhere), while
the session that changed it signs in again with the new key. The digest is an HMAC under
the app's secret key, so the readable session cookie tells nothing about the hash.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from cml.extensions import db
from cml.models import Region, User
from cml.models.accounts import region_memberships

_USER_COLUMNS = ("id", "username", "password_hash", "role", "active", "locale", "created_at", "last_login_at")
_REGION_COLUMNS = ("id", "code", "name", "created_at")

_users, _regions = User.__table__, Region.__table__
_USER_WITH_REGIONS = (  # built once: building a statement costs more than running it
    select(*(_users.c[name] for name in _USER_COLUMNS), *(_regions.c[name].label(f"region_{name}") for name in _REGION_COLUMNS))
    .select_from(_users.outerjoin(region_memberships, region_memberships.c.user_id == _users.c.id)
                 .outerjoin(_regions, _regions.c.id == region_memberships.c.region_id))
    .where(_users.c.id == bindparam("wanted"))
    .order_by(_regions.c.code)  # the order of User.regions
)


def session_key(user: User) -> str:
    """What the session remembers of a signed-in account: "<id>.<digest of its password hash>"."""
    return f"{user.id}.{_password_mark(user.password_hash)}"


def _password_mark(password_hash: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"session:" + password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def signed_in_user(key: str) -> User | None:
    """The active account of this session key (with its regions), or None when the account
    is gone or inactive, or its password changed since the key was made."""
    user_id, _, mark = key.partition(".")
    if not user_id.isdigit() or not mark:
        return None
    wanted = int(user_id)
    session = db.session()
    if User.__mapper__.identity_key_from_primary_key((wanted,)) in session.identity_map:
        user = session.get(User, wanted)  # already loaded by this session (a test's app context): that object
    else:
        rows = session.connection().execute(_USER_WITH_REGIONS, {"wanted": wanted}).all()
        user = _loaded_user(session, rows) if rows else None
    if user is None or not user.active or not hmac.compare_digest(mark, _password_mark(user.password_hash)):
        return None
    return user


def _loaded_user(session: Any, rows: list[Any]) -> User:
    # A fresh worker may not have run an ORM query yet: the models' attributes exist only once
    # the mappers are configured (a no-op after the first time).
    configure_mappers()
    first = rows[0]
    user = _persistent(session, User, {name: first[index] for index, name in enumerate(_USER_COLUMNS)})
    offset = len(_USER_COLUMNS)
    regions = []
    for row in rows:
        if row[offset] is None:  # no regions: the outer join's one empty row
            continue
        key = Region.__mapper__.identity_key_from_primary_key((row[offset],))
        known = session.identity_map.get(key)
        regions.append(known if known is not None else
                       _persistent(session, Region, {name: row[offset + index] for index, name in enumerate(_REGION_COLUMNS)}))
    set_committed_value(user, "regions", regions)
    return user


def _persistent(session: Any, model: Any, values: dict[str, Any]) -> Any:
    """An object of `model` with these column values as loaded from the database (no change to flush)."""
    instance = model.__mapper__.class_manager.new_instance()
    for name, value in values.items():
        set_committed_value(instance, name, value)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
