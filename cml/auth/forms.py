from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)], render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)], render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)], render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=256)], render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(_l("Repeat new password"), validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords are not the same."))],
                           render_kw={"autocomplete": "new-password"})
