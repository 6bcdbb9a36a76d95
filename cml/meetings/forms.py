"""The forms of a meeting and of its agenda."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from cml.core.bounds import is_plain_text

EARLIEST_MEETING = date(2000, 1, 1)
LATEST_YEAR = 2999


def _plain(form: FlaskForm, field: StringField) -> None:
    if not is_plain_text(field.data or ""):
        raise ValidationError(_l("Please remove the unusual characters."))


def _a_date(form: FlaskForm, field: StringField) -> None:
    try:
        day = date.fromisoformat((field.data or "").strip())
    except ValueError:
        raise ValidationError(_l("Please enter a date as year-month-day, such as 2026-03-31.")) from None
    if not EARLIEST_MEETING <= day <= date(LATEST_YEAR, 12, 31):
        raise ValidationError(_l("Please enter a date between 2000 and 2999."))


class MeetingForm(FlaskForm):
    kind = RadioField(_l("Council"), choices=[SelectChoice("regional_council", _l("Regional council")), SelectChoice("national_council", _l("National council"))],
                      default="regional_council")
    region = SelectField(_l("Region (for a regional council)"), default="")
    held_on = StringField(_l("Date of the meeting"), validators=[DataRequired(), _a_date], render_kw={"type": "date"})
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), _plain])

    def held_on_date(self) -> date:
        return date.fromisoformat((self.held_on.data or "").strip())


class AgendaForm(FlaskForm):
    action = SelectField(_l("Action to add"))


class MoveForm(FlaskForm):
    direction = RadioField(choices=[SelectChoice("up"), SelectChoice("down")])


class PostForm(FlaskForm):
    """A button's form: nothing but the CSRF token."""
