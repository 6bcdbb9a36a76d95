"""The DHIS2 payload download: the indicator table as published, in DHIS2's dataValueSets JSON.

Open to whoever may download the indicator table (`view_indicators`): the payload holds the
same published aggregates, nothing finer, so it needs no power of its own. Advocates and
admins get every region and the nation; a lead gets their own regions, region by region.
The mapping files are installed by an administrator in DHIS2_MAPPINGS_DIR (default
instance/dhis2/) and checked with `flask --app cml dhis2 check`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from cml.config import suppression_threshold
from cml.core.dhis2 import Dhis2Mapping, Dhis2Payload, Dhis2Warning
from cml.core.periods import period_label, periods_with_data, read_period
from cml.extensions import db
from cml.services import audit, dhis2, surveys
from cml.services.estimates import data_months
from cml.services.scope import region_ids
from cml.settings import settings
from cml.web.access import capability_required
from cml.web.formatting import fmt_period
from cml.web.i18n import current_language

MAX_MAPPINGS = 50


class Dhis2ExportForm(FlaskForm):
    mapping = SelectField(_l("Mapping"))
    # Choices of the periods with data; a period that does not parse is an error beside the field.
    first = SelectField(_l("From period"), validate_choice=False)
    last = SelectField(_l("To period"), validate_choice=False)


def mappings_dir() -> Path:
    configured = settings().dhis2_mappings_dir
    return Path(configured) if configured else Path(current_app.instance_path) / "dhis2"


def installed_mappings() -> tuple[dict[str, Dhis2Mapping], list[str]]:
    """The valid mapping files by name (file stem), and the names of the broken ones."""
    folder = mappings_dir()
    good: dict[str, Dhis2Mapping] = {}
    broken: list[str] = []
    paths = sorted(folder.glob("*.json"))[:MAX_MAPPINGS] if folder.is_dir() else []
    published = {q.code for q in surveys.published_questionnaires()}
    for path in paths:
        mapping, problems = dhis2.load_mapping(path)
        if mapping is None or problems or mapping.questionnaire not in published:
            broken.append(path.stem)
        else:
            good[path.stem] = mapping
    return good, broken


def _periods(mapping: Dhis2Mapping | None) -> list[int]:
    """The periods with data at the mapping's grain in the reader's regions, latest first."""
    if mapping is None:
        return []
    row = next((q for q in surveys.published_questionnaires() if q.code == mapping.questionnaire), None)
    return periods_with_data(data_months(row.id, region_ids(current_user)), mapping.grain) if row else []


def _form(mappings: dict[str, Dhis2Mapping]) -> tuple[Dhis2ExportForm, Dhis2Mapping | None, list[int]]:
    language = current_language()
    form = Dhis2ExportForm()
    form.mapping.choices = [SelectChoice(name, _("%(name)s: %(questionnaire)s to data set %(data_set)s, %(periods)s", name=name, questionnaire=m.questionnaire,
                                      data_set=m.data_set, periods=_("quarterly") if m.grain == "quarter" else _("yearly")))
                            for name, m in mappings.items()]
    chosen = mappings.get(form.mapping.data or "") or next(iter(mappings.values()), None)
    periods = _periods(chosen)
    grain = chosen.grain if chosen else "quarter"
    form.first.choices = [SelectChoice("", _("From the first period"))] + [SelectChoice(period_label(p, grain), fmt_period(p, grain, language)) for p in reversed(periods)]
    form.last.choices = [SelectChoice("", _("To the latest period"))] + [SelectChoice(period_label(p, grain), fmt_period(p, grain, language)) for p in periods]
    return form, chosen, periods


def _range(form: Dhis2ExportForm, mapping: Dhis2Mapping, periods: list[int]) -> tuple[int, int] | None:
    """The periods asked for; None for all. Errors go beside the fields."""
    ends: list[int | None] = []
    for field, default in ((form.first, min(periods, default=None)), (form.last, max(periods, default=None))):
        text = (field.data or "").strip()
        period = read_period(text, mapping.grain, periods) if text else default
        if text and period is None:
            field.errors = [*field.errors, _("Choose a period from the list (such as 2026Q3 or 2026).")]
        ends.append(period)
    first, last = ends
    if first is None or last is None or not ((form.first.data or "").strip() or (form.last.data or "").strip()):
        return None
    if first > last:
        form.last.errors = [*form.last.errors, _("The last period comes before the first.")]
    return first, last


def warning_text(warning: Dhis2Warning) -> str:
    """A payload warning in the reader's language."""
    if warning.kind == "unmapped_region":
        return _("Region %(code)s has no organisation unit in the mapping: %(count)d figures not in the file.", code=warning.subject, count=warning.count)
    if warning.kind == "unmapped_indicator":
        return _("Indicator %(id)s is not in the mapping: %(count)d figures not in the file.", id=warning.subject, count=warning.count)
    if warning.kind == "no_national":
        return _("The mapping has no organisation unit for the nation: %(count)d national figures not in the file.", count=warning.count)
    if warning.kind == "not_in_table":
        return _("Indicator %(id)s is mapped, but the questionnaire has no such indicator.", id=warning.subject)
    return _("Indicator %(id)s is a mean: it has no numerator, so its numerator data element gets nothing.", id=warning.subject)


@capability_required("view_indicators")
def export() -> Response | tuple[str, int] | str:
    """Check, then download, the published indicator table as a DHIS2 dataValueSets file."""
    mappings, broken = installed_mappings()
    form, mapping, periods = _form(mappings)
    page = {"form": form, "mappings": mappings, "broken": broken, "folder": str(mappings_dir())}
    if not form.validate_on_submit() or mapping is None:
        return render_template("dhis2/export.html", **page), (422 if form.errors else 200)
    period_range = _range(form, mapping, periods)
    if form.first.errors or form.last.errors:
        return render_template("dhis2/export.html", **page), 422
    payload = dhis2.export_payload(mapping, region_ids=region_ids(current_user), period_range=period_range, k=suppression_threshold())
    if request.form.get("action") != "download":
        return render_template("dhis2/export.html", **page, payload=payload, warnings=[warning_text(w) for w in payload.warnings])
    return _download(mapping, payload)


def _download(mapping: Dhis2Mapping, payload: Dhis2Payload) -> Response:
    scope = region_ids(current_user)
    audit.record("export.dhis2", current_user, target=mapping.questionnaire, data_set=mapping.data_set, values=payload.values,
                 withheld=payload.withheld, regions=sorted(scope) if scope is not None else "all")
    db.session.commit()
    name = f"cml-{mapping.questionnaire}-dhis2-{date.today().isoformat()}.json"
    body = json.dumps(payload.document, ensure_ascii=False, indent=1) + "\n"
    return Response(body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'})
