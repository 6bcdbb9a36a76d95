"""Spreadsheet cells that cannot smuggle in a formula.

A free-text answer such as `=HYPERLINK("http://…")` or `@SUM(…)` would run as a formula
when an advocate opens the export; OWASP's advice is to prefix such text with a quote.
"""

from __future__ import annotations

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_text(text: str) -> str:
    """`text`, prefixed with an apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def safe_cell(value: object) -> Cell:
    """Numbers stay numbers; every text is made safe; anything else becomes text."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return value
    return safe_text(str(value))
