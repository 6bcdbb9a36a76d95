from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField


class RawExportForm(FlaskForm):
    survey = SelectField(_l("Questionnaire"))
    region = SelectField(_l("Region"), default="")
    file_format = RadioField(_l("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")], default="csv")
    answers_as = RadioField(_l("Answers as"), choices=[("codes", _l("Codes (e.g. yes, dont_know)")), ("labels", _l("Words in the current language"))], default="codes")
    include_sensitive = BooleanField(_l("Include sensitive questions (free text and others marked sensitive)"))
