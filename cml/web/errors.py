"""Every error is a clear page (or JSON for the API) and leaves no transaction open."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from cml import logs
from cml.extensions import db
from cml.services import audit


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
    }


def render_error(code: int, detail: str | None = None) -> tuple[Response | str, int]:
    message = detail or _messages().get(code, _messages()[400])
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=code, message=message), code
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[Response | str, int]:
        db.session.rollback()
        _audit_refusal("request.csrf_refused")
        return render_error(400, _("Your form expired or was sent from elsewhere. Please reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
        db.session.rollback()
        if error.code is None or error.code < 400:
            return error
        if error.code == 403:
            _audit_refusal("request.denied")
        return render_error(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int]:
        db.session.rollback()
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
