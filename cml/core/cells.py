"""Spreadsheet cells that cannot smuggle in a formula.

A free-text answer such as `=HYPERLINK("http://…")` or `@SUM(…)` would run as a formula
when an advocate opens the export; OWASP's advice is to prefix such text with a quote.
"""

from __future__ import annotations

import csv
import io
import re

from cml.core.bounds import plain_text

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_text(text: str) -> str:
    """`text`, prefixed with an apostrophe when a spreadsheet would read it as a formula, and
    without what no file can carry (NUL, lone surrogates: see `cml.core.bounds.plain_text`)."""
    text = plain_text(text)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def safe_cell(value: object) -> Cell:
    """Numbers stay numbers; every text is made safe; anything else becomes text."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return value
    return safe_text(str(value))


QUOTED = re.compile('[",\r\n]')
"""What makes `csv.writer` (the default, excel dialect) quote a text field: its delimiter, quote and line ends."""


def csv_field(cell: Cell) -> str:
    """`cell` as `csv.writer` writes it among other fields of a row: text without a comma, quote or line end as it is.

    Anything else is written by `csv.writer` itself, so the result is its own by construction
    (tests/core/test_csv_field.py compares the shortcut with it).
    """
    if cell is None:
        return ""
    if type(cell) is str and QUOTED.search(cell) is None:
        return cell
    buffer = io.StringIO()  # one per call: a worker's threads may export at once
    csv.writer(buffer).writerow((cell, ""))  # a second, empty field: a lone empty field would be quoted
    return buffer.getvalue()[:-3]  # without ",\r\n"
