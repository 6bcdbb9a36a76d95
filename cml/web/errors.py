"""Every error is a clear page (or JSON for the API) and leaves no transaction open."""

from __future__ import annotations

import logging
import time

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from cml import logs
from cml.extensions import db
from cml.services import audit
from cml.services.storage_faults import storage_fault


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with data already stored."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing was stored half-way; please try again."),
        503: _("The server cannot take this right now. Nothing was stored; please try again in a few minutes."),
    }


def _fault_messages() -> dict[str, str]:
    return {
        "full": _("The server's storage is full, so nothing was stored. Your answers are not lost: keep this page and "
                  "send it again later. Please tell your coordinator."),
        "busy": _("The server is busy and could not store this in time. Nothing was stored; please send it again in a minute."),
    }


RETRY_AFTER = {"full": 300, "busy": 30}
"""Seconds a client should wait before sending the same request again."""
FAULT_MEMORY_SECONDS = 60.0
"""How long /healthz reports a storage fault this process met, unless a write succeeds first."""
_FAULT_KEY = "cml_storage_fault"


def recent_fault(app: Flask) -> str | None:
    """The storage fault a request of this process met in the last minute, if no write succeeded since."""
    noted = app.extensions.get(_FAULT_KEY)
    if noted is None or time.monotonic() - noted[0] > FAULT_MEMORY_SECONDS:
        return None
    return str(noted[1])


JSON_PREFIXES = ("/api/", "/collect/api/")
"""Paths whose clients read JSON only: every error there is JSON, never a page or a redirect."""
OPENROSA_PREFIX = "/openrosa/"
"""ODK Collect's paths: every error there is in the OpenRosa XML envelope (cml.openrosa.envelope)."""
STATUS_WORDS = {400: "bad_request", 401: "signed_out", 403: "forbidden", 404: "not_found", 405: "not_allowed", 409: "conflict",
                413: "too_large", 429: "too_many", 500: "error", 503: "unavailable"}


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.accept_mimetypes.best == "application/json"


def render_error(code: int, detail: str | None = None, status: str | None = None) -> tuple[Response | str, int]:
    message = detail or _messages().get(code, _messages()[400])
    if request.path.startswith(OPENROSA_PREFIX):
        from cml.openrosa.envelope import message as openrosa_message  # the web layer does not import features at start

        return openrosa_message(message, code), code
    if wants_json():
        return jsonify(status=status or STATUS_WORDS.get(code, "error"), error=code, message=message), code
    return render_template("error.html", code=code, message=message), code


def signed_out() -> tuple[Response, int]:
    """401 for a JSON client whose session is over (or never began): it keeps what it holds and signs in again."""
    return jsonify(status="signed_out", error=401,
                   message=_("You are signed out. Sign in again; the interviews waiting on this phone are kept and will be sent.")), 401


def _rollback() -> None:
    """Roll back whatever the request began; a rollback that fails too (a lost disk) must not hide the first error."""
    try:
        db.session.rollback()
    except Exception as error:  # noqa: BLE001
        logs.event("error.rollback_failed", logging.WARNING, error_type=type(error).__name__)


def init_app(app: Flask) -> None:
    @app.after_request
    def _writes_work_again(response: Response) -> Response:
        # A write that went through means the disk has room and the lock is free again.
        if request.method == "POST" and response.status_code < 400 and _FAULT_KEY in app.extensions:
            app.extensions.pop(_FAULT_KEY, None)
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[Response | str, int]:
        db.session.rollback()
        if wants_json() and not current_user.is_authenticated:  # a cookie gone with its session has no CSRF secret either
            return signed_out()
        _audit_refusal("request.csrf_refused")
        # "csrf": a JSON client asks for a fresh token (GET /collect/api/v1/session) and sends again.
        return render_error(400, _("Your form expired or was sent from elsewhere. Please reload the page and send it again."), status="csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
        db.session.rollback()
        if error.code is None or error.code < 400:
            return error
        if error.code == 403:
            _audit_refusal("request.denied")
        return render_error(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int] | Response:
        _rollback()
        fault = storage_fault(error)
        if fault is not None:
            # Expected under a full disk or a long lock: no traceback, nothing half stored.
            logs.event("error.storage_fault", logging.WARNING, fault=fault, method=request.method, path=request.path, error_type=type(error).__name__)
            app.extensions[_FAULT_KEY] = (time.monotonic(), fault)
            response = make_response(render_error(503, _fault_messages()[fault]))
            response.headers["Retry-After"] = str(RETRY_AFTER[fault])
            return response
        # Types and places only: request bodies, and the messages of database errors, may hold answers.
        logs.error("error.unhandled", error, method=request.method, path=request.path)
        if app.testing and app.config.get("PROPAGATE_UNEXPECTED", False):
            raise error
        return render_error(InternalServerError.code)


def _audit_refusal(action: str) -> None:
    """A refused request in the audit log (who, from where, what), in its own transaction."""
    logs.event(action, method=request.method, path=request.path)
    try:
        audit.record_request(action, method=request.method, path=request.path[:200])
        db.session.commit()
    except Exception as error:  # noqa: BLE001 — the refusal is answered even if it cannot be recorded
        db.session.rollback()
        logs.error("audit.failed", error, action=action)
