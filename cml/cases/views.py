"""The cases of a region's incident reports, one case's page, its steps, state and withdrawn consent.

Leads (their regions) and admins see every incident report as a case; the monitor who filed a
report sees its case and may add steps; advocates see none. The scope is decided in
`cml.services.cases`: a case of another region, or of someone else's report, is "not found".
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from cml.cases.forms import ConsentForm, StateForm, StepForm
from cml.cases.labels import case_state_names, consent_names, step_kind_names, step_outcome_names
from cml.collect.answer_rows import answer_rows
from cml.core.answers import CleanedAnswers
from cml.core.questionnaire import Answer
from cml.extensions import db
from cml.models import CASE_STATES, REFERRAL_KINDS, STEP_KINDS, Case, User
from cml.models.cases import CONSENTS
from cml.services import cases, surveys
from cml.services.scope import load_region, visible_regions
from cml.web.access import capability_required
from cml.web.i18n import current_language

SEEN_BY = "view_own_submissions"
"""The pages a monitor may open for their own reports; the service narrows every query to them."""


@capability_required(SEEN_BY)
def case_list() -> str:
    """The incident reports of the reader's regions as cases (a monitor: their own), by state and region."""
    region = None
    if request.args.get("region"):
        region = load_region(current_user, request.args["region"])
    state = request.args.get("state") if request.args.get("state") in CASE_STATES else None
    language = current_language()
    rows = cases.visible_cases(current_user, region_id=region.id if region else None, state=state)
    return render_template("cases/list.html", rows=rows, regions=visible_regions(current_user), region=region, state=state,
                           states=case_state_names(), type_names=_choice_names("violence_types", language), language=language,
                           region_names={r.id: r.label(language) for r in visible_regions(current_user)}, manages=cases.manages(current_user))


@capability_required(SEEN_BY)
def report(report_id: str) -> Response:
    """The case of one incident report (made on first opening), from the list, a receipt or "my submissions"."""
    case = cases.case_for_submission(current_user, report_id)
    return redirect(url_for("cases.page", case_id=case.id), 303)


@capability_required(SEEN_BY)
def page(case_id: str) -> str:
    case = cases.case_for(current_user, case_id)
    return render_template("cases/case.html", **_page_data(case))


@capability_required(SEEN_BY)
def add_step(case_id: str) -> Response | tuple[str, int]:
    """A follow-up step, by a lead or the monitor who filed the report."""
    case = cases.case_for(current_user, case_id)
    if not cases.may_add_step(current_user, case):
        abort(403)
    form = _step_form(case)
    if form.validate_on_submit():
        try:
            cases.add_step(current_user, case, kind=form.kind.data, happened_on=form.happened_on.data, outcome=form.outcome.data,
                           note=form.note.data or "")
        except cases.CaseRefused as refused:
            db.session.rollback()
            form.kind.errors = [_refusal(refused.reason)]
        else:
            db.session.commit()
            flash(_("The step is recorded."), "success")
            return redirect(url_for("cases.page", case_id=case.id) + "#steps", 303)
    return render_template("cases/case.html", **_page_data(case, step_form=form)), 422


@capability_required("manage_cases")
def change_state(case_id: str) -> Response | tuple[str, int]:
    """Close or reopen a case."""
    case = cases.case_for(current_user, case_id)
    form = StateForm()
    if not form.validate_on_submit() or form.state.data not in CASE_STATES:
        flash(_("Choose open or closed."), "error")
        return render_template("cases/case.html", **_page_data(case)), 422
    if cases.set_state(current_user, case, form.state.data):
        db.session.commit()
        flash(_("The case is now: %(state)s.", state=case_state_names()[case.state]), "success")
    return redirect(url_for("cases.page", case_id=case.id), 303)


@capability_required("manage_cases")
def withdraw_consent(case_id: str) -> Response | tuple[str, int]:
    """Record that the person withdrew one consent (never granted again here)."""
    case = cases.case_for(current_user, case_id)
    form = ConsentForm()
    if not form.validate_on_submit() or form.use.data not in CONSENTS:
        flash(_("Tick the box to confirm that the person withdrew this consent."), "error")
        return render_template("cases/case.html", **_page_data(case)), 422
    if cases.withdraw_consent(current_user, case, form.use.data):
        db.session.commit()
        flash(_("Recorded: the person withdrew their consent to be %(use)s.", use=consent_names()[form.use.data].lower()), "success")
    return redirect(url_for("cases.page", case_id=case.id) + "#consent", 303)


def _step_form(case: Case) -> StepForm:
    form = StepForm()
    names = step_kind_names()
    kinds = [kind for kind in STEP_KINDS if kind not in REFERRAL_KINDS or case.consented("referral")]
    form.kind.choices = [SelectChoice(kind, names[kind]) for kind in kinds]
    form.outcome.choices = [SelectChoice(outcome, name) for outcome, name in step_outcome_names().items()]
    return form


def _refusal(reason: str) -> str:
    return {
        "no_referral_consent": _("The person did not consent to be referred to services (or withdrew it): no referral can be recorded."),
        "closed": _("The case is closed. Reopen it to add a step."),
        "date": _("The date cannot be in the future."),
        "note": _("The note is too long."),
    }.get(reason, _("Choose a step and an outcome from the lists."))


def _choice_names(question_id: str, language: str) -> dict[str, str]:
    version = surveys.latest_version(cases.INCIDENT_CODE)
    if version is None:
        return {}
    model = surveys.model_of(version)
    question = model.question(question_id)
    names: dict[str, str] = {c.id: model.text(c.label, language) for c in question.choices} if question is not None else {}
    return names


def _page_data(case: Case, step_form: StepForm | None = None) -> dict[str, Any]:
    language = current_language()
    response = case.response
    model = surveys.model_of(response.version)
    if request.method == "GET":
        cases.begin_writing()
    details = cases.report_details(case, current_user)
    db.session.commit()  # the audited opening of sealed answers is kept, whatever the page does next
    shown: dict[str, Answer] = {name: value for name, value in details.items() if value not in (None, "", [])}
    filed_by = db.session.get(User, case.filed_by_id) if case.filed_by_id else None
    asked = cases.asked_consent(case)
    consents = [{"use": use, "name": name, "asked": use in asked, "given": bool(getattr(case, f"consent_{use}")),
                 "withdrawn_at": getattr(case, f"{use}_withdrawn_at")} for use, name in consent_names().items()]
    return {
        "case": case, "response": response, "language": language, "filed_by": filed_by, "incident_date": cases.incident_date_of(response),
        "details": answer_rows(model, CleanedAnswers(answers=shown, errors={}), language),
        "consents": consents, "states": case_state_names(), "kinds": step_kind_names(), "outcomes": step_outcome_names(),
        "step_form": step_form or _step_form(case), "state_form": StateForm(), "consent_form": ConsentForm(),
        "may_manage": cases.may_manage(current_user, case), "may_add_step": cases.may_add_step(current_user, case),
    }
