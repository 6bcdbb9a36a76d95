"""A registry from questionnaire question types to WTForms fields.

Fields only collect and render; every rule (required, choices, bounds, skip logic) is
enforced by `cml.core.answers`, the same code the paper import and the API use.
"""

from __future__ import annotations

from collections.abc import Callable

from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField, widgets

from cml.core.questionnaire import Question, Questionnaire

FieldFactory = Callable[[Question, Questionnaire, str], Field]
FIELD_HANDLERS: dict[str, FieldFactory] = {}
FIELD_PREFIX = "q_"


def handles(*types: str) -> Callable[[FieldFactory], FieldFactory]:
    def register(factory: FieldFactory) -> FieldFactory:
        for question_type in types:
            FIELD_HANDLERS[question_type] = factory
        return factory

    return register


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _label(question: Question, questionnaire: Questionnaire, language: str) -> str:
    return questionnaire.text(question.label, language)


def _choices(question: Question, questionnaire: Questionnaire, language: str) -> list[tuple[str, str]]:
    return [(choice.id, questionnaire.text(choice.label, language)) for choice in question.choices]


@handles("single_choice", "yes_no_dk")
def _single(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return RadioField(_label(question, questionnaire, language), choices=_choices(question, questionnaire, language), validate_choice=False)


@handles("multiple_choice")
def _multiple(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return CheckboxListField(_label(question, questionnaire, language), choices=_choices(question, questionnaire, language), validate_choice=False)


@handles("rating")
def _rating(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    low, high = int(question.minimum or 1), int(question.maximum or 5)
    choices = [(str(point), str(point)) for point in range(low, high + 1)]
    return RadioField(_label(question, questionnaire, language), choices=choices, validate_choice=False, render_kw={"class": "scale"})


@handles("integer", "decimal")
def _number(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    attributes: dict[str, object] = {"inputmode": "numeric" if question.type == "integer" else "decimal", "autocomplete": "off", "maxlength": 32}
    return StringField(_label(question, questionnaire, language), render_kw=attributes)


@handles("date")
def _date(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return StringField(_label(question, questionnaire, language), render_kw={"type": "date"})


@handles("text")
def _text(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return StringField(_label(question, questionnaire, language), render_kw={"maxlength": question.max_length, "autocomplete": "off"})


@handles("long_text")
def _long_text(question: Question, questionnaire: Questionnaire, language: str) -> Field:
    return TextAreaField(_label(question, questionnaire, language), render_kw={"maxlength": question.max_length, "rows": 5})


def field_name(question_id: str) -> str:
    """Form field name of a question; the prefix keeps ids like `data` off WTForms' own names."""
    return FIELD_PREFIX + question_id
