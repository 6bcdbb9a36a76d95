"""Filling a questionnaire: start, one page per section, review, a self-contained submit, receipt."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse
from wtforms import SelectChoice

from cml.collect import pages, submission
from cml.collect.answer_rows import answer_rows
from cml.collect.fields import field_name
from cml.collect.forms import StartForm, section_form_class
from cml.core.answers import clean_answers
from cml.core.bounds import EARLIEST_INTERVIEW, interview_date_ok
from cml.core.questionnaire import Questionnaire
from cml.db import reads_before_writing
from cml.extensions import db
from cml.models import Draft, Facility, QuestionnaireVersion, Response
from cml.services import drafts, surveys
from cml.services.responses import UnknownQuestionnaire, form_version
from cml.services.scope import facilities_for, facility_for, region_for, stand_in, visible_regions
from cml.services.submission_access import may_correct
from cml.settings import settings
from cml.web.access import capability_required
from cml.web.answer_messages import error_message
from cml.web.formatting import fmt_day
from cml.web.i18n import current_language


def _parse_uuid(text: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        abort(400)


def _check_interview(form: StartForm, questionnaire: Questionnaire) -> tuple[Facility | None, date | None]:
    """Facility (or region) in the user's regions and an interview date that is not in the future."""
    facility = _chosen_place(form, questionnaire)
    interview_date = submission.parse_date(form.interview_date.data)
    if interview_date is None:
        form.interview_date.errors = [_("Please enter a date as year-month-day, such as 2026-03-31.")]
    elif interview_date > date.today():
        form.interview_date.errors = [_("The interview date cannot be in the future.")]
        interview_date = None
    elif not interview_date_ok(interview_date, date.today()):
        form.interview_date.errors = [_("The interview date cannot be before %(date)s.", date=fmt_day(EARLIEST_INTERVIEW))]
        interview_date = None
    return facility, interview_date


def _chosen_place(form: StartForm, questionnaire: Questionnaire) -> Facility | None:
    """The chosen facility, or the chosen region's stand-in (made on first use); None with the field's message."""
    chosen = (form.place.data or "").strip()
    if questionnaire.at_facility:
        facility = facility_for(current_user, chosen) if chosen else None
        if facility is None:
            form.facility.errors = [_("Please choose one of the facilities of your regions.") if chosen else _("Please choose a facility.")]
        return facility
    region = region_for(current_user, chosen) if chosen else None
    if region is None:
        form.region.errors = [_("Please choose one of your regions.") if chosen else _("Please choose a region.")]
        return None
    return stand_in(region)


def _place_choices(form: StartForm, questionnaire: Questionnaire) -> None:
    """The facilities (or regions) of the user's regions, after a "choose…" placeholder, so nothing is chosen by default."""
    language = current_language()
    if questionnaire.at_facility:
        options = [SelectChoice(str(f.id), f"{f.label(language)} · {f.region.label(language)}") for f in facilities_for(current_user)]
    else:
        options = [SelectChoice(str(r.id), r.label(language)) for r in visible_regions(current_user)]
    form.place.choices = [SelectChoice("", _("Choose…")), *options] if options else []


def _latest(code: str) -> tuple[QuestionnaireVersion, Questionnaire]:
    version = surveys.collectable_version(code) or abort(404)
    return version, surveys.model_of(version)


