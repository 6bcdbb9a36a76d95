"""Answer errors from cml.core, worded in the reader's language."""

from __future__ import annotations

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from cml.core.answers import FieldError
from cml.core.question_types import is_time
from cml.core.questionnaire import Questionnaire
from cml.web.formatting import fmt_day, fmt_number


def error_message(error: FieldError, questionnaire: Questionnaire, language: str) -> str:
    if error.code == "constraint" and error.message is not None:
        return questionnaire.text(error.message, language)
    params = dict(error.params)
    return _messages(_count(params.get("max")), _count(params.get("min")), _limit(params.get("min"), language), _limit(params.get("max"), language),
                     params.get("max"), params.get("length")).get(error.code, _("This answer cannot be accepted."))


class _Slot(int):
    """A number of choices that picks the plural of TEMPLATE_COUNT and reads as a %(name)s slot."""

    name = ""

    def __new__(cls, name: str, count: int | None = None) -> _Slot:
        slot = super().__new__(cls, TEMPLATE_COUNT if count is None else count)
        slot.name = name
        return slot

    def __str__(self) -> str:
        return f"%({self.name})s"


TEMPLATE_COUNT = 5
"""The number whose plural the templates take (in Ukrainian and Russian, the form of 5 and more)."""


def message_templates() -> dict[str, str]:
    """Every message in the current language with the error's parameters left as %(min)s, %(max)s
    and %(length)s (the names of `FieldError.params`), for the offline app to fill in itself."""
    words = _messages(_Slot("max"), _Slot("min"), "%(min)s", "%(max)s", "%(max)s", "%(length)s")
    return {**words, "unknown": _("This answer cannot be accepted.")}


def plural_templates() -> dict[str, dict[str, str]]:
    """The messages whose words follow a number ("choose at most %(max)s options"), in the current
    language, one template per CLDR plural category ("one", "few", "many", "other"): the offline app
    picks one with the browser's Intl.PluralRules, as ngettext picks one here (Ukrainian and Russian
    say 2 and 5 options differently)."""
    locale = get_locale()
    found: dict[str, dict[str, str]] = {"too_many_choices": {}, "too_few_choices": {}}
    for count in range(200):  # every category appears among the first numbers
        category = locale.plural_form(count) if locale is not None else ("one" if count == 1 else "other")
        words = _messages(_Slot("max", count), _Slot("min", count), "", "", "", "")
        for code, templates in found.items():
            templates.setdefault(category, words[code])
    return found


def _messages(most: int, least: int, low: object, high: object, longest: object, length: object) -> dict[str, str]:
    return {
        "required": _("Please answer this question."),
        "not_a_choice": _("Please choose one of the options shown."),
        "too_many_choices": ngettext("Choose at most %(num)s option.", "Choose at most %(num)s options.", most),
        "too_few_choices": ngettext("Choose at least %(num)s option.", "Choose at least %(num)s options.", least),
        "not_an_integer": _("Please enter a whole number, such as 15."),
        "not_a_number": _("Please enter a number, such as 12.5."),
        "below_min": _("The smallest allowed value is %(min)s.", min=low),
        "above_max": _("The largest allowed value is %(max)s.", max=high),
        "not_a_date": _("Please enter a date as year-month-day, such as 2026-03-31."),
        "future_date": _("This date is in the future."),
        "not_a_time": _("Please enter a time of day as hours:minutes, such as 14:30."),
        "too_long": _("Please shorten this answer to %(max)s characters (it has %(length)s).", max=longest, length=length),
        "constraint": _("This answer does not fit the other answers."),
        "not_applicable_list": _("Please give only one answer."),
    }


def _limit(value: object, language: str) -> str:
    """A limit as the reader writes it: a day in their date format, a number with their separators."""
    if is_time(value):  # a time question's bound, "HH:MM": read the same in every language
        return value
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
