"""Signing in and out, one's password and one's sessions.

Sessions live on the server (cml.services.sessions); the cookie only names one. Flask-Login's
session protection is off: "strong" signed a phone out whenever its network address changed
(a monitor moving between mobile cells and Wi-Fi mid-interview), and "basic" only marks such
a session as not fresh, which nothing here uses. Neither stops a copied cookie, which carries
its browser's User-Agent along; ending the session on the server does, from any device.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from cml.auth.devices import coarse_address, describe_agent
from cml.auth.forms import ChangePasswordForm, LoginForm
from cml.auth.loading import signed_in_user
from cml.auth.throttle import throttled
from cml.extensions import db, login_manager
from cml.services import audit, sessions, users
from cml.services.passwords import verify_password
from cml.settings import settings
from cml.web.access import password_change_due
from cml.web.redirects import safe_next

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = None

login_manager.user_loader(signed_in_user)

_KEPT_ACROSS_SIGN_IN = ("lang",)  # the language picked on the sign-in page


def _address() -> str | None:
    return coarse_address(request.remote_addr)


def _fresh_cookie() -> None:
    """Nothing of the cookie before sign-in (or after sign-out) carries over, the CSRF secret least of all."""
    kept = {key: session[key] for key in _KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


@throttled
def login() -> Response | tuple[str, int]:
    """Sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.username.data or "", form.password.data or "", _address())
        token = sessions.start(user, describe_agent(request.user_agent.string), _address()) if user is not None else None
        db.session.commit()
        if user is not None:
            _fresh_cookie()
            # Not a browser-session cookie: a phone that closes the browser, or reboots, in an
            # offline week stays signed in for SESSION_IDLE_DAYS of disuse, as the server allows.
            session.permanent = True
            user.session_token = token
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form), _refused_or_shown()


@login_required
def logout() -> Response:
    """Sign out: this session ends on the server, not only in this browser."""
    sessions.end(current_user, current_user.session_id, "logout")
    audit.record("logout", current_user, address=_address())
    db.session.commit()
    logout_user()
    _fresh_cookie()
    return redirect(url_for("auth.login"))


# What a signed-in account with a temporary password may still reach besides the change form.
_BEFORE_NEW_PASSWORD = frozenset({"auth.change_password", "auth.logout", "i18n.set_language", "static", "vendor.plotly_js", "health.healthz"})


def require_new_password() -> Response | None:
    """A password an administrator chose is known to two people: until its owner replaces it,
    every page leads to the change form. A view marked reads_before_writing is left to its
    role check (cml.web.access), which runs after the mark: reading the user here would start
    its transaction as a read where it must take the write lock. A JSON view (cml.web.access.json_capability_required)
    says so itself, in JSON."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint in _BEFORE_NEW_PASSWORD or getattr(view, "reads_before_writing", False) or getattr(view, "answers_json", False):
        return None
    return password_change_due()


@login_required
def change_password() -> Response | tuple[str, int]:
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data or ""):
            form.current.errors = [_("This is not your current password.")]
        elif verify_password(current_user.password_hash, form.new.data or ""):
            form.new.errors = [_("Choose a password different from the current one.")]
        else:
            # Every other session of the account ends: a lost or taken phone is signed out.
            users.set_password(current_user, form.new.data or "", current_user, keep_session=current_user.session_id)
            db.session.commit()
            flash(_("Your password was changed. Any other device signed in to your account is signed out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password), _refused_or_shown()


def _refused_or_shown() -> int:
    """A form sent back with its errors is 422, as every other form of the app answers; the empty form is 200."""
    return 422 if request.method == "POST" else 200


@login_required
def session_list() -> str:
    """Where one is signed in."""
    return render_template("auth/sessions.html", sessions=sessions.active(current_user), this_session=current_user.session_id,
                           idle_days=int(settings().session_idle_days))


@login_required
def end_session(session_id: str) -> Response:
    """Sign one of one's sessions out."""
    if not sessions.end(current_user, session_id[:64], "signed-out"):
        abort(404)
    audit.record("session.end", current_user, address=_address(), this_device=session_id == current_user.session_id)
    db.session.commit()
    flash(_("That device is signed out."), "success")
    return redirect(url_for("auth.session_list"))


@login_required
def end_other_sessions() -> Response:
    """Sign out everywhere but here."""
    ended = sessions.end_all(current_user, "signed-out", keep=current_user.session_id)
    audit.record("session.end_others", current_user, address=_address(), sessions_ended=ended)
    db.session.commit()
    flash(_("Every other device is signed out."), "success")
    return redirect(url_for("auth.session_list"))
