"""After a submission is stored: correcting it, withdrawing or deleting it, and the trash."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse
from wtforms import SelectChoice

from cml.auth.capabilities import has_capability
from cml.collect import pages
from cml.collect.fields import field_name
from cml.collect.forms import StartForm, section_form_class
from cml.collect.views import _check_interview, _place_choices
from cml.core.answers import clean_answers
from cml.core.questionnaire import Questionnaire
from cml.core.questionnaire.conditions import condition_to_json
from cml.extensions import db
from cml.services import corrections, counting, sealing, surveys, trash
from cml.services.scope import region_ids
from cml.services.submission_access import correctable, restorable, trash_days, withdrawable
from cml.web.access import capability_required
from cml.web.answer_messages import error_message
from cml.web.i18n import current_language


def _live_conditions(questionnaire: Questionnaire) -> dict[str, str]:
    """Every question's skip logic, for the browser: the whole questionnaire is on one page."""
    return {q.id: json.dumps(condition_to_json(q.show_if)) for q in questionnaire.questions if q.show_if is not None}


@capability_required("collect")  # and then: a reviewer's regions, or the sender within the window (submission_access)
def correct(response_id: int) -> HttpResponse | tuple[str, int] | str:
    """Correct a submission's answers, facility or date; the earlier version is kept."""
    response = correctable(current_user, response_id, lock=request.method == "POST") or abort(404)
    version = response.version
    questionnaire = surveys.model_of(version)
    language = current_language()
    form = StartForm(subject=questionnaire.subject)
    _place_choices(form, questionnaire)
    own = str(response.region_id if not questionnaire.at_facility else response.facility_id)
    if own not in {choice.value for choice in form.place.choices}:  # the submission's own place stays a choice
        label = response.region.label(language) if not questionnaire.at_facility else response.facility.label(language)
        form.place.choices = [*form.place.choices, SelectChoice(own, label)]
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.place.data, form.interview_date.data = own, response.interview_date.isoformat()
        raw: dict[str, Any] = counting.answers_of(sealing.keyring(), response)
        status = 200
    else:
        if pages.unknown_keys(request.form, questionnaire):
            abort(400)
        raw = pages.raw_answers(request.form, questionnaire)
        cleaned = clean_answers(questionnaire, raw, date.today())
        errors = {qid: error_message(problem, questionnaire, language) for qid, problem in cleaned.errors.items()}
        form.validate()
        facility, interview_date = _check_interview(form, questionnaire)
        if (form.place.data or "").strip() == own:  # kept as it was, even if no longer active
            facility, form.place.errors = response.facility, []
        if facility is not None and interview_date is not None and cleaned.ok:
            number = corrections.correct(response, current_user, facility, interview_date, cleaned.answers)
            db.session.commit()
            if number is None:
                flash(_("Nothing was changed."), "success")
            else:
                flash(_("Correction saved. The earlier version is kept in the history."), "success")
            return redirect(url_for("collect.correct", response_id=response.id), code=303)
        status = 422
    sections = [(section, section_form_class(questionnaire, section, language)(formdata=None, data={field_name(k): v for k, v in raw.items()}))
                for section in questionnaire.sections]
    return render_template(
        "collect/correct.html", response=response, questionnaire=questionnaire, version=version, form=form, sections=sections,
        errors=errors, live=_live_conditions(questionnaire), history=corrections.history(response), language=language,
        may_withdraw=has_capability(current_user, "withdraw_submissions"),
    ), status


@capability_required("withdraw_submissions")
def withdraw(response_id: int) -> HttpResponse | tuple[str, int] | str:
    """Withdraw a submission (consent withdrawn) or delete it: it leaves the figures and goes to the trash."""
    response = withdrawable(current_user, response_id) or abort(404)
    problem = None
    if request.method == "POST":
        reason = request.form.get("reason", "")
        if reason in ("withdrawn", "deleted"):
            trash.withdraw(response, current_user, reason)
            db.session.commit()
            flash(_("The submission left the figures and is in the trash for %(days)d days.", days=int(trash_days().days)), "success")
            return redirect(url_for("home.index"), code=303)
        problem = _("Please choose why the submission is taken out.")
    return render_template("collect/withdraw.html", response=response, problem=problem, language=current_language(),
                           days=int(trash_days().days)), (422 if problem else 200)


@capability_required("restore_from_trash")
def trash_list() -> str:
    """Withdrawn and deleted submissions, restorable until they are purged."""
    keep = trash_days()
    rows = [(r, trash.expired(r, keep)) for r in trash.in_trash(region_ids(current_user))]
    return render_template("collect/trash.html", rows=rows, days=int(keep.days), language=current_language())


@capability_required("restore_from_trash")
def restore(response_id: int) -> HttpResponse:
    """Take a submission out of the trash: it counts again."""
    response = restorable(current_user, response_id) or abort(404)
    try:
        trash.restore(response, current_user, trash_days())
    except trash.TrashExpired:
        db.session.rollback()
        flash(_("This submission has been in the trash too long to restore; it will be purged."), "error")
    else:
        db.session.commit()
        flash(_("Submission restored; it counts in the figures again."), "success")
    return redirect(url_for("collect.trash_list"), code=303)
