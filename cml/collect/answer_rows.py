"""The answers of a form as pages list them: question, answer in the reader's words, or the error."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from cml.core.answers import CleanedAnswers
from cml.core.questionnaire import Questionnaire
from cml.web.answer_messages import error_message
from cml.web.formatting import fmt_day


def answer_rows(questionnaire: Questionnaire, cleaned: CleanedAnswers, language: str) -> list[dict[str, Any]]:
    """Each asked question with its answer or error, by section: the review page before sending, and a reviewer's page."""
    rows = []
    for number, section in enumerate(questionnaire.sections, start=1):
        for question in section.questions:
            if question.id not in cleaned.answers and question.id not in cleaned.errors:
                continue
            value = cleaned.answers.get(question.id)
            if question.choices and value is not None:
                chosen = value if isinstance(value, list) else [value]
                shown = ", ".join(questionnaire.text(c.label, language) for c in question.choices if c.id in chosen)
            elif isinstance(value, float):
                shown = format_decimal(value, locale=language)
            elif question.type == "date" and isinstance(value, str):
                shown = fmt_day(value, locale=language)
            else:
                shown = "" if value is None else str(value)
            error = cleaned.errors.get(question.id)
            rows.append({"number": number, "section": questionnaire.text(section.title, language), "label": questionnaire.text(question.label, language),
                         "value": shown, "error": error_message(error, questionnaire, language) if error else None})
    return rows
