"""Bounds every input is held to, whatever its source: a form, a CSV cell, a JSON file.

The database stores integers in 64 bits and text without NUL (PostgreSQL refuses it) in
UTF-8 (a lone surrogate cannot be encoded); interviews happen on days the programme can
have run. Checking these here, once, keeps hostile input from reaching the database as a
500 instead of a clear refusal.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EARLIEST_INTERVIEW = date(2000, 1, 1)
"""No community-led monitoring data is older: an earlier interview date is a typing error."""
EARLIEST_ANSWER_DATE = date(1900, 1, 1)
FUTURE_ANSWER_DAYS = 366
"""How far ahead a date answer that allows the future may go (an appointment, a court date)."""
MAX_CELL_CHARS = 10_000
"""The longest cell an import reads: longer than any answer a questionnaire can allow."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def plain_text(text: str) -> str:
    """`text` without NUL characters and with lone surrogates as U+FFFD, so it can be stored and shown."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    return text


def is_plain_text(text: str) -> bool:
    """Whether `text` has neither NUL characters nor lone surrogates."""
    return "\x00" not in text and (text.isascii() or _SURROGATE.search(text) is None)


def fits_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def parse_id(raw: object) -> int | None:
    """A database id from input (a positive 64-bit integer), or None."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= INT64_MAX else None


def interview_date_ok(value: date, today: date) -> bool:
    """An interview happened between EARLIEST_INTERVIEW and today."""
    return EARLIEST_INTERVIEW <= value <= today


def latest_answer_date(today: date) -> date:
    return today + timedelta(days=FUTURE_ANSWER_DAYS)
