"""Indicator-table downloads (XLSX, CSV) for advocates, leads and administrators."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField

from cml.config import suppression_threshold
from cml.core.periods import parse_period
from cml.extensions import db
from cml.reports.views import bp
from cml.services import audit, surveys
from cml.services.indicator_export import ExportRequest, build
from cml.services.indicator_spreadsheets import indicator_csv, indicator_xlsx
from cml.services.scope import region_ids
from cml.web.access import roles_required
from cml.web.i18n import current_language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IndicatorExportForm(FlaskForm):
    survey = SelectField(_l("Questionnaire"))
    breakdown = RadioField(_l("Rows"), default="region")
    grain = SelectField(_l("Periods"), choices=[("quarter", _l("Quarters")), ("month", _l("Months")), ("year", _l("Years"))], default="quarter")
    first = StringField(_l("From period (e.g. 2025Q1), empty for all"))
    last = StringField(_l("To period, empty for all"))
    file_format = RadioField(_l("Format"), choices=[("xlsx", "XLSX (Excel)"), ("csv", "CSV")], default="xlsx")


def _form() -> IndicatorExportForm:
    language = current_language()
    form = IndicatorExportForm()
    form.survey.choices = [(q.code, q.label(language)) for q in surveys.published_questionnaires()]
    choices = [("region", _l("By region and period (aggregates, small cells withheld)"))]
    if region_ids(current_user) is None:  # a lead's own regions are shown region by region, never summed
        choices.append(("national", _l("National, by period")))
    if current_user.role in ("lead", "admin"):
        choices.append(("facility", _l("By facility and period (internal: not for publication)")))
    form.breakdown.choices = choices
    if current_user.role == "advocate":  # published figures go no finer than quarters
        form.grain.choices = [(value, label) for value, label in form.grain.choices if value != "month"]  # type: ignore[union-attr]
    return form


def _range(form: IndicatorExportForm) -> tuple[int, int] | None:
    parts = [parse_period(text) for text in (form.first.data or "", form.last.data or "") if text.strip()]
    if not parts:
        return None
    if len(parts) != 2 or any(p is None or p[0] != form.grain.data for p in parts):
        abort(400)
    return (parts[0][1], parts[1][1])  # type: ignore[index]


@bp.route("/indicators", methods=["GET", "POST"])
@roles_required("lead", "advocate", "admin")
def indicators() -> Response | tuple[str, int] | str:
    """Download the indicator table with n, intervals, targets, verdicts and change."""
    form = _form()
    if not form.validate_on_submit():
        return render_template("reports/indicators.html", form=form), (422 if form.errors else 200)
    breakdown = form.breakdown.data
    by = {"region": ("region", "period"), "national": ("period",), "facility": ("region", "facility", "period")}[breakdown or "region"]
    if breakdown != "facility" and form.grain.data == "month":
        form.grain.errors = [*form.grain.errors, _l("Published tables go no finer than quarters: choose quarters or years.")]  # type: ignore[list-item]
        return render_template("reports/indicators.html", form=form), 422
    export = ExportRequest(
        code=form.survey.data or "",
        by=by,  # type: ignore[arg-type]
        grain=form.grain.data,  # type: ignore[arg-type]
        period_range=_range(form),
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

