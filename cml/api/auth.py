"""Who is calling the API: a personal access token in `Authorization: Bearer cml_pat_...`, nothing else.

The session cookie is never a credential here, so the API needs no CSRF token (cml.api exempts
it) and a page of another site cannot make a signed-in browser call it. The token's account is
this request's user only (no session, no cookie), with its own role and regions: a token can do
what its owner can, never more. An unknown, expired or revoked token, or a token of an inactive
account, gets 401 with a Bearer challenge; each such attempt counts against the sign-in limit per
address (cml.auth.throttle's settings), so tokens cannot be guessed at speed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cml import logs
from cml.auth.capabilities import has_capability, roles_with
from cml.auth.throttle import address_key
from cml.extensions import db, limiter
from cml.services import api_tokens
from cml.settings import settings

F = TypeVar("F", bound=Callable[..., Any])


def _challenge(message: str, invalid: bool) -> tuple[Response, int]:
    response = jsonify(status="signed_out", error=401, message=message)
    # RFC 6750: a request without a token gets the bare challenge; a refused token says so.
    response.headers["WWW-Authenticate"] = 'Bearer realm="CML", error="invalid_token"' if invalid else 'Bearer realm="CML"'
    return response, 401


def _bearer_token() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _wrong_token(_response: Response) -> bool:
    return bool(g.get("api_wrong_token"))


def _throttled(view: F) -> F:
    limit = limiter.shared_limit(lambda: settings().login_rate_limit, scope="api-token", key_func=address_key,
                                 deduct_when=_wrong_token)
    return cast(F, limit(view))


def note_token_use(_error: BaseException | None = None) -> None:
    """After the request (a teardown function): note the token's use, if due, once the request's transaction has ended."""
    due = g.pop("api_token_note", None)
    if due is not None:
        db.session.remove()  # on SQLite only one connection may write at a time
        api_tokens.note_use(due)


def token_required(capability: str) -> Callable[[F], F]:
    """Run the view as the token's account when its role has `capability`: 401 without a live token, 403 without the capability."""
    roles_with(capability)  # a misspelt capability fails when the view is defined

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = _bearer_token()
            if token is None:
                return _challenge(_("Send a personal access token in the Authorization header: Bearer cml_pat_…"), invalid=False)
            found = api_tokens.holder(token)
            if found is None:
                g.api_wrong_token = True
                logs.event("api.token_refused", path=request.path)
                return _challenge(_("This token is not valid: it is unknown, expired or revoked. Make a new one on your account page."), invalid=True)
            user, token_id, due = found
            g._login_user = user  # Flask-Login's current user for this request only: no session, no cookie
            if due:
                g.api_token_note = token_id
            if not has_capability(user, capability):
                abort(403)
            if user.must_change_password:
                return jsonify(status="password_change", error=403,
                               message=_("Your password was set by an administrator. Sign in on the website and choose your own first.")), 403
            return view(*args, **kwargs)

        # The app's temporary-password hook leaves the check to this view, in JSON (cml.auth.views).
        wrapped.answers_json = True  # type: ignore[attr-defined]
        return _throttled(cast(F, wrapped))

    return decorator
