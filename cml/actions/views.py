"""The action register, opening an action from a dashboard figure, one action's page, its edit and state."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from cml.actions.forms import ActionForm, NewActionForm, StateForm
from cml.actions.units import figure_fingerprint, quarter_choices, unit_from_args, unit_words
from cml.core.action_check import Figure
from cml.core.periods import parse_period, period_label
from cml.extensions import db
from cml.models import ACTION_STATES, Action
from cml.services import actions
from cml.services.scope import load_region, visible_regions
from cml.web import present
from cml.web.access import capability_required
from cml.web.action_labels import (
    VERDICT_CLASSES,
    action_state_names,
    change_text,
    duty_bearer_kind_names,
    figure_text,
    verdict_text,
)
from cml.web.i18n import current_language

EDITABLE = ("problem", "duty_bearer_kind", "duty_bearer", "asked", "commitment", "commitment_where", "commitment_on", "owner", "due_period")


@capability_required("view_actions")
def register() -> str:
    """The actions of the reader's regions (all, for advocates and admins), filtered by state and region."""
    region = load_region(current_user, request.args["region"]) if request.args.get("region") else None
    state = request.args.get("state") if request.args.get("state") in ACTION_STATES else None
    language = current_language()
    rows = []
    for action in actions.visible_actions(current_user, region_id=region.id if region else None, state=state):
        check = actions.recheck(action, current_user)
        rows.append({"action": action, "unit": unit_words(action, current_user, language), "indicator": _indicator_label(action, language),
                     "verdict": verdict_text(check), "verdict_class": VERDICT_CLASSES[check.verdict]})
    return render_template("actions/register.html", rows=rows, regions=visible_regions(current_user), region=region, state=state,
                           states=action_state_names(), language=language)


