"""Sign-in throttling that slows a guesser without locking the real person out.

Three limits count failed attempts only (a sign-in that succeeds redirects and costs
nothing), so twenty monitors signing in from one training-room address pass, and each typo
costs one:

- per address (`LOGIN_RATE_LIMIT`): one machine guessing many accounts;
- per username from one address (`LOGIN_USERNAME_RATE_LIMIT`): one machine guessing one
  account. The person who owns the account, on another network, is not affected;
- per username from everywhere (`LOGIN_USERNAME_CEILING`): many machines guessing one
  account. High, so it is reached only by a real attack.

Keys are keyed digests: neither a typed username (perhaps a password typed in the wrong
box) nor an address reaches the limit storage or Flask-Limiter's log line.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from cml.extensions import limiter
from cml.settings import settings

F = TypeVar("F", bound=Callable[..., Any])


def mark(kind: str, text: str) -> str:
    """A limit key of this kind for `text`: a keyed digest, so neither a name nor an address is stored."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return kind + ":" + hmac.new(secret, f"limit:{kind}:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def _username() -> str:
    return request.form.get("username", "").strip().lower()[:64]


def address_key() -> str:
    return mark("address", get_remote_address() or "")


def username_address_key() -> str:
    return mark("user-address", _username() + "\n" + (get_remote_address() or ""))


def username_key() -> str:
    return mark("user", _username())


def _failed(response: Response) -> bool:
    # A successful sign-in redirects; a refused one (429) was never checked, so costs nothing more.
    return response.status_code not in (302, 303, 429)


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(getattr(settings(), name.lower()))


def throttled(view: F) -> F:
    """Apply the three sign-in limits to a POST view."""
    limited: Callable[..., Any] = view
    for setting, key in (("LOGIN_USERNAME_CEILING", username_key), ("LOGIN_USERNAME_RATE_LIMIT", username_address_key),
                         ("LOGIN_RATE_LIMIT", address_key)):
        limited = limiter.limit(_setting(setting), methods=["POST"], key_func=key, deduct_when=_failed)(limited)
    return cast(F, limited)  # Flask-Limiter's wrapper keeps the view's signature (functools.wraps)
