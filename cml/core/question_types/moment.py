"""Dates and times of day, written as ISO text ("2026-12-02", "07:05") that sorts as it reads."""

from __future__ import annotations

import re
from typing import TypeGuard

from cml.core.question_types.kind import QuestionKind
from cml.core.question_types.number import ORDERED

KINDS = (
    QuestionKind("date", frozenset({"allow_future"}), "date", answer="date", operators=ORDERED, export="text", demo="recent_date"),
    QuestionKind("time", frozenset({"min", "max"}), "time", answer="time", operators=ORDERED, export="text", demo="time_of_day"),
)

_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def is_time(text: object) -> TypeGuard[str]:
    """Whether `text` is a 24-hour time of day written HH:MM ("07:05", never "7:05" or "24:00")."""
    return isinstance(text, str) and _TIME.fullmatch(text) is not None
