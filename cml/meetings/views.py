"""Council meetings: the list, a new meeting, a meeting's agenda and what was asked last time; the register as XLSX."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from cml.extensions import db
from cml.meetings import lines
from cml.meetings.forms import AgendaForm, MeetingForm, MoveForm, PostForm
from cml.models import Meeting
from cml.services import audit, meetings
from cml.services.actions import recheck, visible_actions
from cml.services.scope import region_for, region_ids, visible_regions
from cml.web.access import capability_required
from cml.web.i18n import current_language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEW, MANAGE = "view_actions", "manage_actions"


def _meeting_form() -> MeetingForm:
    form = MeetingForm()
    language = current_language()
    form.region.choices = [SelectChoice("", "—")] + [SelectChoice(str(r.id), r.label(language)) for r in visible_regions(current_user)]
    if region_ids(current_user) is not None:  # a lead's councils are their regions' councils
        form.kind.choices = [c for c in form.kind.choices if c.value == meetings.REGIONAL]
    return form


def council_name(meeting: Meeting, language: str) -> str:
    if meeting.region is None:
        return _("National council")
    return _("Regional council: %(region)s", region=meeting.region.label(language))


@capability_required(MANAGE)
def meeting_list() -> BaseResponse | tuple[str, int] | str:
    """The meetings of the user's councils, latest first, and a form for a new one."""
    form = _meeting_form()
    if form.validate_on_submit():
        region = region_for(current_user, form.region.data) if form.region.data else None
        if form.kind.data == meetings.REGIONAL and region is None:
            form.region.errors = [_("Choose the region of the council.")]
        elif form.kind.data == meetings.NATIONAL and form.region.data:
            form.region.errors = [_("The national council has no region: leave the region empty.")]
        else:
            meeting = meetings.create_meeting(current_user, form.kind.data or "", region, form.held_on_date(), form.title.data or "")
            db.session.commit()
            flash(_("Meeting added. Now put the actions to raise on its agenda."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id), 303)
    language = current_language()
    rows = [(m, council_name(m, language), len(m.agenda)) for m in meetings.visible_meetings(current_user)]
    status = 422 if form.errors or (request.method == "POST") else 200
    return render_template("meetings/list.html", form=form, rows=rows, today=date.today().isoformat()), status


@capability_required(VIEW)
def meeting(meeting_id: int) -> str:
    """A meeting: its agenda with each action's figure and re-check, and what its council was asked last time."""
    language = current_language()
    found = meetings.meeting_for(current_user, meeting_id)
    items = [lines.line(a, recheck(a, current_user), language, current_user) for a in meetings.agenda(current_user, found)]
    before = meetings.previous_meeting(found)
    earlier = [lines.line(a, recheck(a, current_user), language, current_user) for a in meetings.agenda(current_user, before)] if before else []
    form = AgendaForm()
    form.action.choices = [SelectChoice(str(a.id), f"#{a.id} {a.problem[:80]}") for a in meetings.candidates(current_user, found)]
    return render_template("meetings/meeting.html", meeting=found, council=council_name(found, language), items=items, before=before,
                           earlier=earlier, form=form, move_form=MoveForm())


@capability_required(MANAGE)
def agenda_add(meeting_id: int) -> BaseResponse | tuple[str, int]:
    """Put an action on the agenda."""
    found = meetings.meeting_for(current_user, meeting_id)
    form = AgendaForm()
    form.action.choices = [SelectChoice(str(a.id)) for a in meetings.candidates(current_user, found)]
    if not form.validate_on_submit():
        return _refused(_("Choose one of the listed actions."))
    try:
        meetings.add_to_agenda(current_user, found, form.action.data)
    except meetings.MeetingError:
        return _refused(_("Choose one of the listed actions."))
    db.session.commit()
    return redirect(url_for("meetings.meeting", meeting_id=found.id) + "#agenda", 303)


@capability_required(MANAGE)
def agenda_remove(meeting_id: int, action_id: int) -> BaseResponse | tuple[str, int]:
    """Take an action off the agenda (the action itself stays)."""
    found = meetings.meeting_for(current_user, meeting_id)
    if not PostForm().validate_on_submit():
        return _refused(_("The form was stale. Please try again."))
    meetings.remove_from_agenda(current_user, found, action_id)
    db.session.commit()
    return redirect(url_for("meetings.meeting", meeting_id=found.id) + "#agenda", 303)


@capability_required(MANAGE)
def agenda_move(meeting_id: int, action_id: int) -> BaseResponse | tuple[str, int]:
    """Move an action one place up or down the agenda."""
    found = meetings.meeting_for(current_user, meeting_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _refused(_("Choose up or down."))
    meetings.move_on_agenda(current_user, found, action_id, -1 if form.direction.data == "up" else 1)
    db.session.commit()
    return redirect(url_for("meetings.meeting", meeting_id=found.id) + "#agenda", 303)


def _refused(message: str) -> tuple[str, int]:
    return render_template("error.html", code=422, message=message), 422


@capability_required(VIEW)
def register() -> Response:
    """Every action the user may see as an XLSX, in the reader's language; recorded before the first byte."""
    language = current_language()
    items = [lines.line(a, recheck(a, current_user), language, current_user) for a in visible_actions(current_user)]
    audit.record("export.action_register", current_user, target="actions", rows=len(items), language=language,
                 regions=sorted(region_ids(current_user) or []) or "all")
    db.session.commit()
    name = f"cml-action-register-{date.today().isoformat()}-{language}.xlsx"
    from cml.meetings.register import register_xlsx  # XlsxWriter only when a register is asked for: a fresh app loads no writer

    return Response(register_xlsx(items, current_user.username), mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
