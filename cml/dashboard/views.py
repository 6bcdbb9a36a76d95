"""Dashboards: an indicator overview, and one indicator by unit, over time and in a funnel.

Every figure comes from `estimate_cells` (SQL sums per facility, statistics in core).
Advocates see regions only, with small cells suppressed; leads and admins see facilities.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from flask import abort, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cml.auth.capabilities import has_capability
from cml.config import suppression_threshold
from cml.core.funnel import mean_limits, outside_mean_limits, outside_proportion_limits, proportion_limits, size_grid
from cml.core.periods import Grain, month_range, period_label, previous_period
from cml.core.publication import Cube, Publication
from cml.core.tabulate import CellEstimate, Dimension
from cml.dashboard.query import Filters, facility_names, read_filters, region_labels
from cml.services import review, surveys
from cml.services.estimates import estimate_cells
from cml.services.publication import disclosure_cube
from cml.services.scope import visible_regions
from cml.web import charts, present
from cml.web.access import capability_required
from cml.web.formatting import fmt_period
from cml.web.i18n import current_language
from cml.web.vendor import plotly_url


def _gate(filters: Filters) -> Cube | None:
    """For advocates: the questionnaire's protected cube, which decides every figure they see."""
    return disclosure_cube(filters.code, suppression_threshold()) if filters.aggregates_only else None


def _status(gate: Cube | None, cell: CellEstimate, region_id: int | None, grain: Grain) -> Publication | None:
    return None if gate is None else gate.status(cell.indicator, region_id, grain, cell.period)


def _withheld_empty(gate: Cube | None, indicator: str, region_id: int | None, grain: Grain, period: int) -> bool:
    """Whether a cell without respondents is withheld: a linked indicator's figure there is."""
    if gate is None or (indicator, region_id, grain, period) not in gate.counts:
        return False
    return not gate.status(indicator, region_id, grain, period).published


def _periods(first: int, last: int, grain: Grain) -> list[int]:
    periods = [last]
    while periods[-1] > first:
        periods.append(previous_period(periods[-1], grain))
    return periods[::-1]


def _change_shown(gate: Cube | None, cell: CellEstimate, region_id: int | None, grain: Grain) -> bool:
    return gate is None or gate.change_shown(cell.indicator, region_id, grain, cell.period)


@capability_required("view_indicators")
def overview() -> str:
    """Every indicator of a questionnaire for one period, with target verdict and change."""
    filters = read_filters()
    language = current_language()
    previous = previous_period(filters.period, filters.grain)
    # The cube first: it reads every period's sums, which the tables below then share (see shared_facility_totals).
    gate = _gate(filters)
    table = estimate_cells(filters.code, by=("period",), grain=filters.grain, period_range=(previous, filters.period), region_ids=filters.scope)
    questionnaire = table.questionnaire
    region_id = filters.region.id if filters.region else None
    rows = []
    for indicator in table.indicators:
        cell = next((c for c in table.rows if c.indicator == indicator.id and c.period == filters.period), None)
        if cell is None:
            label = questionnaire.text(indicator.label, language)
            hidden = _withheld_empty(gate, indicator.id, region_id, filters.grain, filters.period)
            rows.append({"id": indicator.id, "shown": present.empty(label, True) if hidden else None, "label": label})
            continue
        shown = present.shown(cell, indicator, questionnaire, language, publication=_status(gate, cell, region_id, filters.grain),
                              previous_published=_change_shown(gate, cell, region_id, filters.grain))
        rows.append({"id": indicator.id, "shown": shown, "label": shown.label})
    return render_template("dashboard/overview.html", filters=filters, rows=rows, questionnaire=questionnaire, language=language,
                           period_text=period_label(filters.period, filters.grain), regions=_region_choices(),
                           design_note=present.design_note(questionnaire.sampling), review_counts=_review_counts(filters),
                           action_args=_action_args(filters))


def _action_args(filters: Filters) -> dict[str, str] | None:
    """The unit part of an "Open an action" link for the figures shown over the filters' whole scope:
    the chosen region, the nation, or a lead's one region; None where no action can be opened
    (a grain other than quarters, a lead's several regions pooled, no right to open actions)."""
    if filters.grain != "quarter" or not has_capability(current_user, "manage_actions"):
        return None
    if filters.region is not None:
        return {"region": filters.region.code}
    if filters.scope is None or len(filters.scope) == 1:
        return {}  # the nation, or the lead's only region (the actions page reads it from the user)
    return None


