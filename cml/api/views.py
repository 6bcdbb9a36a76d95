"""The API's endpoints (/api/v1): questionnaires, submissions, indicator tables and exports.

Each view is `token_required` (cml.api.auth) with the capability its page needs, and documented
by its marshmallow schemas (cml.api.schemas), errors included: the OpenAPI document at
/api/v1/openapi.json is generated from these decorators. Their URLs are in cml.api.urls. A new
export format is one more view here, sent through `_export`, which writes the audit event before
the first byte, and one line in cml.api.urls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask import Response, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select
from werkzeug.exceptions import UnprocessableEntity
from werkzeug.wrappers import Response as HttpResponse

from cml.collect import api as collect_api
from cml.db import reads_before_writing
from cml.extensions import db
from cml.models import QuestionnaireVersion
from cml.models import Response as Submission
from cml.services import audit, sessions, surveys
from cml.services.indicator_export import build
from cml.services.indicator_spreadsheets import indicator_csv
from cml.web.i18n import current_language

from . import schemas
from .auth import token_required
from .tables import Unanswerable, cells, export_request

F = TypeVar("F", bound=Callable[..., Any])

# flask-smorest's operation decorators (arguments, response, alt_response, doc) only attach the documentation to
# the view function (its `_apidoc`) and wrap it; they read nothing of the blueprint they are called on. The API's
# blueprint (cml.api.urls) collects that documentation when its `add_url_rule` adds the view, so the OpenAPI
# document is what it was when one blueprint both documented and routed. They are called here on a blueprint that
# is never registered and declares no URL, so that this module needs nothing from cml.api.urls, which imports it
# (no import circle), and every URL stays in the URL table.
operation = Blueprint("api_operations", __name__)

_ERRORS = {
    400: "The request is not of the documented shape.",
    401: "No token, or a token that is unknown, expired or revoked (with a Bearer challenge).",
    403: "The token's account may not do this.",
    404: "Not found, or not in the account's regions.",
    405: "Not allowed here.",
    413: "The body is too large.",
    422: "The request is well formed but cannot be answered as asked.",
    429: "Too many refused tokens from this address: wait a minute.",
}


def errors(*codes: int) -> Callable[[F], F]:
    """Document these refusals (and the ones every endpoint may give) with the error schema."""

    def decorator(view: F) -> F:
        for code in sorted({401, 403, 405, 422, 429, *codes}):
            view = operation.alt_response(code, schema=schemas.ErrorSchema, description=_ERRORS[code])(view)
        return view

    return decorator


def unprocessable(error: UnprocessableEntity) -> tuple[Response, int]:
    """Query arguments that fail their schema: which argument, and why."""
    messages = getattr(error, "data", {}).get("messages", {})
    return jsonify(status="invalid", error=422, message=_("Some query arguments are not valid."), errors=messages), 422


def unanswerable(error: Unanswerable) -> tuple[Response, int]:
    """A table that cannot be made as asked (cml.api.tables): why, in the error shape."""
    return jsonify(status="invalid", error=422, message=str(error)), 422


@token_required("collect")
@operation.response(200, schemas.QuestionnaireListSchema)
@errors()
def questionnaires() -> dict[str, Any]:
    """The questionnaires new interviews may be recorded on, each with the version to use."""
    language, found = current_language(), []
    for row in surveys.collectable_questionnaires():
        version = surveys.collectable_version(row.code)
        if version is not None:
            subject = json.loads(version.content).get("subject", "facility")
            found.append({"code": row.code, "title": row.label(language), "version": version.version, "subject": subject})
    return {"questionnaires": found}


@token_required("collect")
@operation.response(200, schemas.QuestionnaireVersionSchema)
@errors(404)
def questionnaire_version(code: str, number: int) -> dict[str, Any]:
    """One published version of a questionnaire, as its JSON definition (a retired one too: its interviews still count)."""
    version = surveys.version_of(code[:64], number)
    if version is None:
        abort(404)
    return {"code": code, "version": version.version, "retired": surveys.is_retired(version), "definition": json.loads(version.content)}


@reads_before_writing
@token_required("collect")
@operation.doc(requestBody={"required": True, "content": {"application/json": {"schema": schemas.SubmissionInSchema}}})
@operation.response(201, schemas.SubmissionOutSchema, description="Stored.")
@operation.alt_response(200, schema=schemas.SubmissionOutSchema, description="Already stored (a resend), or withdrawn and removed.", success=True)
@operation.alt_response(409, schema=schemas.ErrorSchema, description="Another interview was stored under this submission id: nothing changed.")
@errors(400, 413)
def submit() -> tuple[HttpResponse, int]:
    """Store one complete interview exactly once, by the same checks and path as the offline app (cml.collect.api)."""
    if (request.content_length or 0) > collect_api.MAX_BODY_BYTES or len(request.get_data(cache=True)) > collect_api.MAX_BODY_BYTES:
        abort(413)
    answer, status = collect_api.receive(request.get_json(force=True, silent=True), source="api")
    if status >= 400:  # the offline app's refusals, in the API's error shape
        body = answer.get_json()
        body.setdefault("error", status)
        return jsonify(body), status
    return answer, status


@token_required("view_own_submissions")
@operation.arguments(schemas.PageQuerySchema, location="query", as_kwargs=True)
@operation.response(200, schemas.SubmissionPageSchema)
@errors()
def my_submissions(page: int, per_page: int) -> dict[str, Any]:
    """One's own submissions, newest first, as /collect/mine lists them: what, where, when and their state; no answers."""
    own = Submission.submitted_by_id == current_user.id
    total = db.session.scalar(select(func.count()).select_from(Submission).where(own)) or 0
    rows = db.session.execute(
        select(Submission.submission_id, QuestionnaireVersion.version, QuestionnaireVersion.questionnaire_id, Submission.facility_id,
               Submission.region_id, Submission.interview_date, Submission.received_at, Submission.review_state, Submission.deleted_at)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Submission.questionnaire_version_id)
        .where(own).order_by(Submission.received_at.desc(), Submission.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    codes = {q.id: q.code for q in surveys.published_questionnaires()}
    return {"page": page, "per_page": per_page, "total": total, "submissions": [{
        "submission_id": str(r.submission_id), "questionnaire": codes.get(r.questionnaire_id, ""), "version": r.version,
        "facility_id": r.facility_id, "region_id": r.region_id, "interview_date": r.interview_date.isoformat(),
        "received_at": sessions.aware(r.received_at).isoformat(), "review_state": r.review_state, "withdrawn": r.deleted_at is not None,
    } for r in rows]}


@token_required("view_indicators")
@operation.arguments(schemas.TableQuerySchema, location="query")
@operation.response(200, schemas.IndicatorTableSchema)
@errors(404)
def indicator_table(args: dict[str, Any], code: str) -> dict[str, Any]:
    """The indicator table as numbers: estimate, interval, n, facilities, method, target, and whether disclosure control withheld it."""
    wanted = export_request(code[:64], args)
    result = build(wanted)
    return {"questionnaire": wanted.code, "breakdown": args["breakdown"], "grain": wanted.grain, "aggregates_only": wanted.aggregates_only,
            "suppression_threshold": wanted.k, "generated_at": result.generated_at.isoformat(), "cells": cells(result)}


_CSV = {"description": "The indicator table CSV, as the download page gives it.", "content": {"text/csv": {"schema": {"type": "string"}}}}


@token_required("view_indicators")
@operation.arguments(schemas.TableQuerySchema, location="query")
@operation.doc(responses={"200": _CSV})
@errors(404)
def indicator_csv_export(args: dict[str, Any], code: str) -> Response:
    """The indicator table CSV, the same file as the download page's; audit-logged before it is sent."""
    wanted = export_request(code[:64], args)
    result = build(wanted)
    return _export("indicators", "csv", wanted.code, args["breakdown"], len(result.rows), indicator_csv(result), "text/csv")


def _export(kind: str, file_format: str, code: str, breakdown: str, rows: int, body: bytes, mimetype: str) -> Response:
    """Record the export in the audit log, commit, then send the file."""
    audit.record(f"export.{kind}", current_user, target=code, format=file_format, breakdown=breakdown, rows=rows, channel="api")
    db.session.commit()
    name = f"cml-{code}-{kind}-{breakdown}-{date.today().isoformat()}.{file_format}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
