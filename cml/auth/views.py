"""Login with argon2id hashes, throttled per address and per username."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from cml.auth.forms import ChangePasswordForm, LoginForm
from cml.auth.loading import signed_in_user
from cml.extensions import db, limiter, login_manager
from cml.services import users
from cml.services.passwords import verify_password
from cml.web.urls import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "strong"


login_manager.user_loader(signed_in_user)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _username_limit() -> str:
    return str(current_app.config["LOGIN_USERNAME_RATE_LIMIT"])


def _username_key() -> str:
    return "user:" + request.form.get("username", "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_username_limit, methods=["POST"], key_func=_username_key)
def login() -> Response | str:
    """Sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.username.data or "", form.password.data or "")
        db.session.commit()
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out."""
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data or ""):
            form.current.errors = [_("This is not your current password.")]
        else:
            users.set_password(current_user, form.new.data or "", current_user)
            db.session.commit()
            # The session key includes the password: this session signs in again with the new
            # one, and every other session of the account ends (cml.auth.loading).
            login_user(current_user._get_current_object())
            flash(_("Your password was changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)