@capability_required("collect")
def start(code: str) -> HttpResponse | tuple[str, int] | str:
    """Start an interview: facility and date; the form's submission id is fixed here."""
    version, questionnaire = _latest(code)
    form = StartForm(subject=questionnaire.subject)
    _place_choices(form, questionnaire)
    if request.method == "GET":
        form.submission_id.data = str(uuid.uuid4())
        form.interview_date.data = date.today().isoformat()
        return render_template("collect/start.html", form=form, questionnaire=questionnaire, version=version, language=current_language(),
                               unfinished=drafts.unfinished(current_user, version.questionnaire_id))
    submission_id = _parse_uuid(form.submission_id.data)
    facility, interview_date = _check_interview(form, questionnaire) if form.validate() else (None, None)
    if facility is None or interview_date is None:
        return render_template("collect/start.html", form=form, questionnaire=questionnaire, version=version, language=current_language()), 422
    if db.session.scalar(select(Response.id).where(Response.submission_id == submission_id)) is not None:
        return redirect(url_for("collect.receipt", submission_id=submission_id))
    existing = db.session.get(Draft, submission_id)
    if existing is not None and existing.user_id != current_user.id:
        abort(404)
    try:
        draft = drafts.open_draft(submission_id, current_user, version, facility, interview_date)
    except drafts.DraftQuotaExceeded:
        db.session.rollback()
        form.place.errors = [_quota_message("count")]
        return render_template("collect/start.html", form=form, questionnaire=questionnaire, version=version, language=current_language()), 422
    db.session.commit()
    first = pages.shown_sections(questionnaire, drafts.answers_of(draft), date.today())[0]
    return redirect(url_for("collect.page", submission_id=submission_id, number=first))


def _quota_message(reason: str) -> str:
    if reason == "count":
        return _("You have %(count)d unfinished forms, the most allowed. Finish one first; forms left untouched for %(days)d days are removed.",
                 count=settings().draft_max_per_user, days=int(settings().draft_max_age_days))
    return _("Your unfinished forms hold more text than the server keeps for one person. Shorten the answers, or finish a form first.")


def _draft_context(submission_id: uuid.UUID) -> tuple[Any, QuestionnaireVersion, Questionnaire]:
    draft = drafts.find_draft(submission_id, current_user)
    if draft is None:
        if db.session.scalar(select(Response.id).where(Response.submission_id == submission_id, Response.submitted_by_id == current_user.id)):
            abort(redirect(url_for("collect.receipt", submission_id=submission_id)))
        abort(404)
    version = db.session.get(QuestionnaireVersion, draft.questionnaire_version_id)
    assert version is not None
    return draft, version, surveys.model_of(version)


@capability_required("collect")
def page(submission_id: uuid.UUID, number: int) -> HttpResponse | tuple[str, int] | str:
    """One section of the questionnaire; answers are kept in the draft between pages."""
    draft, version, questionnaire = _draft_context(submission_id)
    if not 1 <= number <= len(questionnaire.sections):
        abort(404)
    section = questionnaire.sections[number - 1]
    language = current_language()
    form_class = section_form_class(questionnaire, section, language)
    errors: dict[str, str] = {}
    answers = drafts.answers_of(draft)
    if request.method == "POST":
        if pages.unknown_keys(request.form, questionnaire, section):
            abort(400)
        try:
            answers = drafts.save_section(draft, questionnaire, [q.id for q in section.questions], pages.raw_answers(request.form, questionnaire, section))
        except drafts.DraftQuotaExceeded as full:
            db.session.rollback()
            return render_template("error.html", code=413, message=_quota_message(full.reason)), 413
        db.session.commit()
        shown = pages.shown_sections(questionnaire, answers, date.today())
        if request.form.get("action") == "back":
            previous = pages.neighbour(shown, number, -1)
            return redirect(url_for("collect.page", submission_id=submission_id, number=previous) if previous else url_for("collect.start", code=questionnaire.id))
        cleaned = clean_answers(questionnaire, answers, date.today())
        codes = pages.section_errors(cleaned, section)
        if not codes:
            following = pages.neighbour(shown, number, 1)
            return redirect(url_for("collect.page", submission_id=submission_id, number=following) if following else url_for("collect.review", submission_id=submission_id))
        errors = {qid: error_message(cleaned.errors[qid], questionnaire, language) for qid in codes}
    form = form_class(formdata=None, data={field_name(k): v for k, v in answers.items()})
    shown = pages.shown_sections(questionnaire, answers, date.today())
    context = {
        "form": form,
        "questionnaire": questionnaire,
        "section": section,
        "number": number,
        "position": shown.index(number) + 1 if number in shown else 1,
        "total": len(shown),
        "errors": errors,
        "draft": draft,
        "language": language,
        "asked": pages.asked_questions(questionnaire, section, answers, date.today()),
        "live": pages.live_conditions(section),
        "offered": pages.offered_choices(questionnaire, section, answers, date.today()),
        "earlier_json": pages.earlier_answers_json(questionnaire, section, answers, date.today()),
        "page_definition": pages.page_definition_json(section),
        "today": date.today().isoformat(),
    }
    return render_template("collect/page.html", **context), (422 if errors else 200)


