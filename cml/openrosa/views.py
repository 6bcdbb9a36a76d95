"""The OpenRosa endpoints under /openrosa (the server URL to give ODK Collect): form list, form
download and submission, for the account signed in by HTTP Basic (cml.openrosa.auth).

A submission goes the way of every other (cml.collect.submission): its instanceID is its
submission id, its answers are cleaned by `clean_answers` exactly as a web form's, the place
must be one of the account's, and it is acknowledged only after the COMMIT. Nothing of its
content is logged.
"""

from __future__ import annotations

import uuid
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from cml.collect import submission
from cml.core.answers import CleanedAnswers
from cml.core.openrosa import DATE_FIELD, PLACE_FIELD, SubmissionXmlError, raw_answers, read_instance
from cml.core.questionnaire import Questionnaire
from cml.db import reads_before_writing
from cml.extensions import db
from cml.models import Response as ResponseRow
from cml.openrosa import auth, xforms
from cml.openrosa.envelope import MAX_BODY_BYTES, XFORMS_LIST_NS, message, with_headers, xml_response
from cml.services.committer import Outcome
from cml.services.responses import FormVersion, UnknownQuestionnaire, form_version_number
from cml.web.answer_messages import error_message
from cml.web.errors import _messages as status_messages
from cml.web.i18n import current_language

SUBMISSION_PART = "xml_submission_file"


def small_bodies() -> None:
    # The app's own limit (MAX_CONTENT_LENGTH) already bounds what was read; a submission is far smaller.
    if (request.content_length or 0) > MAX_BODY_BYTES:
        abort(413)


def refused(refusal: auth.Refusal) -> Response:
    db.session.rollback()
    response = message(refusal.message, refusal.status)
    if refusal.status == 401:
        response.headers["WWW-Authenticate"] = auth.REALM
    return response


def http_error(error: HTTPException) -> Response:
    db.session.rollback()
    code = error.code or 400
    text = {413: _("This submission is larger than CML accepts. CML takes no attachments (photos, audio, files).")}.get(code)
    return message(text or status_messages().get(code, status_messages()[400]), code)


@auth.required
def form_list() -> Response:
    """The OpenRosa form list: each form's id, name, version, hash and download address."""
    root = Element("xforms", {"xmlns": XFORMS_LIST_NS})
    wanted = request.args.get("formID")
    for form in xforms.forms_for(current_user):
        if wanted and wanted != form.code:
            continue
        item = SubElement(root, "xform")
        for name, value in (("formID", form.code), ("name", form.title), ("version", str(form.number)), ("hash", form.hash),
                            ("downloadUrl", url_for("openrosa.form_download", code=form.code, number=form.number, _external=True))):
            SubElement(item, name).text = value
    return xml_response(tostring(root, encoding="utf-8", xml_declaration=True))


@auth.required
def form_download(code: str, number: int) -> Response:
    """One form as this account's XForm (its places among the choices)."""
    version = xforms.collectable(code[:64], number)
    form = xforms.xform_of(version, current_user) if version is not None else None
    if form is None:
        abort(404)
    return xml_response(form.xml.encode())


@auth.required
def submission_preflight() -> Response:
    """The pre-flight ODK Collect sends before a submission: authenticated, and the size accepted."""
    return with_headers(Response(status=204))


@reads_before_writing
@auth.required
def submit() -> Response:
    """Store a submission exactly once; 201 only after the commit."""
    files = request.files
    if set(files) - {SUBMISSION_PART} or len(files.getlist(SUBMISSION_PART)) > 1:
        return message(_("CML does not take attachments (photos, audio, files). Remove the question that takes them, "
                         "or send this form without them."), 400)
    part = files.get(SUBMISSION_PART)
    if part is None:
        return message(_("The submission has no %(part)s part.", part=SUBMISSION_PART), 400)
    data = part.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:  # a body sent in chunks, without a length
        abort(413)
    try:
        instance = read_instance(data)
    except SubmissionXmlError:
        return message(_("The submission is not a form instance CML can read."), 400)
    version = _version(instance.form_id, instance.version)
    if version is None:
        return message(_("This form or its version is not taken here any more. Get blank forms again and fill the new version."), 400)
    raw = raw_answers(version.model, instance.values)
    checked = submission.check(instance.instance_id, version, instance.values.get(PLACE_FIELD), instance.values.get(DATE_FIELD), raw)
    if checked.facility is None:
        return message(checked.problem or "", 403)
    if checked.problem is not None:
        return message(_invalid(checked.problem, version.model, checked.cleaned), 400)
    user_id = current_user.id  # read before the commit, which expires the loaded account
    return _answer(submission.store(checked, source="openrosa"), user_id, instance.instance_id)


def _version(form_id: str, number_text: str) -> FormVersion | None:
    """The version a submission was filled on, when it still takes new interviews."""
    if not form_id or len(form_id) > 64 or not number_text.isdigit() or len(number_text) > 9:
        return None
    if xforms.collectable(form_id, int(number_text)) is None:
        return None
    try:
        return form_version_number(form_id, int(number_text))
    except UnknownQuestionnaire:
        return None


def _invalid(problem: str, questionnaire: Questionnaire, cleaned: CleanedAnswers) -> str:
    """The problem, then each answer that needs correcting: its question and why."""
    language = current_language()
    lines = [problem]
    for question in questionnaire.questions:
        error = cleaned.errors.get(question.id)
        if error is not None:
            lines.append(f"{questionnaire.text(question.label, language)}: {error_message(error, questionnaire, language)}")
    return "\n".join(lines)


_OWNER = select(ResponseRow.submitted_by_id).where(ResponseRow.id == bindparam("response"))


def _answer(outcome: Outcome, user_id: int, submission_id: uuid.UUID) -> Response:
    if outcome.status == "duplicate" and outcome.response_id == 0:
        # Withdrawn and purged from the trash: acknowledged, so the phone stops sending it, never stored again.
        return message(_("This interview had been withdrawn and removed; it was not stored again."), 201)
    owner = None if outcome.status == "conflict" else db.session.connection().execute(_OWNER, {"response": outcome.response_id}).scalar()
    if owner != user_id:  # other answers under this id, or another account's interview: nothing was written
        return message(_("An interview with this receipt number was already stored with different answers. Nothing was changed. "
                         "To record a new interview, start a new one."), 409)
    if outcome.status == "duplicate":  # a phone that lost the acknowledgement: 201 again, so it marks the form sent
        return message(_("This interview was already received (receipt %(id)s).", id=str(submission_id)[:8]), 201)
    return message(_("Interview received (receipt %(id)s). Thank you.", id=str(submission_id)[:8]), 201)
