"""Indicator-table downloads (XLSX, CSV) for advocates, leads and administrators."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField

from cml.auth.capabilities import has_capability
from cml.config import suppression_threshold
from cml.core.periods import Grain, period_label, periods_with_data, read_period
from cml.extensions import db
from cml.services import audit, surveys
from cml.services.estimates import data_months
from cml.services.indicator_export import ExportRequest, build
from cml.services.indicator_spreadsheets import indicator_csv, indicator_xlsx
from cml.services.scope import region_ids
from cml.web.access import capability_required
from cml.web.formatting import fmt_period
from cml.web.i18n import current_language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IndicatorExportForm(FlaskForm):
    survey = SelectField(_l("Questionnaire"))
    breakdown = RadioField(_l("Rows"), default="region")
    grain = SelectField(_l("Periods"), choices=[SelectChoice("quarter", _l("Quarters")), SelectChoice("month", _l("Months")), SelectChoice("year", _l("Years"))], default="quarter")
    # Choices of the periods with data; a period of another grain is converted, one that does not parse is an error here.
    first = SelectField(_l("From period"), validate_choice=False)
    last = SelectField(_l("To period"), validate_choice=False)
    file_format = RadioField(_l("Format"), choices=[SelectChoice("xlsx", "XLSX (Excel)"), SelectChoice("csv", "CSV")], default="xlsx")


def _form() -> IndicatorExportForm:
    language = current_language()
    form = IndicatorExportForm()
    form.survey.choices = [SelectChoice(q.code, q.label(language)) for q in surveys.published_questionnaires()]
    choices = [SelectChoice("region", _l("By region and period (aggregates, small cells withheld)"))]
    if region_ids(current_user) is None:  # a lead's own regions are shown region by region, never summed
        choices.append(SelectChoice("national", _l("National, by period")))
    if has_capability(current_user, "facility_figures"):
        choices.append(SelectChoice("facility", _l("By facility and period (internal: not for publication)")))
    form.breakdown.choices = choices
    if has_capability(current_user, "advocate_outputs"):  # published figures go no finer than quarters
        form.grain.choices = [choice for choice in form.grain.choices if choice.value != "month"]
    periods = _periods(form)
    grain = _grain(form)
    form.first.choices = [SelectChoice("", _l("From the first period"))] + [SelectChoice(period_label(p, grain), fmt_period(p, grain, language)) for p in reversed(periods)]
    form.last.choices = [SelectChoice("", _l("To the latest period"))] + [SelectChoice(period_label(p, grain), fmt_period(p, grain, language)) for p in periods]
    return form


def _grain(form: IndicatorExportForm) -> Grain:
    allowed = [choice.value for choice in form.grain.choices]
    return form.grain.data if form.grain.data in allowed else "quarter"


def _periods(form: IndicatorExportForm) -> list[int]:
    """The periods with data at the form's grain in the reader's regions, latest first."""
    published = surveys.published_questionnaires()
    row = next((q for q in published if q.code == form.survey.data), published[0] if published else None)
    return periods_with_data(data_months(row.id, region_ids(current_user)), _grain(form)) if row else []


def _range(form: IndicatorExportForm) -> tuple[int, int] | None:
    """The periods asked for, at the form's grain; None for all. Errors go beside the fields."""
    grain, periods = _grain(form), _periods(form)
    first_text, last_text = (form.first.data or "").strip(), (form.last.data or "").strip()
    if not first_text and not last_text:
        return None
    ends: list[int | None] = []
    for field, text, default in ((form.first, first_text, min(periods, default=None)), (form.last, last_text, max(periods, default=None))):
        period = read_period(text, grain, periods) if text else default
        if text and period is None:
            field.errors = [*field.errors, _l("Choose a period from the list (such as 2026Q3, 2026-07 or 2026).")]
        ends.append(period)
    first, last = ends
    if first is None or last is None:  # one end typed, and no data to stand for the other
        first = last = first if first is not None else last
    if first is None or last is None:
        return None
    if first > last:
        form.last.errors = [*form.last.errors, _l("The last period comes before the first.")]
    return (first, last)


@capability_required("view_indicators")
def indicators() -> Response | tuple[str, int] | str:
    """Download the indicator table with n, intervals, targets, verdicts and change."""
    form = _form()
    if not form.validate_on_submit():
        return render_template("reports/indicators.html", form=form), (422 if form.errors else 200)
    breakdown = form.breakdown.data
    by = {"region": ("region", "period"), "national": ("period",), "facility": ("region", "facility", "period")}[breakdown or "region"]
    if breakdown != "facility" and form.grain.data == "month":
        form.grain.errors = [*form.grain.errors, _l("Published tables go no finer than quarters: choose quarters or years.")]
        return render_template("reports/indicators.html", form=form), 422
    period_range = _range(form)
    if form.first.errors or form.last.errors:
        return render_template("reports/indicators.html", form=form), 422
    export = ExportRequest(
        code=form.survey.data or "",
        by=by,  # type: ignore[arg-type]
        grain=form.grain.data,
        period_range=period_range,
        region_ids=region_ids(current_user),
        aggregates_only=breakdown != "facility",
        language=current_language(),
        k=suppression_threshold(),
    )
    result = build(export)
    audit.record("export.indicators", current_user, target=export.code, format=form.file_format.data, breakdown=breakdown, rows=len(result.rows))
    db.session.commit()
    name = f"cml-{export.code}-indicators-{breakdown}-{date.today().isoformat()}"
    if form.file_format.data == "csv":
        return Response(indicator_csv(result), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(indicator_xlsx(result, current_user.username), mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})

