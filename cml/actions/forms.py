"""The forms of an action: what was found and asked, and its state."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

TEXT_MAX = 2000
LINE_MAX = 200


class ActionForm(FlaskForm):
    problem = TextAreaField(_l("The problem, in one sentence"), validators=[DataRequired(), Length(max=500)],
                            description=_l("What the figure shows, in words a council member understands. No names of clients."))
    duty_bearer_kind = SelectField(_l("Kind of duty bearer"),
                                   validators=[DataRequired()])
    duty_bearer = StringField(_l("Duty bearer"), validators=[DataRequired(), Length(max=LINE_MAX)],
                              description=_l("Who must act: a post or an office, e.g. “Head of the city AIDS centre”."))
    asked = TextAreaField(_l("What we asked"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    commitment = TextAreaField(_l("The commitment made"), validators=[Optional(), Length(max=TEXT_MAX)],
                               description=_l("Leave empty until they commit to something."))
    commitment_where = StringField(_l("Where the commitment was made"), validators=[Optional(), Length(max=LINE_MAX)],
                                   description=_l("E.g. the regional council meeting, a letter, a visit."))
    commitment_on = DateField(_l("When the commitment was made"), validators=[Optional()])
    owner = StringField(_l("Owner"), validators=[DataRequired(), Length(max=LINE_MAX)],
                        description=_l("The person or organisation that follows it up."))
    due_period = SelectField(_l("Quarter by which a change should show"), validators=[DataRequired()])


class NewActionForm(ActionForm):
    seen = HiddenField()
    """The figure the page showed (n and estimate): if the data changed before saving, the page shows the new one first."""


class StateForm(FlaskForm):
    state = SelectField(_l("New state"), validators=[DataRequired()])