@capability_required("collect")
def resume(submission_id: uuid.UUID) -> HttpResponse:
    """Go on with an unfinished form where it was left: the first page still to answer, else the review."""
    draft, _version, questionnaire = _draft_context(submission_id)
    number = pages.resume_at(questionnaire, drafts.answers_of(draft), date.today())
    return redirect(url_for("collect.page", submission_id=submission_id, number=number) if number else url_for("collect.review", submission_id=submission_id))


@capability_required("collect")
def review(submission_id: uuid.UUID) -> str:
    """Every answer on one page, before the final submit."""
    draft, version, questionnaire = _draft_context(submission_id)
    answers = drafts.answers_of(draft)
    cleaned = clean_answers(questionnaire, answers, date.today())
    facility = db.session.get(Facility, draft.facility_id)
    return render_template(
        "collect/review.html", questionnaire=questionnaire, version=version, draft=draft, facility=facility,
        rows=answer_rows(questionnaire, cleaned, current_language()), ok=cleaned.ok,
        hidden=pages.hidden_answer_fields({k: v for k, v in answers.items() if k in cleaned.answers}), language=current_language(),
    )


@reads_before_writing
@capability_required("collect")
def submit(code: str) -> HttpResponse | tuple[str, int]:
    """Store a complete submission exactly once; the receipt is shown only after the commit.

    The session only reads (user, version, facility); the response, its facts, their sums
    and the end of its draft are written by the group committer in one transaction with
    whatever else this process is submitting at the moment, and acknowledged after its fsync.
    """
    try:
        version = form_version(code, request.form.get("version", type=int) or 0) or abort(400)
    except UnknownQuestionnaire:
        abort(404)
    questionnaire = version.model
    if pages.unknown_keys(request.form, questionnaire):  # CSRFProtect has already checked the token
        abort(400)
    submission_id = _parse_uuid(request.form.get("submission_id"))
    checked = submission.check(submission_id, version, request.form.get("facility"), request.form.get("interview_date"),
                               pages.raw_answers(request.form, questionnaire))
    if checked.problem is not None:
        rows = [r for r in answer_rows(questionnaire, checked.cleaned, current_language()) if r["error"]]
        return render_template("collect/refused.html", questionnaire=questionnaire, rows=rows, problem=checked.problem, submission_id=submission_id), 422
    outcome = submission.store(checked, source="web")
    if outcome.status == "conflict":
        return render_template("collect/conflict.html", submission_id=submission_id), 409
    if outcome.response_id == 0:  # withdrawn and purged: acknowledged, never stored again
        flash(_("This interview had been withdrawn and removed; it was not stored again."), "success")
        return redirect(url_for("collect.mine"), code=303)
    return redirect(url_for("collect.receipt", submission_id=submission_id, repeat=1 if outcome.status == "duplicate" else None), code=303)


@capability_required("view_own_submissions")
def receipt(submission_id: uuid.UUID) -> str:
    """Proof that an interview was stored: id, time received, questionnaire version."""
    response = db.session.scalar(select(Response).where(Response.submission_id == submission_id, Response.submitted_by_id == current_user.id)) or abort(404)
    correct_url = url_for("collect.correct", response_id=response.id) if may_correct(current_user, response) else None
    return render_template("collect/receipt.html", response=response, repeat=request.args.get("repeat") == "1", language=current_language(),
                           correct_url=correct_url)


@capability_required("view_own_submissions")
def mine() -> str:
    """The user's own submissions, newest first."""
    rows = db.session.scalars(
        select(Response).where(Response.submitted_by_id == current_user.id).order_by(Response.received_at.desc(), Response.id.desc()).limit(200)
    ).all()
    correctable = {r.id for r in rows if may_correct(current_user, r)}
    return render_template("collect/mine.html", responses=rows, correctable=correctable, language=current_language(),
                           unfinished=drafts.unfinished(current_user))
