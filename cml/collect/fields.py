"""WTForms fields for questions, chosen by the widget kind of the question's type.

Which widget a type uses is the type's own entry in `cml.core.question_types`; this module
knows only how to draw each widget kind. Fields only collect and render; every rule
(required, choices, bounds, skip logic) is enforced by `cml.core.answers`, the same code
the paper import and the API use.
"""

from __future__ import annotations

from collections.abc import Callable

from wtforms import Field, RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField, widgets

from cml.core.question_types import kind_of
from cml.core.questionnaire import Question, Questionnaire

FieldFactory = Callable[[Question, Questionnaire, str], Field]
FIELD_HANDLERS: dict[str, FieldFactory | None] = {"note": None}
"""Widget kind -> field factory; None for a widget with no field (a note: text only)."""
FIELD_PREFIX = "q_"


def handles(*widget_kinds: str) -> Callable[[FieldFactory], FieldFactory]:
    def register(factory: FieldFactory) -> FieldFactory:
        for widget in widget_kinds:
            FIELD_HANDLERS[widget] = factory
        return factory

    return register


def field_for(question: Question, questionnaire: Questionnaire, language: str) -> Field | None:
    """The question's form field (unbound), or None for a question that takes no answer."""
    factory = FIELD_HANDLERS[kind_of(question.type).widget]
    return factory(question, questionnaire, language) if factory is not None else None


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _label(question: Question, questionnaire: Questionnaire, language: str) -> str:
    return questionnaire.text(question.label, language)


def _choices(question: Question, questionnaire: Questionnaire, language: str) -> list[SelectChoice]:
    return [SelectChoice(choice.id, questionnaire.text(choice.label, language)) for choice in question.choices]


@handles("radio")
def _single(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return RadioField(_label(question, questionnaire, language), choices=_choices(question, questionnaire, language), validate_choice=False)


@handles("checkboxes")
def _multiple(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return CheckboxListField(_label(question, questionnaire, language), choices=_choices(question, questionnaire, language), validate_choice=False)


@handles("scale")
def _rating(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    low, high = int(question.minimum or 1), int(question.maximum or 5)
    choices = [SelectChoice(str(point)) for point in range(low, high + 1)]
    return RadioField(_label(question, questionnaire, language), choices=choices, validate_choice=False, render_kw={"class": "scale"})


@handles("number")
def _number(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    whole = kind_of(question.type).answer == "whole"
    attributes: dict[str, object] = {"inputmode": "numeric" if whole else "decimal", "autocomplete": "off", "maxlength": 32}
    return StringField(_label(question, questionnaire, language), render_kw=attributes)


@handles("date")
def _date(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return StringField(_label(question, questionnaire, language), render_kw={"type": "date"})


@handles("time")
def _time(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    attributes = {"type": "time", "min": question.earliest, "max": question.latest}
    return StringField(_label(question, questionnaire, language), render_kw={k: v for k, v in attributes.items() if v is not None})


@handles("line")
def _text(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return StringField(_label(question, questionnaire, language), render_kw={"maxlength": question.max_length, "autocomplete": "off"})


@handles("box")
def _long_text(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return TextAreaField(_label(question, questionnaire, language), render_kw={"maxlength": question.max_length, "rows": 5})


def field_name(question_id: str) -> str:
    """Form field name of a question; the prefix keeps ids like `data` off WTForms' own names."""
    return FIELD_PREFIX + question_id