def _action_link(filters: Filters, indicator: str, period: str, unit: dict[str, Any] | None) -> str | None:  # Any: url_for's **values
    if unit is None:
        return None
    return url_for("actions.new", survey=filters.code, indicator=indicator, period=period, **unit)


def _review_counts(filters: Filters) -> dict[str, int] | None:
    """For reviewers: the period's submissions by review state, in the regions shown (None for others)."""
    if not has_capability(current_user, "review_submissions"):
        return None
    first, last = month_range(filters.period, filters.grain)
    return review.state_counts(current_user, filters.questionnaire_id, first, last, filters.scope)


def _region_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label(current_language())) for r in visible_regions(current_user)]


def _indicator_data(filters: Filters) -> dict[str, Any]:
    """Everything the indicator page and its JSON show, already scoped and suppressed."""
    language = current_language()
    version = surveys.latest_version(filters.code) or abort(404)
    questionnaire = surveys.model_of(version)
    indicator = questionnaire.indicator(filters.indicator or "") or abort(404)
    percent = indicator.type == "proportion"
    by_facility = filters.facility_level and (filters.region is not None or (filters.scope is not None and len(filters.scope) == 1))
    unit_dimension: Dimension = "facility" if by_facility else "region"
    gate = _gate(filters)
    units = estimate_cells(filters.code, indicator_ids=[indicator.id], by=(unit_dimension, "period"), grain=filters.grain,
                           period_range=(filters.period, filters.period), region_ids=filters.scope, change=False).rows
    overall_cells = estimate_cells(filters.code, indicator_ids=[indicator.id], by=("period",), grain=filters.grain,
                                   period_range=(filters.first, filters.period), region_ids=filters.scope).rows
    region_id = filters.region.id if filters.region else None
    names = facility_names({c.facility_id for c in units if c.facility_id is not None}, language) if by_facility else region_labels(language)
    unit_rows, unit_points, unit_links = [], [], []
    whole = _action_args(filters)
    # Each unit row is a unit of its own, also where the rows together are not (a lead's several regions).
    openable = filters.grain == "quarter" and has_capability(current_user, "manage_actions")
    codes = {r.id: r.code for r in visible_regions(current_user)} if openable else {}
    period_text = period_label(filters.period, filters.grain)
    for cell in sorted(units, key=lambda c: -c.estimate):
        key = cell.facility_id if by_facility else cell.region_id
        label = names.get(key or 0, "?")
        status = _status(gate, cell, cell.region_id, filters.grain)
        unit_rows.append(present.shown(cell, indicator, questionnaire, language, label=label, publication=status))
        unit = None if not openable or (status is not None and not status.published) else (
            {"facility": str(cell.facility_id)} if by_facility else {"region": codes.get(cell.region_id or 0, "")})
        unit_links.append(_action_link(filters, indicator.id, period_text, unit))
        if status is None or status.published:
            unit_points.append((cell, present.point(cell, label)))
    if gate is not None:  # every region is listed: an absent row must not stand for "no one"
        listed = {cell.region_id for cell in units}
        for region in gate.regions:
            if region not in listed and (filters.scope is None or region in filters.scope):
                hidden = _withheld_empty(gate, indicator.id, region, filters.grain, filters.period)
                unit_rows.append(present.empty(names.get(region, "?"), hidden))
                unit_links.append(None)
    trend_rows, trend_points = [], []
    for cell in overall_cells:
        status = _status(gate, cell, region_id, filters.grain)
        label = fmt_period(cell.period_label, filters.grain, language) if cell.period_label else ""
        shown = present.shown(cell, indicator, questionnaire, language, label=label, publication=status,
                              previous_published=_change_shown(gate, cell, region_id, filters.grain))
        trend_rows.append(replace(shown, key=cell.period_label))
        if status is None or status.published:
            trend_points.append(present.point(cell, label))
    if gate is not None:
        shown_periods = {cell.period for cell in overall_cells}
        for period in _periods(filters.first, filters.period, filters.grain):
            if period not in shown_periods:
                text = period_label(period, filters.grain)
                hidden = _withheld_empty(gate, indicator.id, region_id, filters.grain, period)
                trend_rows.append(present.empty(fmt_period(text, filters.grain, language), hidden, key=text))
        trend_rows.sort(key=lambda row: row.key or "")
    trend_links = [_action_link(filters, indicator.id, row.key, whole) if row.key and row.n and not row.suppressed else None
                   for row in trend_rows]
    current = next((c for c in overall_cells if c.period == filters.period), None)
    if gate is not None and current is not None and not gate.status(current.indicator, region_id, filters.grain, current.period).published:
        current = None
    return {
        "questionnaire": questionnaire, "indicator": indicator, "percent": percent, "unit_dimension": unit_dimension,
        "unit_rows": unit_rows, "unit_points": unit_points, "trend_rows": trend_rows, "trend_points": trend_points,
        "unit_links": unit_links, "trend_links": trend_links,
        "current": current, "language": language,
    }


