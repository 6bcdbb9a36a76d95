"""XForm values as the raw answers a web form posts, so `clean_answers` cleans both alike.

A select_multiple's value is its choice names separated by spaces; a time is "HH:MM:SS.sss+TZ"
(ODK Collect), of which CML keeps "HH:MM"; an empty field is no answer. Anything else is passed
as typed: `clean_answers` decides whether it is valid, with the same reasons as for the web form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cml.core.answers import RawValue
from cml.core.questionnaire import Questionnaire

_TIME = re.compile(r"(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?\Z")


def raw_answers(questionnaire: Questionnaire, values: Mapping[str, str]) -> dict[str, RawValue]:
    """The raw answer of each question with a non-empty value (other fields are not answers)."""
    raw: dict[str, RawValue] = {}
    for question in questionnaire.questions:
        text, kind = values.get(question.id, "").strip(), str(question.type)
        if not text or kind == "note":  # a note has no answer
            continue
        if kind == "multiple_choice":
            raw[question.id] = text.split()
        elif kind == "time":
            match = _TIME.match(text)
            raw[question.id] = match.group(1) if match else text
        else:
            raw[question.id] = text
    return raw
