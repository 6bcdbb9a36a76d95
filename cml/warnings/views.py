"""Warnings: the region's bulletin (page and PDF), one warning, and the lead's pages to draft, edit, publish, withdraw."""

from __future__ import annotations

import shutil
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from cml.core.warnings.expiry import MAX_WARNING_DAYS, default_last_day, last_day_of
from cml.core.warnings.identifying import identifying_details
from cml.core.warnings.messenger import one_stop
from cml.extensions import db
from cml.models import Region
from cml.models import Warning as CommunityWarning
from cml.services import audit, cases
from cml.services import warnings as service
from cml.services.scope import load_region, visible_regions
from cml.warnings.candidates import candidates
from cml.warnings.forms import PostForm, PublishForm, WarningForm
from cml.web.access import capability_required
from cml.web.i18n import current_language
from cml.web.pdf import render_pdf, standalone_css
from cml.web.warning_labels import finding_names, refusal_message
from cml.web.warning_labels import warning_state_names as state_names

VIEW, MANAGE = "view_warnings", "manage_warnings"


def _region() -> Region:
    """The region asked for (?region=code), or the user's first; another region's, or none, is 404."""
    wanted = request.args.get("region", "")
    if wanted:
        return load_region(current_user, wanted)
    return next(iter(visible_regions(current_user)), None) or abort(404)


@capability_required(VIEW)
def bulletin() -> str:
    """The region's bulletin: its current warnings, each with a short text to copy into a messenger."""
    region = _region()
    language = current_language()
    made = service.bulletin(current_user, region, language)
    choices = [(r.code, r.label(language)) for r in visible_regions(current_user)]
    return render_template("warnings/bulletin.html", bulletin=made, region_choices=choices, may_manage=service.manages(current_user))


@capability_required(VIEW)
def bulletin_pdf() -> Response | tuple[str, int]:
    """The bulletin as a printable PDF in the reader's language, printed by headless Chromium on the server."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return render_template("error.html", code=503, message=_("PDF needs Chromium on the server. Open the bulletin and use your browser's Print, then Save as PDF.")), 503
    region = _region()
    language = current_language()
    made = service.bulletin(current_user, region, language)
    made_on = one_stop(_("Current warnings on %(day)s.", day=format_date(made.made_on, "long")))
    pdf = render_pdf(chromium, render_template("warnings/bulletin_print.html", bulletin=made, made_on=made_on, css_text=standalone_css()))
    audit.record("export.warning_bulletin", current_user, target=region.code, region=region.code, language=language, warnings=len(made.items))
    db.session.commit()
    name = f"cml-warnings-{region.code}-{made.made_on.isoformat()}-{language}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@capability_required(VIEW)
def page(warning_id: int) -> str:
    """One warning: its texts and messenger text; for a lead also its state and what to do with it."""
    warning = service.warning_for(current_user, warning_id)
    language = current_language()
    shown_state = service.shown_state(warning)
    # Only a warning on the bulletin has a text to share; a lead still reads the others (to correct, re-date or see why).
    shareable = shown_state == service.PUBLISHED and service.may_draft(warning.case)
    return render_template("warnings/warning.html", warning=warning, text=service.messenger_text(warning, language), shareable=shareable,
                           consent=service.may_draft(warning.case), shown_state=shown_state, states=state_names(),
                           may_manage=service.manages(current_user),
                           last_day=last_day_of(warning.expires_at) if warning.expires_at is not None else None, post_form=PostForm())


@capability_required(MANAGE)
def manage() -> str:
    """The lead's list: every warning of their regions in every state, and the reports with consent to a warning."""
    language = current_language()
    rows = [(w, service.shown_state(w), service.may_draft(w.case)) for w in service.managed_warnings(current_user)]
    names = {r.id: r.label(language) for r in visible_regions(current_user)}
    return render_template("warnings/manage.html", rows=rows, states=state_names(), candidates=candidates(current_user), region_names=names,
                           post_form=PostForm())