@capability_required("view_indicators")
def indicator() -> str:
    """One indicator: by facility or region, over time, and in a funnel plot."""
    filters = read_filters()
    data = _indicator_data(filters)
    language, indicator, percent = data["language"], data["indicator"], data["percent"]
    questionnaire = data["questionnaire"]
    title = questionnaire.text(indicator.label, language)
    target = (indicator.target / 100 if percent else indicator.target) if indicator.target is not None else None
    axis = _("Percent") if percent else _("Average")
    names = present.chart_names(language)
    period_words = fmt_period(filters.period, filters.grain, language)
    unit_title = _("By facility, %(period)s", period=period_words) if data["unit_dimension"] == "facility" else _("By region, %(period)s", period=period_words)
    funnel_title = _("Funnel plot: is any unit further from the overall figure than chance explains?")
    figures = {
        "units": (unit_title, charts.dot_whisker([p for _, p in data["unit_points"]], unit_title, axis, target, percent, names)) if data["unit_points"] else None,
        "trend": (_("Over time"), charts.trend(data["trend_points"], _("Over time"), axis, target, percent, names)) if data["trend_points"] else None,
        "funnel": (funnel_title, figure) if (figure := _funnel(data, percent, axis, names, funnel_title)) else None,
    }
    return render_template("dashboard/indicator.html", filters=filters, figures=figures, title=title, plotly_src=plotly_url(),
                           period_text=period_label(filters.period, filters.grain), regions=_region_choices(),
                           design_note=present.design_note(questionnaire.sampling), **data)


def _funnel(data: dict[str, Any], percent: bool, axis: str, names: dict[str, str], title: str) -> str | None:
    current: CellEstimate | None = data["current"]
    units: list[tuple[CellEstimate, charts.Point]] = data["unit_points"]
    if current is None or len(units) < 2:
        return None
    sizes = size_grid(max(cell.n for cell, _ in units) * 1.1)
    if percent:
        limits = [proportion_limits(current.estimate, sizes, level) for level in (0.95, 0.998)]
        outside = outside_proportion_limits(current.estimate, [(cell.n, cell.estimate) for cell, _ in units], 0.95)
    else:
        # The spread of individual values (sample SD of all answers), else recovered from the interval: se * sqrt(n / deff).
        sd = current.sd if current.sd is not None else current.se * math.sqrt(max(current.n, 1) / max(current.design_effect or 1.0, 1e-9))
        scale = data["indicator"].question and data["questionnaire"].question(data["indicator"].question)
        bounds = (scale.minimum, scale.maximum) if scale and scale.minimum is not None and scale.maximum is not None else None
        limits = [mean_limits(current.estimate, sd, sizes, level, bounds) for level in (0.95, 0.998)]
        outside = outside_mean_limits(current.estimate, sd, [(cell.n, cell.estimate) for cell, _ in units], 0.95)
    return charts.funnel([p for _, p in units], outside, current.estimate, limits, title, axis, percent, names)


@capability_required("view_indicators")
def indicator_json() -> Response:
    """The indicator page's figures as JSON, with the same scope and suppression."""
    filters = read_filters()
    data = _indicator_data(filters)

    def rows(shown_rows: list[present.Shown]) -> list[dict[str, Any]]:
        return [{"label": s.label, "key": s.key, "n": s.n, "estimate": s.estimate, "interval": s.interval, "target": s.target, "verdict": s.verdict,
                 "change": s.change, "suppressed": s.suppressed} for s in shown_rows]

    return jsonify(
        questionnaire=filters.code, indicator=data["indicator"].id, period=period_label(filters.period, filters.grain),
        unit=data["unit_dimension"], units=rows(data["unit_rows"]), trend=rows(data["trend_rows"]),
        sampling=data["questionnaire"].sampling,
        link=url_for("dashboard.indicator", **filters.args()),
    )
