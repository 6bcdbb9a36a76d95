"""Role checks for views. Region scope lives in cml.services.scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

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