@capability_required("manage_actions")
def new() -> Response | str | tuple[str, int]:
    """Open an action on one dashboard figure (survey, indicator, region/facility, quarter in the link), frozen as shown."""
    args = request.args
    code, indicator_id = args.get("survey", "")[:64], args.get("indicator", "")[:64]
    unit = unit_from_args(current_user, args.get("region"), args.get("facility"))
    parsed = parse_period(args.get("period", "")[:10])
    if parsed is None or parsed[0] != "quarter":
        return _refused(_("An action rests on a quarter's figure: open it from the dashboard with quarters chosen."))
    period = parsed[1]
    try:
        figure = actions.figure_for(current_user, code, indicator_id, unit, period)
    except actions.NotAFigure as refused:
        return _refused(_not_a_figure(str(refused)))
    language = current_language()
    shown = present.shown(figure.cell, figure.indicator, figure.questionnaire, language)
    form = NewActionForm()
    form.duty_bearer_kind.choices = [SelectChoice(kind, name) for kind, name in duty_bearer_kind_names().items()]
    form.due_period.choices = quarter_choices(period, language)
    if request.method == "GET":
        form.seen.data = figure_fingerprint(figure)
    elif form.validate_on_submit():
        if form.seen.data != figure_fingerprint(figure):
            form.seen.data = figure_fingerprint(figure)
            flash(_("The figure changed since the page was opened (new or corrected data). Check it, then save again."), "error")
        else:
            words = {"estimate": shown.estimate, "interval": shown.interval, "target": shown.target, "verdict": shown.verdict,
                     "label": shown.label, "design": present.design_note(figure.questionnaire.sampling), "language": language}
            action = actions.new_action(current_user, figure, words, state="open", **_fields(form))
            db.session.commit()
            flash(_("The action is open. Its figure is kept as it was shown."), "success")
            return redirect(url_for("actions.page", action_id=action.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("actions/new.html", form=form, figure=figure, shown=shown, unit=unit_words(None, current_user, language, unit),
                           title=figure.questionnaire.text(figure.indicator.label, language), language=language,
                           design_note=present.design_note(figure.questionnaire.sampling)), status


@capability_required("view_actions")
def page(action_id: str) -> str:
    """One action: its frozen figure beside what the data say now, what was asked and committed, its history."""
    action = actions.action_for(current_user, action_id)
    return render_template("actions/action.html", **_page_data(action), state_form=_state_form(action))


@capability_required("manage_actions")
def edit(action_id: str) -> Response | str | tuple[str, int]:
    """Change what an action says (never its figure)."""
    action = actions.action_for(current_user, action_id)
    if not actions.may_manage(current_user, action):
        abort(403)
    language = current_language()
    form = ActionForm(obj=action if request.method == "GET" else None)
    form.duty_bearer_kind.choices = [SelectChoice(kind, name) for kind, name in duty_bearer_kind_names().items()]
    form.due_period.choices = quarter_choices(action.baseline_period, language)
    if request.method == "GET":
        form.due_period.data = str(action.due_period)
    elif form.validate_on_submit():
        changed = actions.edit(action, current_user, _fields(form))
        db.session.commit()
        flash(_("Saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("actions.page", action_id=action.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("actions/edit.html", form=form, action=action, language=language), status


@capability_required("manage_actions")
def change_state(action_id: str) -> Response | tuple[str, int]:
    """A person's decision on the action's state (shown beside what the data say, never taken from them)."""
    action = actions.action_for(current_user, action_id)
    if not actions.may_manage(current_user, action):
        abort(403)
    form = _state_form(action)
    if not form.validate_on_submit():
        return render_template("actions/action.html", **_page_data(action), state_form=form), 422
    if actions.set_state(action, current_user, form.state.data):
        db.session.commit()
        flash(_("The action is now: %(state)s.", state=action_state_names()[action.state]), "success")
    return redirect(url_for("actions.page", action_id=action.id), 303)


def _state_form(action: Action) -> StateForm:
    form = StateForm(data={"state": action.state} if request.method == "GET" else None)
    form.state.choices = [SelectChoice(state, name) for state, name in action_state_names().items()]
    return form


def _fields(form: ActionForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in EDITABLE}
    for name in ("problem", "duty_bearer", "asked", "commitment", "commitment_where", "owner"):
        values[name] = (values[name] or "").strip()
    values["due_period"] = int(values["due_period"])
    return values


def _page_data(action: Action) -> dict[str, Any]:
    language = current_language()
    check = actions.recheck(action, current_user)
    percent = action.baseline.get("kind") == "proportion"
    baseline = check.baseline
    if baseline is None and actions.shows_facility_figures(current_user, action) and not check.withheld:
        baseline = Figure(action.baseline["estimate"], action.baseline["low"], action.baseline["high"], action.baseline["n"], action.baseline_period)
    return {
        "action": action, "check": check, "language": language, "percent": percent,
        "unit": unit_words(action, current_user, language), "indicator": _indicator_label(action, language),
        "baseline_text": figure_text(baseline, percent, language) if baseline is not None else None,
        "current_text": figure_text(check.current, percent, language) if check.current is not None else None,
        "change_text": change_text(check, percent, language), "verdict": verdict_text(check), "verdict_class": VERDICT_CLASSES[check.verdict],
        "target_text": present.fmt(check.target, percent, language) if check.target is not None else None,
        "states": action_state_names(), "kinds": duty_bearer_kind_names(), "history": actions.history(action),
        "may_manage": actions.may_manage(current_user, action),
        "facility_hidden": not actions.shows_facility_figures(current_user, action),
        "dashboard_link": _dashboard_link(action),
    }


def _dashboard_link(action: Action) -> str:
    """The indicator page of the action's region (or the nation) in its due quarter: the region-level view of it."""
    args: dict[str, Any] = {"survey": action.questionnaire_code, "indicator": action.indicator_id, "grain": "quarter",  # Any: url_for's **values
            "period": period_label(action.due_period, "quarter")}
    if action.region is not None:
        args["region"] = action.region.code
    return url_for("dashboard.indicator", **args)


def _indicator_label(action: Action, language: str) -> str:
    label = actions.indicator_label(action, language)
    return label if label is not None else action.indicator_id


def _not_a_figure(reason: str) -> str:
    return {
        "questionnaire": _("There is no such questionnaire."),
        "indicator": _("The questionnaire has no such indicator."),
        "direction": _("This indicator says neither higher nor lower is better, so no change can be judged."),
        "facility": _("Facility figures are not published: open the action from the region's figure."),
        "empty": _("No one was asked in this quarter: there is no figure to rest an action on."),
        "withheld": _("This figure is withheld (too few people): an action can only rest on a published figure."),
    }.get(reason, _("There is no such figure."))


def _refused(message: str) -> tuple[str, int]:
    return render_template("actions/refused.html", message=message), 422
