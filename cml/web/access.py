"""Role checks for views. Region scope lives in cml.services.scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from cml.web.errors import signed_out

F = TypeVar("F", bound=Callable[..., Any])


def password_change_due() -> Response | None:
    """The way to the change form while the signed-in account's password is temporary (an
    administrator chose it), else None."""
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"), 303)
    return None


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only signed-in users with one of `roles` may call the view; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return password_change_due() or view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def json_roles_required(*roles: str) -> Callable[[F], F]:
    """As `roles_required`, answered in JSON: 401 when signed out, 403 for another role or a
    temporary password; never a redirect to a page a JSON client cannot read."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return signed_out()
            if current_user.role not in roles:
                abort(403)
            if current_user.must_change_password:
                return jsonify(status="password_change", error=403,
                               message=_("Your password was set by an administrator. Sign in on the website and choose your own first.")), 403
            return view(*args, **kwargs)

        wrapped.answers_json = True  # type: ignore[attr-defined]  # the password check above, not a redirect (cml.auth.views)
        return wrapped  # type: ignore[return-value]

    return decorator
