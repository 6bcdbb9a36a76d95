from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional, Regexp

from cml.models import ROLES


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def role_choices() -> list[SelectChoice]:
    from cml.web.labels import role_names

    names = role_names()
    return [SelectChoice(role, names[role]) for role in ROLES]


class UserForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    regions = MultiCheckboxField(_l("Regions"), coerce=int)
    active = BooleanField(_l("Account active"), default=True)


class NewUserForm(UserForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=64), Regexp(r"^[a-z0-9][a-z0-9._-]+$", message=_l("Use lower-case letters, digits, '.', '_' or '-'."))],
        description=_l("No real names: a nickname the person will recognise."),
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=10, max=256)],
                             description=_l("Leave empty to generate one. The person must change it at the first sign-in."))
    without_regions = BooleanField(_l("Yes, create it without regions for now"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("Temporary password"), validators=[Optional(), Length(min=10, max=256)],
                             description=_l("Leave empty to generate one. The person must change it at the next sign-in."),
                             render_kw={"autocomplete": "new-password"})


def facility_names_form(languages: tuple[str, ...], label: Callable[[str], str]) -> type[FlaskForm]:
    """A form with the facility's name in each interface language; only the English one is required."""

    class FacilityNamesForm(FlaskForm):
        pass

    for language in languages:
        required = [DataRequired()] if language == "en" else [Optional()]
        setattr(FacilityNamesForm, f"name_{language}", StringField(label(language), validators=[*required, Length(max=200)],
                                                                  render_kw={"lang": language}))
    return FacilityNamesForm


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
