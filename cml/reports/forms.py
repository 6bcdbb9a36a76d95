from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField


class RawExportForm(FlaskForm):
    survey = SelectField(_l("Questionnaire"))
    region = SelectField(_l("Region"), default="")
    file_format = RadioField(_l("Format"), choices=[
        SelectChoice("csv", "CSV"),
        SelectChoice("csv_semicolon", _l("CSV for Excel set to Ukrainian or Russian (; between fields, decimal comma)")),
        SelectChoice("xlsx", _l("XLSX (Excel), with a codebook sheet")),
        SelectChoice("codebook", _l("Codebook only (CSV): every column's question, label, type and choices")),
        SelectChoice("sav", _l("SPSS (.sav), with question texts and choice labels")),
        SelectChoice("dta", _l("Stata (.dta), with question texts and choice labels")),
        SelectChoice("r", _l("R script (.R) that reads the CSV with question texts and choice labels")),
    ], default="csv")
    answers_as = RadioField(_l("Answers as"), choices=[SelectChoice("codes", _l("Codes (e.g. yes, dont_know)")), SelectChoice("labels", _l("Words in the current language"))], default="codes")
    choices_as_columns = BooleanField(_l("Multiple choice as one column per choice (1 chosen, 0 not)"), default=True)
    date_from = StringField(_l("Interviews from"), render_kw={"type": "date"})
    date_to = StringField(_l("Interviews to"), render_kw={"type": "date"})
    include_sensitive = BooleanField(_l("Include sensitive questions (free text and others marked sensitive)"))
