"""The forms of a case: a follow-up step, its state, and a withdrawn consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cml.models.cases import STEP_NOTE_LENGTH


class StepForm(FlaskForm):
    kind = SelectField(_l("Step"), validators=[DataRequired()])
    happened_on = DateField(_l("Date"), validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=STEP_NOTE_LENGTH)],
                         description=_l("A short note for the follow-up. No names, phone numbers or addresses."))


class StateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])


class ConsentForm(FlaskForm):
    use = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(_l("The person told us they withdraw this consent. This cannot be undone."), validators=[DataRequired()])
