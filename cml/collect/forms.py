"""Form classes built from a published questionnaire version, one per section."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField

from cml.collect.fields import field_for, field_name
from cml.core.questionnaire import Questionnaire, Section


class StartForm(FlaskForm):
    """Where and when: a facility, or a region when the questionnaire's responses belong to a region or an event."""

    submission_id = HiddenField()
    facility = SelectField(_l("Facility"), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    interview_date = StringField(_l("Interview date"), render_kw={"type": "date"})

    def __init__(self, *args: Any, subject: str = "facility", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interview_date.render_kw = {"type": "date", "max": date.today().isoformat()}
        if subject == "event":
            self.interview_date.label.text = _l("Date of the event")
        if subject != "facility":
            del self.facility
        else:
            del self.region

    @property
    def place(self) -> SelectField:
        """The field that says where: the facility, or the region."""
        return self.region if "region" in self._fields else self.facility


# Published versions never change, so (id, version, section, language) names one class.
_FORM_CLASSES: dict[tuple[str, int, str, str], type[FlaskForm]] = {}


def section_form_class(questionnaire: Questionnaire, section: Section, language: str) -> type[FlaskForm]:
    """A FlaskForm subclass with one field per question of `section`, labelled in `language`."""
    key = (questionnaire.id, questionnaire.version, section.id, language)
    if key not in _FORM_CLASSES:
        fields = {field_name(question.id): field_for(question, questionnaire, language) for question in section.questions}
        attributes: dict[str, Any] = {name: field for name, field in fields.items() if field is not None}  # a note has no field
        _FORM_CLASSES[key] = type(f"Section_{questionnaire.id}_{section.id}", (FlaskForm,), attributes)
    return _FORM_CLASSES[key]
