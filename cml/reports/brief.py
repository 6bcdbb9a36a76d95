"""The printable council brief: headline findings, charts, the indicator table, the method.

Aggregates only, with disclosure control, whoever prints it: it is made to leave the
platform. The PDF is the same page printed by headless Chromium.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cml.config import suppression_threshold
from cml.core.periods import period_label, period_of, periods_with_data, previous_period, read_period
from cml.core.tabulate import MISSES
from cml.extensions import db
from cml.meetings.brief_section import last_time
from cml.models import Region
from cml.reports.incidents_section import documented_incidents
from cml.services import audit, surveys
from cml.services.estimates import data_months, estimate_cells
from cml.services.publication import disclosure_cube
from cml.services.scope import load_region, region_ids, visible_regions
from cml.web import charts, present
from cml.web.access import capability_required
from cml.web.formatting import fmt_period
from cml.web.i18n import current_language
from cml.web.pdf import render_pdf
from cml.web.vendor import plotly_path, plotly_url

HEADLINE_CHARTS = 3


def _period(quarters: list[int]) -> tuple[int, str]:
    """The requested quarter (another grain's period converted), or the latest quarter with data, or this quarter;
    with a notice when the request named no readable period."""
    text = request.args.get("period", "").strip()
    period = read_period(text, "quarter", quarters) if text else None
    notice = _("“%(text)s” is not a period such as 2026Q3: the latest quarter with data is shown.", text=text[:20]) if text and period is None else ""
    if period is None:
        period = quarters[0] if quarters else period_of(date.today(), "quarter")
    return period, notice


def _region() -> Region | None:
    """The region the brief is about: None for the nation; a lead's brief is always of one of their regions."""
    wanted = request.args.get("region", "")
    if wanted:
        return load_region(current_user, wanted)
    if region_ids(current_user) is None:
        return None
    return next(iter(visible_regions(current_user)), None) or abort(404)


def brief_context() -> dict[str, Any]:
    """Everything the brief shows: each figure passed through the disclosure gate, only of the reader's regions."""
    published = surveys.published_questionnaires()
    code = request.args.get("survey") or (published[0].code if published else "")
    row = next((q for q in published if q.code == code), None) or abort(404)
    language = current_language()
    k = suppression_threshold()
    region = _region()
    region_id = region.id if region is not None else None
    # The quarters with data in the reader's scope, not the chosen region's alone: the brief is published figures,
    # and a quarter listed for one region would tell that someone there was interviewed even where every figure is withheld.
    quarters = periods_with_data(data_months(row.id, region_ids(current_user)), "quarter")
    period, period_notice = _period(quarters)
    previous = previous_period(period, "quarter")
    headline = estimate_cells(code, by=("period",), period_range=(previous, period), region_ids=None if region is None else {region.id})
    gate = disclosure_cube(code, k)
    questionnaire = headline.questionnaire
    region_names = {r.id: r.label(language) for r in db.session.scalars(select(Region))}
    rows, headline_missed, headline_changes, overview_points, overview_targets = [], [], [], [], []
    for indicator in headline.indicators:
        cell = next((c for c in headline.rows if c.indicator == indicator.id and c.period == period), None)
        if cell is None:
            continue
        status = gate.status(indicator.id, region_id, "quarter", period)
        shown = present.shown(cell, indicator, questionnaire, language, publication=status,
                              previous_published=gate.change_shown(indicator.id, region_id, "quarter", period))
        rows.append(shown)
        if shown.suppressed:
            continue
        if cell.verdict == MISSES and cell.clear:
            headline_missed.append((indicator, cell, shown))
        if cell.change is not None and cell.change.clear and shown.change:
            headline_changes.append((indicator, cell, shown))
        if cell.kind == "proportion":
            overview_points.append(present.point(cell, shown.label))
            overview_targets.append(cell.target)
    names = present.chart_names(language)
    figures = []
    if overview_points:
        title = _("All indicators, %(period)s, with targets", period=fmt_period(period, "quarter", language))
        figures.append((title, charts.dot_whisker(overview_points, title, _("Percent"), None, True, names, targets=overview_targets, keep_order=True)))
    # By region only in the national brief; a region's brief shows no other region.
    charted = headline_missed[:HEADLINE_CHARTS] if region is None else []
    # Regional estimates only for the indicators charted by region: a cell's figures do not depend on the others.
    regional = estimate_cells(code, [i.id for i, _, _ in charted], by=("region", "period"), period_range=(period, period), change=False).rows if charted else []
    for indicator, _cell, _shown in charted:
        points = [present.point(c, region_names.get(c.region_id or 0, "?")) for c in regional
                  if c.indicator == indicator.id and c.period == period and gate.status(c.indicator, c.region_id, "quarter", c.period).published]
        if points:
            percent = indicator.type == "proportion"
            target = (indicator.target / 100 if percent else indicator.target) if indicator.target is not None else None
            title = _("%(indicator)s: by region", indicator=questionnaire.text(indicator.label, language))
            figures.append((title, charts.dot_whisker(points, title, _("Percent") if percent else _("Average"), target, percent, names)))
    return {
        "code": code, "questionnaire": questionnaire, "language": language, "period_text": period_label(period, "quarter"),
        "period_words": fmt_period(period, "quarter", language), "period_notice": period_notice,
        "period_choices": [(period_label(p, "quarter"), fmt_period(p, "quarter", language)) for p in sorted({*quarters, period}, reverse=True)], "previous_text": fmt_period(previous, "quarter", language), "rows": rows, "missed": headline_missed, "changes": headline_changes,
        "figures": figures, "k": k, "lead_text": _lead(fmt_period(period, "quarter", language), region, language), "questionnaires": published, "region": region,
        "region_code": region.code if region is not None else "", "region_words": region.label(language) if region is not None else _("all regions"),
        "region_choices": [(r.code, r.label(language)) for r in visible_regions(current_user)], "national_allowed": region_ids(current_user) is None,
        "rule": questionnaire.disclosure,
        "design_note": present.design_note(questionnaire.sampling),
        "last_time": last_time(region_id, period, language),
        "incidents": documented_incidents(region, period, language, k),
    }


def _lead(period_words: str, region: Region | None, language: str) -> str:
    """The brief's opening line. Ukrainian and Russian long dates end in an abbreviation's stop ("р.", "г."),
    which then ends the sentence too."""
    day = format_date(date.today(), "long")
    text = _("Period %(period)s, %(regions)s. Prepared %(day)s.", period=period_words, regions=region.label(language) if region else _("all regions"), day=day)
    return text[:-1] if day.endswith(".") and text.endswith(day + ".") else text


@capability_required("view_indicators")
def brief() -> str:
    """The council brief as a page that prints cleanly to A4."""
    context = brief_context()
    page = render_template("reports/brief.html", plotly_src=plotly_url(), standalone=False, **context)
    db.session.rollback()  # the reads end first: the record then waits for the write lock instead of failing on a stale snapshot
    audit.record_request("report.brief_view", target=context["code"], period=context["period_text"], language=context["language"],
                         region=context["region_code"] or "all")
    db.session.commit()
    return page


@capability_required("view_indicators")
def brief_pdf() -> Response | tuple[str, int]:
    """The same brief as a PDF, printed by headless Chromium on the server."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return render_template("error.html", code=503, message=_("PDF needs Chromium on the server. Open the brief and use your browser's Print, then Save as PDF.")), 503
    context = brief_context()
    pdf = render_pdf(chromium, render_template("reports/brief.html", standalone=True, **context, **_standalone_assets()))
    audit.record("export.brief_pdf", current_user, target=context["code"], period=context["period_text"], language=context["language"],
                 region=context["region_code"] or "all")
    db.session.commit()
    name = f"cml-brief-{context['code']}-{context['period_text']}-{context['language']}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _standalone_assets() -> dict[str, str]:
    """File URLs of the stylesheet and scripts, for a page Chromium opens from disk."""
    static = Path(current_app.static_folder or "")
    return {"css_text": (static / "cml.css").read_text(encoding="utf-8"), "plotly_src": plotly_path().as_uri(), "dashboard_js": (static / "dashboard.js").as_uri()}
