"""The rules CML's types put on an answer, as XLSForm constraints for an XForm (ODK Collect).

CML checks a number's min and max, a text's length, how many options are chosen and that a
date is not in the future by the question's type, not by its `constraint`; the server
refuses a submission that breaks them. In an XForm they are constraints, so the phone
stops the monitor at the question instead. Only the XForm gets them: an exported
workbook keeps them in CML's own columns, so it reads back unchanged.

The messages are in the questionnaire's languages (built in for en, uk, ru, as the
yes/no/don't know labels are; English for any other), written without a noun after a
number so that no plural form is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cml.core.question_types import QUESTION_KINDS
from cml.core.xlsform.expressions import literal

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "between": {"en": "Enter a number from {min} to {max}.", "uk": "Введіть число від {min} до {max}.", "ru": "Введите число от {min} до {max}."},
    "at_least": {"en": "Enter a number of at least {min}.", "uk": "Введіть число не менше {min}.", "ru": "Введите число не меньше {min}."},
    "at_most": {"en": "Enter a number of at most {max}.", "uk": "Введіть число не більше {max}.", "ru": "Введите число не больше {max}."},
    "selected": {
        "en": "Options chosen: from {min} to {max}.", "uk": "Вибрано варіантів: від {min} до {max}.", "ru": "Выбрано вариантов: от {min} до {max}.",
    },
    "selected_at_least": {"en": "Options chosen: at least {min}.", "uk": "Вибрано варіантів: не менше {min}.", "ru": "Выбрано вариантов: не меньше {min}."},
    "selected_at_most": {"en": "Options chosen: at most {max}.", "uk": "Вибрано варіантів: не більше {max}.", "ru": "Выбрано вариантов: не больше {max}."},
    "length": {
        "en": "The answer is too long: at most {max} characters.",
        "uk": "Відповідь задовга: щонайбільше {max} символів.",
        "ru": "Ответ слишком длинный: не больше {max} символов.",
    },
    "past": {"en": "The date cannot be in the future.", "uk": "Дата не може бути в майбутньому.", "ru": "Дата не может быть в будущем."},
}


def _bounds(low: object, high: object, messages: tuple[str, str, str]) -> tuple[str, dict[str, object]]:
    if low is not None and high is not None:
        return messages[0], {"min": low, "max": high}
    if low is not None:
        return messages[1], {"min": low}
    return messages[2], {"max": high}


def type_rules(question: Mapping[str, Any]) -> tuple[list[str], list[tuple[str, dict[str, object]]]]:
    """The XLSForm tests of a question's type rules on "." and the messages (key, values) that say them."""
    kind = question["type"]
    tests: list[str] = []
    said: list[tuple[str, dict[str, object]]] = []
    if kind in ("integer", "decimal") and ("min" in question or "max" in question):
        low, high = question.get("min"), question.get("max")
        tests += [f". >= {literal(low, kind)}"] if low is not None else []
        tests += [f". <= {literal(high, kind)}"] if high is not None else []
        said.append(_bounds(low, high, ("between", "at_least", "at_most")))
    elif kind == "multiple_choice" and ("min_selected" in question or "max_selected" in question):
        low, high = question.get("min_selected"), question.get("max_selected")
        tests += [f"count-selected(.) >= {low}"] if low is not None else []
        tests += [f"count-selected(.) <= {high}"] if high is not None else []
        said.append(_bounds(low, high, ("selected", "selected_at_least", "selected_at_most")))
    elif QUESTION_KINDS[kind].free_text:
        longest = question.get("max_length", QUESTION_KINDS[kind].max_length)
        tests.append(f"string-length(.) <= {longest}")
        said.append(("length", {"max": longest}))
    elif kind == "date" and not question.get("allow_future", False):
        tests.append(". <= today()")
        said.append(("past", {}))
    return tests, said


def with_type_rules(row: dict[str, str], question: Mapping[str, Any], languages: list[str], message_header: Mapping[str, str]) -> None:
    """Add the type's rules to a survey row's constraint (before the question's own) and message.

    :param message_header: the constraint_message column of each language.
    """
    tests, said = type_rules(question)
    if not tests:
        return
    own = row.get("constraint")
    row["constraint"] = " and ".join(tests + ([f"({own})"] if own else []))
    for code in languages:
        header = message_header[code]
        texts = [MESSAGES[key].get(code, MESSAGES[key]["en"]).format(**values) for key, values in said]
        row[header] = " ".join(texts + ([row[header]] if row.get(header) else []))
