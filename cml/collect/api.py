"""The collection app's JSON (/collect/api/v1/): who is signed in, what they may fill where, and
submissions answered with receipts by the same checks and exactly-once path as the form's submit.

Every answer is JSON, errors included (cml.web.errors), and never cached (cml.web.security).
POSTs carry the CSRF token in the `X-CSRFToken` header (CSRFProtect); the token is the session's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response as HttpResponse

from cml.collect import submission
from cml.config import session_idle_limit
from cml.core.answers import CleanedAnswers, RawValue
from cml.core.bounds import INT64_MAX, is_plain_text
from cml.core.questionnaire import Questionnaire
from cml.db import WRITE_LOCK_OPTION, reads_before_writing
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region, Response
from cml.services import sessions, surveys
from cml.services.committer import Outcome
from cml.services.responses import UnknownQuestionnaire, form_version_number
from cml.services.scope import facilities_for, stand_in, visible_regions
from cml.settings import settings
from cml.web.access import json_capability_required
from cml.web.answer_messages import error_message, message_templates, plural_templates
from cml.web.formatting import zone_name
from cml.web.i18n import current_language, in_every_language, languages

COLLECTORS = ("monitor", "lead", "admin")
MAX_BODY_BYTES = 512 * 1024
"""A submission of the longest shipped questionnaire is a few kilobytes; more is not an interview."""
_BODY_KEYS = frozenset(  # other keys are left alone, for clients newer than this server
    {"submission_id", "questionnaire", "version", "facility", "interview_date", "answers"})


def small_bodies() -> None:
    """Every request of the JSON API (a before_request hook, cml.collect.urls): a body too large to be an interview is 413."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        abort(413)


@json_capability_required("collect")
def session_info() -> HttpResponse:
    """Who is signed in, the CSRF token for POSTs, and when the session ends if unused."""
    seen = sessions.aware(current_user.session_seen_at or sessions.now())
    return jsonify(user_id=current_user.id, username=current_user.username, language=current_language(),
                   csrf_token=generate_csrf(), expires_at=(seen + session_idle_limit()).isoformat())


