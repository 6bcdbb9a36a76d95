"""The signed-in user of a request: one Core query for its session, account and regions.

The session cookie holds a random token naming a row of `user_sessions` (by its SHA-256).
Flask-Login asks for the user on every request, and almost every page scopes by the
user's regions (services.scope), so one prebuilt select reads the session by its primary
key together with the account and its regions. The ORM's `session.get` with a joined load
spent ~0.7 ms of CPU a request on statement building and row processing; this Core select
of plain columns, put into the session as already-loaded `User` and `Region` objects, costs
a fraction of that. The objects are the real models, in the session's identity map:
changing one (a language, a password) is flushed like any other change, and a column not
loaded here loads on first use.

Nothing is cached between requests: a changed role, region or password, a deactivation,
or a session ended elsewhere takes effect on the next request. A session signs in only
while its row is not ended, its account is active and it was used within
`SESSION_IDLE_DAYS`; the cookie alone is never enough.

When the session was last noted more than a minute ago, the request notes it again after
its own work (`note_last_use`), in a transaction of its own: at most one small write per
session and minute, never on the request's own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import g
from flask import session as cookie
from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from cml.config import session_idle_limit
from cml.db import WRITE_LOCK_OPTION
from cml.extensions import db
from cml.models import Region, User, UserSession
from cml.models.accounts import region_memberships
from cml.services import sessions

NOTE_EVERY = timedelta(minutes=1)
log = logging.getLogger(__name__)

_USER_COLUMNS = ("id", "username", "password_hash", "role", "active", "locale", "created_at", "last_login_at", "must_change_password")
_REGION_COLUMNS = ("id", "code", "name", "created_at")

_sessions, _users, _regions = UserSession.__table__, User.__table__, Region.__table__
_SESSION_USER = (  # built once: building a statement costs more than running it
    select(_sessions.c.last_seen_at, *(_users.c[name] for name in _USER_COLUMNS),
           *(_regions.c[name].label(f"region_{name}") for name in _REGION_COLUMNS))
    .select_from(_sessions.join(_users, _users.c.id == _sessions.c.user_id)
                 .outerjoin(region_memberships, region_memberships.c.user_id == _users.c.id)
                 .outerjoin(_regions, _regions.c.id == region_memberships.c.region_id))
    .where(_sessions.c.id == bindparam("wanted"), _sessions.c.ended_at.is_(None))
    .order_by(_regions.c.code)  # the order of User.regions
)
_NOTE = update(_sessions).where(_sessions.c.id == bindparam("wanted"), _sessions.c.ended_at.is_(None)).values(last_seen_at=bindparam("seen"))


def signed_in_user(token: str) -> User | None:
    """The active account of the session this cookie token names (with its regions), or None
    when the session is unknown, ended or idle too long, or its account is inactive."""
    if not token or len(token) > 128:
        return None
    session_id = sessions.digest(token)
    session = db.session()
    rows = session.connection().execute(_SESSION_USER, {"wanted": session_id}).all()
    if not rows:
        return None
    moment = sessions.now()
    last_seen: datetime = sessions.aware(rows[0][0])
    if moment - last_seen > session_idle_limit():
        return None
    known = session.identity_map.get(User.__mapper__.identity_key_from_primary_key((rows[0][1],)))
    user = known if known is not None else _loaded_user(session, rows)  # a test's app context may hold it already
    if not user.active:
        return None
    user.session_token, user.session_id, user.session_seen_at = token, session_id, last_seen
    if moment - last_seen >= NOTE_EVERY:
        g.cml_session_seen = (session_id, moment)
        user.session_seen_at = moment
        # The cookie's own expiry (PERMANENT_SESSION_LIFETIME) moves with the session's last use:
        # sent again now, it lasts SESSION_IDLE_DAYS from here, as the session does.
        cookie.permanent = True
        cookie.modified = True
    return user


def note_last_use(_error: BaseException | None = None) -> None:
    """After the request: note when its session was used, if due (a teardown function)."""
    due = g.pop("cml_session_seen", None)
    if due is None:
        return
    # The request's transaction ends first: on SQLite only one connection may write at a time.
    db.session.remove()
    try:
        with db.engine.connect().execution_options(**{WRITE_LOCK_OPTION: True}) as connection, connection.begin():
            connection.execute(_NOTE, {"wanted": due[0], "seen": due[1]})
    except SQLAlchemyError:
        log.warning("could not note a session's last use", exc_info=True)


def _loaded_user(session: Any, rows: Sequence[Row[*tuple[Any, ...]]]) -> User:
    # A fresh worker may not have run an ORM query yet: the models' attributes exist only once
    # the mappers are configured (a no-op after the first time).
    configure_mappers()
    first, offset = rows[0], 1 + len(_USER_COLUMNS)
    user: User = _persistent(session, User, {name: first[1 + index] for index, name in enumerate(_USER_COLUMNS)})
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