@capability_required(MANAGE)
def draft(report_id: int) -> BaseResponse | tuple[str, int]:
    """Start a warning from an incident report with the person's consent (or open the one it has)."""
    if not PostForm().validate_on_submit():
        return _refused("stale")
    case = cases.case_for_submission(current_user, report_id)  # 404 for a report that is not the user's to see
    try:
        warning = service.draft_from_case(current_user, case, current_language())
    except service.WarningRefused as refused:
        db.session.rollback()
        return _refused(refused.reason)
    db.session.commit()
    return redirect(url_for("warnings.edit", warning_id=warning.id), 303)


def _publish_form(warning_id: int) -> PublishForm:
    form = PublishForm(prefix="publish")
    if not form.last_day.data:
        warning = service.warning_for(current_user, warning_id)
        day = last_day_of(warning.expires_at) if warning.expires_at is not None else default_last_day(service.today(), service.warning_days())
        form.last_day.data = day.isoformat()
    return form


@capability_required(MANAGE)
def edit(warning_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit a warning's texts, with the details found that may identify someone; publish it from here."""
    warning = service.warning_for(current_user, warning_id)
    if not service.may_draft(warning.case) or warning.state == service.WITHDRAWN:
        return _refused("no_consent" if not service.may_draft(warning.case) else "withdrawn")
    form = WarningForm(obj=warning)
    if form.validate_on_submit():
        try:
            changed = service.edit(current_user, warning, {name: getattr(form, name).data for name in service.FIELDS})
        except service.WarningRefused as refused:
            db.session.rollback()
            return _refused(refused.reason)
        db.session.commit()
        flash(_("Saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("warnings.edit", warning_id=warning.id), 303)
    return _edit_page(warning, form, _publish_form(warning_id), 422 if request.method == "POST" else 200)


def _edit_page(warning: CommunityWarning, form: WarningForm, publish_form: PublishForm, status: int) -> tuple[str, int]:
    texts = " \n".join(str(getattr(warning, name) or "") for name in service.FIELDS)
    today = service.today()
    return render_template("warnings/edit.html", warning=warning, form=form, publish_form=publish_form, post_form=PostForm(),
                           findings=identifying_details(texts), finding_names=finding_names(), states=state_names(),
                           shown_state=service.shown_state(warning),
                           text=service.messenger_text(warning, current_language()),
                           earliest=today.isoformat(), latest=(today + timedelta(days=MAX_WARNING_DAYS)).isoformat()), status


@capability_required(MANAGE)
def publish(warning_id: int) -> BaseResponse | tuple[str, int]:
    """Publish the warning until its last day (or change the last day of a published one)."""
    warning = service.warning_for(current_user, warning_id)
    form = PublishForm(prefix="publish")
    if not form.validate_on_submit():
        return _edit_page(warning, WarningForm(obj=warning), form, 422)
    try:
        service.publish(current_user, warning, form.last_day_date())
    except service.WarningRefused as refused:
        db.session.rollback()
        return _refused(refused.reason)
    db.session.commit()
    flash(one_stop(_("Published: members of the region see it in the bulletin until %(day)s.", day=format_date(form.last_day_date(), "long"))), "success")
    return redirect(url_for("warnings.page", warning_id=warning.id), 303)


@capability_required(MANAGE)
def withdraw(warning_id: int) -> BaseResponse | tuple[str, int]:
    """Take the warning off the bulletin (or discard a draft); never undone."""
    warning = service.warning_for(current_user, warning_id)
    if not PostForm().validate_on_submit():
        return _refused("stale")
    service.withdraw(current_user, warning)
    db.session.commit()
    flash(_("Withdrawn: it is no longer in the bulletin."), "success")
    return redirect(url_for("warnings.manage"), 303)


def _refused(reason: str) -> tuple[str, int]:
    return render_template("error.html", code=422, message=refusal_message(reason)), 422
