"""Paper-form import page for regional leads and administrators."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response as HttpResponse
from wtforms import BooleanField, SelectChoice, SelectField

from cml.core.bounds import parse_id
from cml.extensions import db
from cml.services import imports, surveys
from cml.web.access import capability_required
from cml.web.answer_messages import error_message
from cml.web.i18n import current_language


class ImportForm(FlaskForm):
    survey = SelectField(_l("Questionnaire"))
    version = SelectField(_l("Version of the paper form"), default="", validate_choice=False)
    file = FileField(_l("CSV file"), validators=[FileRequired()])
    skip_invalid = BooleanField(_l("Store the valid rows even if some rows have problems"))


@capability_required("import_paper")
def import_page() -> HttpResponse | tuple[str, int] | str:
    """Upload typed-in paper forms as a CSV; every bad row is reported."""
    language = current_language()
    form = ImportForm()
    published = surveys.published_questionnaires()
    form.survey.choices = [SelectChoice(q.code, q.label(language)) for q in published]
    versions = {q.code: surveys.version_numbers(q.code) for q in published}
    newest = max((max(numbers) for numbers in versions.values() if numbers), default=1)
    form.version.choices = [SelectChoice("", _l("The latest")), *(SelectChoice(str(n)) for n in range(newest, 0, -1))]
    report = None
    if form.validate_on_submit():
        code = form.survey.data or ""
        number = parse_id(form.version.data) if form.version.data else None
        readable = number is not None or not form.version.data
        version = surveys.collectable_version(code, number) if readable else None
        if version is None and readable and (retired := surveys.version_of(code, number)) is not None:
            form.version.errors = [_("%(code)s version %(version)s is retired: it takes no new interviews", code=code, version=retired.version)]
            return render_template("collect/import.html", form=form, report=None, versions=versions), 422
        if version is None:
            form.version.errors = [_("%(code)s has no version %(version)s; its versions are %(versions)s",
                                     code=code, version=form.version.data, versions=", ".join(map(str, versions.get(code, []))))]
            return render_template("collect/import.html", form=form, report=None, versions=versions), 422
        questionnaire = surveys.model_of(version)
        report = imports.import_csv(
            form.file.data.read(), code, current_user, lambda error: error_message(error, questionnaire, language), bool(form.skip_invalid.data),
            version_number=version.version,
        )
        if report.ok or (form.skip_invalid.data and report.file_problem is None):
            db.session.commit()
        else:
            db.session.rollback()
            imports.record_failure(report, code, current_user, request.remote_addr)
            db.session.commit()
        return render_template("collect/import.html", form=form, report=report, versions=versions), (200 if report.ok or form.skip_invalid.data else 422)
    return render_template("collect/import.html", form=form, report=report, versions=versions)


@capability_required("import_paper")
def import_template(code: str) -> Response:
    """An empty CSV with the right columns for a questionnaire's version (`?version=N`; the latest by default)."""
    wanted = request.args.get("version")
    number = parse_id(wanted) if wanted else None
    if wanted and number is None:
        abort(404)
    version = surveys.version_of(code, number) or abort(404)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(imports.template_columns(version))
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{code}-v{version.version}.csv"'})