@json_capability_required("collect")
def setup() -> HttpResponse:
    """The questionnaires the user may fill, the places of their regions and the error messages; 304 when unchanged."""
    regions = visible_regions(current_user)
    body = {
        "questionnaires": _questionnaires(),
        "places": {
            "facilities": [{"id": f.id, "region_id": f.region_id, "label": _labels(f.label)} for f in facilities_for(current_user)],
            "regions": [{"id": r.id, "label": _labels(r.label), "stand_in": stand_in_id} for r, stand_in_id in _stand_ins(regions)],
        },
        "messages": _messages(),
        "plurals": in_every_language(lambda _language: plural_templates()),
        "time_zone": _time_zone(),
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    etag = hashlib.sha256(text.encode()).hexdigest()[:32]
    # Compression makes the header's tag "<etag>:br" (flask-compress); the body's is the bare one.
    if etag in {tag.split(":", 1)[0] for tag in request.if_none_match.as_set(include_weak=True)}:
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(text[:-1] + f',"etag":"{etag}"}}', mimetype="application/json")
    response.set_etag(etag)
    response.vary.add("Cookie")
    return response


def _labels(label: Any) -> dict[str, str]:
    return {language: str(label(language)) for language in languages()}


def _questionnaires() -> list[dict[str, Any]]:
    """The version new interviews are recorded on, of every published questionnaire (every collector may
    fill every one); a questionnaire whose versions are all retired is not offered."""
    found = []
    for row in surveys.collectable_questionnaires():
        version = surveys.collectable_version(row.code)
        if version is None:
            continue
        definition = json.loads(version.content)
        found.append({"code": row.code, "version": version.version, "subject": definition.get("subject", "facility"), "title": row.title,
                      "definition": definition})
    return found


def _stand_ins(regions: list[Region]) -> list[tuple[Region, int]]:
    """Each region with the id of its stand-in facility, made on first use (a write, in a transaction of its own)."""
    known = dict(db.session.execute(select(Facility.region_id, Facility.id).where(Facility.stands_for_region.is_(True),
                                                                                  Facility.region_id.in_([r.id for r in regions]))).all())
    missing = [r for r in regions if r.id not in known]
    if missing:
        db.session.commit()  # this GET began reading; the stand-ins are written under the write lock
        db.session.connection(execution_options={WRITE_LOCK_OPTION: True})
        for region in missing:
            known[region.id] = stand_in(db.session.merge(region)).id
        db.session.commit()
    return [(r, known[r.id]) for r in regions]


def _messages() -> dict[str, dict[str, str]]:
    return in_every_language(lambda _language: message_templates())


def _time_zone() -> dict[str, Any]:
    """The organisation's time zone, by its IANA name and its city in each language: the phone shows
    a receipt's time in it, as every page does, whatever zone the phone is set to."""
    return {"name": settings().timezone, "label": in_every_language(zone_name)}


@reads_before_writing
@json_capability_required("collect")
def submit() -> tuple[HttpResponse, int]:
    """Store a complete interview exactly once; the receipt is sent only after the commit."""
    if len(request.get_data(cache=True)) > MAX_BODY_BYTES:  # a body sent in chunks, without a length
        abort(413)
    return receive(request.get_json(force=True, silent=True), source="api")


def receive(body: object, source: str) -> tuple[HttpResponse, int]:
    """Check and store one submission body of the contract's shape, as the current user: 201 stored, 200 a resend,
    409 another interview under this id, 422 answers to correct; 400 for a body of another shape.
    The token API (cml.api) takes its submissions here too, so both answer alike."""
    wanted = _parsed(body)
    if wanted is None or not isinstance(body, dict):
        abort(400)
    submission_id, code, number, raw = wanted
    try:
        version = form_version_number(code, number)
    except UnknownQuestionnaire:
        version = None
    if version is None:
        return _invalid(_("This questionnaire or its version is not known here. Update the app's questionnaires and start the interview again."))
    if set(raw) - {q.id for q in version.model.questions if q.answers}:
        abort(400)  # keys a form could not have had: a broken or tampered client
    checked = submission.check(submission_id, version, body["facility"], body["interview_date"], raw)
    if checked.problem is not None:
        return _invalid(checked.problem, version.model, checked.cleaned)
    user_id = current_user.id  # read before the commit, which expires the loaded account
    outcome = submission.store(checked, source=source)
    return _answer(outcome, code, user_id, submission_id, number)


def _parsed(body: object) -> tuple[uuid.UUID, str, int, dict[str, RawValue]] | None:
    """The body's id, questionnaire code, version number and raw answers, or None when it is not of the contract's shape."""
    if not isinstance(body, dict) or not set(body) >= _BODY_KEYS:
        return None
    try:
        submission_id = uuid.UUID(body["submission_id"]) if isinstance(body["submission_id"], str) else None
    except ValueError:
        return None
    code, number, answers = body["questionnaire"], body["version"], body["answers"]
    if submission_id is None or not _short_text(code) or not isinstance(answers, dict):
        return None
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number <= INT64_MAX:
        return None
    if not isinstance(body["interview_date"], str) or not _id_like(body["facility"]):
        return None
    raw: dict[str, RawValue] = {}
    for key, value in answers.items():
        if not _short_text(key):
            return None
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raw[key] = value
        elif value is not None:
            return None
    return submission_id, code, number, raw


def _short_text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and is_plain_text(value)


def _id_like(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


def _invalid(message: str, questionnaire: Questionnaire | None = None, cleaned: CleanedAnswers | None = None) -> tuple[HttpResponse, int]:
    """422, with every answer that needs correcting: the question, its label and the message in the user's language."""
    errors = []
    if questionnaire is not None and cleaned is not None:
        language = current_language()
        for question in questionnaire.questions:
            error = cleaned.errors.get(question.id)
            if error is not None:
                errors.append({"question": question.id, "label": questionnaire.text(question.label, language),
                               "message": error_message(error, questionnaire, language)})
    return jsonify(status="invalid", message=message, errors=errors), 422


def _answer(outcome: Outcome, code: str, user_id: int, submission_id: uuid.UUID, number: int) -> tuple[HttpResponse, int]:
    if outcome.status == "duplicate" and outcome.response_id == 0:
        # Withdrawn and purged from the trash: acknowledged, so the phone stops sending it, never stored again.
        return jsonify(status="withdrawn", message=_("This interview had been withdrawn and removed; it was not stored again."),
                       receipt={"submission_id": str(submission_id), "received_at": None, "questionnaire": code, "version": number}), 200
    stored = _receipt(outcome.response_id, code, user_id) if outcome.status != "conflict" else None
    if stored is None:  # other answers under this id, or another account's interview: nothing was written
        return jsonify(status="conflict", message=_(
            "An interview with this receipt number was already stored with different answers. Nothing was changed. "
            "To record a new interview, start a new one.")), 409
    return jsonify(status=outcome.status, receipt=stored), 201 if outcome.status == "stored" else 200


_RECEIPT = (  # built once: submit is the hot path, and building a statement costs more than running it
    select(Response.submission_id, Response.received_at, QuestionnaireVersion.version)
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id)
    .where(Response.id == bindparam("response"), Response.submitted_by_id == bindparam("user"))
)


def _receipt(response_id: int, code: str, user_id: int) -> dict[str, Any] | None:
    """The stored interview's receipt, only when it is the user's own."""
    row = db.session.connection().execute(_RECEIPT, {"response": response_id, "user": user_id}).first()
    if row is None:
        return None
    return {"submission_id": str(row.submission_id), "received_at": sessions.aware(row.received_at).isoformat(),
            "questionnaire": code, "version": row.version}
