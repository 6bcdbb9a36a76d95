"""Exports. Each export is recorded in the audit log before its first byte is sent."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from cml.auth.capabilities import has_capability
from cml.extensions import db
from cml.reports.forms import RawExportForm
from cml.services import analyst_files, audit, raw_export, surveys
from cml.services.scope import load_region_by_id, region_ids, visible_regions
from cml.web.access import capability_required
from cml.web.i18n import current_language

_STAT_TYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


def _raw_form() -> RawExportForm:
    language = current_language()
    form = RawExportForm()
    form.survey.choices = [SelectChoice(q.code, q.label(language)) for q in surveys.published_questionnaires()]
    form.region.choices = [SelectChoice("", _("All my regions"))] + [SelectChoice(str(r.id), r.label(language)) for r in visible_regions(current_user)]
    return form


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _dates_ok(form: RawExportForm) -> bool:
    """Each date empty or a date, and the range not backwards; else a message beside the field."""
    for field in (form.date_from, form.date_to):
        if (field.data or "").strip() and _parse_date(field.data) is None:
            field.errors = [_("Please enter a date as year-month-day, such as 2026-03-31.")]
    since, until = _parse_date(form.date_from.data), _parse_date(form.date_to.data)
    if since and until and since > until:
        form.date_to.errors = [_("The end of the range is before its start.")]
    return not (form.date_from.errors or form.date_to.errors)


@capability_required("raw_export")
def raw() -> Response | tuple[str, int] | str:
    """Download the responses of one questionnaire, for the user's regions only."""
    form = _raw_form()
    if not form.validate_on_submit() or not _dates_ok(form):
        return render_template("reports/raw.html", form=form), (422 if form.errors else 200)
    include_sensitive = bool(form.include_sensitive.data)
    if include_sensitive and not has_capability(current_user, "sensitive_answers"):
        abort(403)
    scope = region_ids(current_user)
    if form.region.data:
        scope = {load_region_by_id(current_user, form.region.data).id}
    request = raw_export.RawExportRequest(
        code=form.survey.data or "",
        region_ids=scope,
        include_sensitive=include_sensitive,
        labels_language=current_language() if form.answers_as.data == "labels" else None,
        choices_as_columns=bool(form.choices_as_columns.data),
        excel_locale=form.file_format.data == "csv_semicolon",
        date_from=_parse_date(form.date_from.data),
        date_to=_parse_date(form.date_to.data),
        codebook_language=current_language(),
    )
    filename = f"cml-{request.code}-raw-{date.today().isoformat()}"
    if form.file_format.data == "codebook":  # no answers: nothing to audit
        return Response(raw_export.codebook_csv(request), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="cml-{request.code}-codebook.csv"'})
    title = next((choice.label for choice in form.survey.choices or [] if choice.value == request.code), request.code)
    if form.file_format.data == "r":  # the columns' labels, no answers: nothing to audit
        script_name = f"cml-{request.code}-read-csv.R"
        return Response(analyst_files.r_file(request, f"{filename}.csv", script_name, str(title)), mimetype="text/plain",
                        headers={"Content-Disposition": f'attachment; filename="{script_name}"'})
    audit.record("export.raw", current_user, target=request.code, format=form.file_format.data, rows=raw_export.count_rows(request),
                 regions=sorted(scope) if scope is not None else "all", sensitive=include_sensitive,
                 dates=f"{request.date_from or ''}..{request.date_to or ''}" if request.date_from or request.date_to else "all")
    db.session.commit()
    if form.file_format.data in ("sav", "dta"):
        path = analyst_files.stat_file(request, form.file_format.data, str(title))
        return Response(raw_export.stream_file(path), mimetype=_STAT_TYPES[form.file_format.data],
                        headers={"Content-Disposition": f'attachment; filename="{filename}.{form.file_format.data}"'})
    if form.file_format.data == "xlsx":
        path = raw_export.xlsx_file(request)
        return Response(raw_export.stream_file(path), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    return Response(stream_with_context(raw_export.csv_chunks(request)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
