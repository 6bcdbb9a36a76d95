"""Paper-form import page for regional leads and administrators."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response as HttpResponse
from wtforms import BooleanField, SelectField

from cml.collect.views import bp
from cml.extensions import db
from cml.services import imports, surveys
from cml.web.access import roles_required
from cml.web.answer_messages import error_message
from cml.web.i18n import current_language


class ImportForm(FlaskForm):
    survey = SelectField(_l("Questionnaire"))
    file = FileField(_l("CSV file"), validators=[FileRequired()])
    skip_invalid = BooleanField(_l("Store the valid rows even if some rows have problems"))


@bp.route("/import", methods=["GET", "POST"])
@roles_required("lead", "admin")
def import_page() -> HttpResponse | tuple[str, int] | str:
    """Upload typed-in paper forms as a CSV; every bad row is reported."""
    language = current_language()
    form = ImportForm()
    form.survey.choices = [(q.code, q.label(language)) for q in surveys.published_questionnaires()]
    report = None
    if form.validate_on_submit():
        code = form.survey.data or ""
        version = surveys.latest_version(code) or abort(404)
        questionnaire = surveys.model_of(version)
        report = imports.import_csv(
            form.file.data.read(), code, current_user, lambda error: error_message(error, questionnaire, language), bool(form.skip_invalid.data)
        )
        if report.ok or (form.skip_invalid.data and report.file_problem is None):
            db.session.commit()
        else:
            db.session.rollback()
            imports.record_failure(report, code, current_user, request.remote_addr)
            db.session.commit()
        return render_template("collect/import.html", form=form, report=report), (200 if report.ok or form.skip_invalid.data else 422)
    return render_template("collect/import.html", form=form, report=report)


@bp.get("/import/<code>/template.csv")
@roles_required("lead", "admin")
def import_template(code: str) -> Response:
    """An empty CSV with the right columns for a questionnaire."""
    version = surveys.latest_version(code) or abort(404)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(imports.template_columns(version))
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{code}-v{version.version}.csv"'})
