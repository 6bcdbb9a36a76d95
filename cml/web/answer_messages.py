"""Answer errors from cml.core, worded in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from cml.core.answers import FieldError
from cml.core.questionnaire import Questionnaire
from cml.web.formatting import fmt_day, fmt_number


def error_message(error: FieldError, questionnaire: Questionnaire, language: str) -> str:
    if error.code == "constraint" and error.message is not None:
        return questionnaire.text(error.message, language)
    params = dict(error.params)
    messages = {
        "required": _("Please answer this question."),
        "not_a_choice": _("Please choose one of the options shown."),
        "too_many_choices": ngettext("Choose at most %(num)s option.", "Choose at most %(num)s options.", _count(params.get("max"))),
        "too_few_choices": ngettext("Choose at least %(num)s option.", "Choose at least %(num)s options.", _count(params.get("min"))),
        "not_an_integer": _("Please enter a whole number, such as 15."),
        "not_a_number": _("Please enter a number, such as 12.5."),
        "below_min": _("The smallest allowed value is %(min)s.", min=_limit(params.get("min"), language)),
        "above_max": _("The largest allowed value is %(max)s.", max=_limit(params.get("max"), language)),
        "not_a_date": _("Please enter a date as year-month-day, such as 2026-03-31."),
        "future_date": _("This date is in the future."),
        "too_long": _("Please shorten this answer to %(max)s characters (it has %(length)s).", max=params.get("max"), length=params.get("length")),
        "constraint": _("This answer does not fit the other answers."),
        "not_applicable_list": _("Please give only one answer."),
    }
    return messages.get(error.code, _("This answer cannot be accepted."))


def _limit(value: object, language: str) -> str:
    """A limit as the reader writes it: a day in their date format, a number with their separators."""
    if isinstance(value, str):
        return fmt_day(value, locale=language)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value, locale=language)
    return "" if value is None else str(value)


def _count(value: object) -> int:
    """A number of choices for ngettext (the limits are whole numbers in the questionnaire)."""
    try:
        return int(float(str(value)))
    except ValueError:
        return 0
