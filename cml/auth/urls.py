"""Signing in and out, and one's account: the password and the sessions; with the hooks every request of the app
passes (a temporary password leads to the change form; a session's last use is noted)."""

from __future__ import annotations

from flask import Blueprint

from cml.auth import views
from cml.auth.loading import note_last_use

bp = Blueprint("auth", __name__, template_folder="templates")
bp.before_app_request(views.require_new_password)
bp.teardown_app_request(note_last_use)

bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/account/password", "change_password", views.change_password, methods=["GET", "POST"])
bp.add_url_rule("/account/sessions", "session_list", views.session_list, methods=["GET"])
bp.add_url_rule("/account/sessions/<session_id>/end", "end_session", views.end_session, methods=["POST"])
bp.add_url_rule("/account/sessions/end-others", "end_other_sessions", views.end_other_sessions, methods=["POST"])
