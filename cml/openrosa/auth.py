"""Who is calling the OpenRosa endpoints: HTTP Basic, with the account's password or a device token.

ODK Collect and KoboCollect keep a server URL, a username and a password, and answer a 401
challenge with HTTP Basic. The password is the account's own (argon2, as on the sign-in page)
or a device token (cml.services.device_tokens: a SHA-256 lookup, and revocable alone).
Credentials cross the network in every request, so plain HTTP is refused unless the app is in
debug or testing mode: behind a TLS proxy, CML_TRUSTED_PROXIES makes X-Forwarded-Proto believed,
as for the secure session cookie.

Wrong credentials count against the sign-in limits of cml.auth.throttle (same settings and keys,
one scope for every OpenRosa endpoint); a request without credentials, the apps' first try, is
only challenged and costs nothing. No session is started and no cookie is set: the account is
this request's user only.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cml.auth.capabilities import has_capability
from cml.auth.devices import coarse_address
from cml.auth.throttle import address_key, mark
from cml.db import WRITE_LOCK_OPTION
from cml.extensions import db, limiter
from cml.models import User
from cml.services import audit, device_tokens, users
from cml.services.passwords import verify_password
from cml.settings import settings

F = TypeVar("F", bound=Callable[..., Any])
REALM = 'Basic realm="CML", charset="UTF-8"'


class Refusal(Exception):
    """Ends an OpenRosa request with this status and message (in the OpenRosa XML envelope)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _basic_username() -> str:
    auth = request.authorization
    return (auth.username or "").strip().lower()[:64] if auth is not None and auth.type == "basic" else ""


def _username_address_key() -> str:
    from flask_limiter.util import get_remote_address

    return mark("user-address", _basic_username() + "\n" + (get_remote_address() or ""))


def _username_key() -> str:
    return mark("user", _basic_username())


def _wrong_credentials(_response: Response) -> bool:
    return bool(g.get("openrosa_wrong_credentials"))


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(getattr(settings(), name.lower()))


def throttled(view: F) -> F:
    """The three sign-in limits, shared by every OpenRosa endpoint, counting wrong credentials only."""
    limited: Callable[..., Any] = view
    for setting, key in (("LOGIN_USERNAME_CEILING", _username_key), ("LOGIN_USERNAME_RATE_LIMIT", _username_address_key),
                         ("LOGIN_RATE_LIMIT", address_key)):
        limited = limiter.shared_limit(_setting(setting), scope=f"openrosa-{setting.lower()}", key_func=key,
                                       deduct_when=_wrong_credentials)(limited)
    return cast(F, limited)  # Flask-Limiter's wrapper keeps the view's signature (functools.wraps)


def transport_allowed() -> bool:
    """HTTPS, or a development or test server."""
    return request.is_secure or current_app.debug or current_app.testing


def authenticated() -> User:
    """This request's account, checked and made the request's current user; Refusal otherwise."""
    if not transport_allowed():
        raise Refusal(403, _("This server accepts ODK Collect only over HTTPS. Use an https:// server address."))
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        raise Refusal(401, _("Enter your CML username and password (or a device token) in the app's server settings."))
    user = users.find_user(auth.username[:64])
    if not _accepted(user, auth.password or ""):
        g.openrosa_wrong_credentials = True
        _record_failure(user)
        raise Refusal(401, _("Wrong username or password."))
    assert user is not None
    if not has_capability(user, "collect"):
        raise Refusal(403, _("This account may not record interviews."))
    if user.must_change_password:
        raise Refusal(403, _("Your password was set by an administrator. Sign in on the website and choose your own first."))
    g._login_user = user  # Flask-Login's current user for this request only: no session, no cookie
    return user


def _accepted(user: User | None, password: str) -> bool:
    """Whether `password` is the active account's password or one of its live device tokens."""
    if device_tokens.looks_like_token(password):
        ok = user is not None and device_tokens.valid_for(user, password)
    else:
        ok = _password_ok(user, password)
    return ok and user is not None and user.active


REMEMBER_SECONDS = 300.0
"""How long a process remembers a password it verified. ODK Collect sends the password with every
request, and argon2 costs a quarter of a second of CPU each time: a phone sending thirty
interviews would spend most of its wait on it."""
_verified: dict[str, float] = {}


def _password_ok(user: User | None, password: str) -> bool:
    """argon2, or a recent success with the same stored hash: a changed password (a new hash) is
    verified afresh. Remembered as a keyed digest, never the password."""
    if user is None:
        verify_password(None, password)  # the same time for an unknown name
        return False
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hmac.new(secret, f"openrosa\0{user.id}\0{user.password_hash}\0{password}".encode(), hashlib.sha256).hexdigest()
    now = time.monotonic()
    if _verified.get(key, 0.0) > now:
        return True
    if not verify_password(user.password_hash, password):
        return False
    if len(_verified) > 10_000:
        _verified.clear()
    _verified[key] = now + REMEMBER_SECONDS
    return True


def _record_failure(known: User | None) -> None:
    """A failed sign-in in the audit log, as on the sign-in page, in a transaction of its own (this
    request's only reads). The typed name is kept only when it is an account's."""
    username = known.username if known is not None else None
    db.session.commit()
    db.session.connection(execution_options={WRITE_LOCK_OPTION: True})
    audit.record("login.failed", None, username=username, known=username is not None,
                 address=coarse_address(request.remote_addr), channel="openrosa")
    db.session.commit()


def required(view: F) -> F:
    """Run the view as the authenticated account (a Refusal otherwise), with the sign-in limits."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        authenticated()
        return view(*args, **kwargs)

    return throttled(cast(F, wrapped))  # functools.wraps: the view's own signature
