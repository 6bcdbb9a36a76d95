"""Capability checks for views (the table is cml.auth.capabilities). Region scope lives in cml.services.scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from cml.auth.capabilities import has_capability, roles_with
from cml.web.errors import signed_out

F = TypeVar("F", bound=Callable[..., Any])


def password_change_due() -> Response | None:
    """The way to the change form while the signed-in account's password is temporary (an
    administrator chose it), else None."""
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"), 303)
    return None


def capability_required(name: str) -> Callable[[F], F]:
    """Only signed-in users whose role has the capability `name` may call the view; others get 403."""
    roles_with(name)  # a misspelt capability fails when the view is defined, not when it is opened

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_capability(current_user, name):
                abort(403)
            return password_change_due() or view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can(name: str) -> bool:
    """For templates: whether the signed-in user may do `name` (False for a stranger)."""
    return bool(current_user.is_authenticated) and has_capability(current_user, name)


def json_capability_required(name: str) -> Callable[[F], F]:
    """As `capability_required`, answered in JSON: 401 when signed out, 403 without the capability or with a
    temporary password; never a redirect to a page a JSON client cannot read."""

    roles_with(name)  # a misspelt capability fails when the view is defined

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return signed_out()
            if not has_capability(current_user, name):
                abort(403)
            if current_user.must_change_password:
                return jsonify(status="password_change", error=403,
                               message=_("Your password was set by an administrator. Sign in on the website and choose your own first.")), 403
            return view(*args, **kwargs)

        wrapped.answers_json = True  # type: ignore[attr-defined]  # the password check above, not a redirect (cml.auth.views)
        return wrapped  # type: ignore[return-value]

    return decorator
