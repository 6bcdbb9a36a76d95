"""The forms of a warning: its texts, its publication, and buttons."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from cml.core.bounds import is_plain_text
from cml.services.warnings import FIELDS


def _plain(form: FlaskForm, field: StringField) -> None:
    if not is_plain_text(field.data or ""):
        raise ValidationError(_l("Please remove the unusual characters."))


def _a_date(form: FlaskForm, field: StringField) -> None:
    try:
        date.fromisoformat((field.data or "").strip())
    except ValueError:
        raise ValidationError(_l("Please enter a date as year-month-day, such as 2027-03-31.")) from None


class WarningForm(FlaskForm):
    what_happened = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=FIELDS["what_happened"]), _plain],
                                  render_kw={"rows": 5, "maxlength": FIELDS["what_happened"]})
    area = StringField(_l("Where: an area or district, never an address"), validators=[Length(max=FIELDS["area"]), _plain],
                       render_kw={"maxlength": FIELDS["area"]})
    happened_period = StringField(_l("When: a period, such as “late November 2026”"),
                                  validators=[Length(max=FIELDS["happened_period"]), _plain], render_kw={"maxlength": FIELDS["happened_period"]})
    aggressor_description = TextAreaField(_l("The aggressor: how to recognise them"),
                                          validators=[Length(max=FIELDS["aggressor_description"]), _plain],
                                          render_kw={"rows": 4, "maxlength": FIELDS["aggressor_description"]})
    vehicle_description = StringField(_l("The vehicle: make, colour, plate"), validators=[Length(max=FIELDS["vehicle_description"]), _plain],
                                      render_kw={"maxlength": FIELDS["vehicle_description"]})


class PublishForm(FlaskForm):
    last_day = StringField(_l("Shown until (the last day)"), validators=[DataRequired(), _a_date], render_kw={"type": "date"})
    checked = BooleanField(_l("I have read it: nothing in it identifies the person who reported"), validators=[DataRequired(
        message=_l("Please read the warning and confirm that nothing in it identifies the person who reported."))])

    def last_day_date(self) -> date:
        return date.fromisoformat((self.last_day.data or "").strip())


class PostForm(FlaskForm):
    """A button's form: nothing but the CSRF token."""
