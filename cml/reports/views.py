"""Exports. Each export is recorded in the audit log before its first byte is sent."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from cml.extensions import db
from cml.reports.forms import RawExportForm
from cml.services import audit, raw_export, surveys
from cml.services.scope import region_ids, visible_regions
from cml.web.access import roles_required
from cml.web.i18n import current_language

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


def _raw_form() -> RawExportForm:
    language = current_language()
    form = RawExportForm()
    form.survey.choices = [(q.code, q.label(language)) for q in surveys.published_questionnaires()]
    form.region.choices = [("", _("All my regions"))] + [(str(r.id), r.label(language)) for r in visible_regions(current_user)]
    return form


@bp.route("/raw", methods=["GET", "POST"])
@roles_required("lead", "admin")
def raw() -> Response | tuple[str, int] | str:
    """Download the responses of one questionnaire, for the user's regions only."""
    form = _raw_form()
    if not form.validate_on_submit():
        return render_template("reports/raw.html", form=form), (422 if form.errors else 200)
    include_sensitive = bool(form.include_sensitive.data)
    if include_sensitive and current_user.role != "admin":
        abort(403)
    scope = region_ids(current_user)
    if form.region.data:
        chosen = int(form.region.data)
        if scope is not None and chosen not in scope:
            abort(403)
        scope = {chosen}
    request = raw_export.RawExportRequest(
        code=form.survey.data or "",
        region_ids=scope,
        include_sensitive=include_sensitive,
        labels_language=current_language() if form.answers_as.data == "labels" else None,
    )
    audit.record("export.raw", current_user, target=request.code, format=form.file_format.data, rows=raw_export.count_rows(request),
                 regions=sorted(scope) if scope is not None else "all", sensitive=include_sensitive)
    db.session.commit()
    filename = f"cml-{request.code}-raw-{date.today().isoformat()}"
    if form.file_format.data == "xlsx":
        path = raw_export.xlsx_file(request)
        return Response(raw_export.stream_file(path), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    return Response(stream_with_context(raw_export.csv_chunks(request)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
