"""Export column names as variable names that Stata, SPSS and R all accept.

Stata allows 32 characters of `[A-Za-z_][A-Za-z0-9_]*` (case-sensitive) and reserves a few
words; SPSS allows 64 bytes, ignores case and reserves others. Question ids (`[a-z][a-z0-9_]*`,
up to 64 characters) mostly fit as they are; the columns of a multiple choice
(`services/pep`) and long ids do not. A name that fits is kept; any other is cleaned, and
cut with a short hash of the whole column name, so a column keeps its name from one download
to the next however the other questions change. Only a clash (two columns cleaned alike)
falls back to a counter.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

STATA_LIMIT = 32
"""Stata's longest variable name; SPSS allows 64 bytes, so a Stata name fits SPSS too."""

_VALID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INVALID_CHARACTER = re.compile(r"[^A-Za-z0-9_]")
_STATA_STRING_TYPE = re.compile(r"str(\d+|l)", re.IGNORECASE)
RESERVED = frozenset(
    # Stata ([U] 11.3 Naming conventions)
    {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi", "_pred", "_rc",
     "_skip", "strl", "using", "with"}
    # SPSS (reserved keywords, any case)
    | {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to"}
)
"""Compared in lower case: SPSS ignores case, and a Stata name differing only in case from a reserved one confuses readers."""


def fits(name: str, limit: int = STATA_LIMIT) -> bool:
    """Whether `name` is a variable name every target accepts as it is (starting with a letter: Stata keeps `_` names for itself)."""
    return (len(name) <= limit and _VALID.fullmatch(name) is not None and name.lower() not in RESERVED
            and _STATA_STRING_TYPE.fullmatch(name) is None)


def variable_names(columns: Sequence[str], limit: int = STATA_LIMIT) -> list[str]:
    """One variable name per column, in order: each `fits`, no two equal ignoring case, the same for the same columns.

    `limit` may be lowered (at least 12) to leave room for what a writer appends to a name
    (pyreadstat names a value label set after its variable, with a number after it).
    """
    if limit < 12:
        raise ValueError("a limit under 12 leaves no room for a name and its hash")
    names: list[str | None] = [None] * len(columns)
    taken: set[str] = set()
    for index, column in enumerate(columns):  # names that fit claim themselves first: they never change
        if fits(column, limit) and column.lower() not in taken:
            names[index] = column
            taken.add(column.lower())
    for index, column in enumerate(columns):
        if names[index] is None:
            name = _free(_candidates(column, limit), taken, limit)
            names[index] = name
            taken.add(name.lower())
    return [name for name in names if name is not None]


def _cleaned(column: str) -> str:
    """Every other character an underscore; a letter first; never a reserved word."""
    name = _INVALID_CHARACTER.sub("_", column)
    if not name[:1].isalpha():  # only ASCII is left
        name = "v" + ("" if name.startswith("_") else "_") + name
    if name.lower() in RESERVED or _STATA_STRING_TYPE.fullmatch(name):
        name = "v_" + name
    return name


def _hashed(column: str, stem: str, limit: int) -> str:
    """`stem` cut to leave room for `_` and 4 hex digits of the column's hash (the same column, the same digits)."""
    digest = hashlib.blake2s(column.encode("utf-8", "surrogatepass")).hexdigest()[:4]
    return f"{stem[:limit - 5].rstrip('_')}_{digest}"


def _candidates(column: str, limit: int) -> list[str]:
    """The names to try in turn: the cleaned name if it fits, then the hashed one."""
    cleaned = _cleaned(column)
    hashed = _hashed(column, cleaned, limit)
    return [cleaned, hashed] if len(cleaned) <= limit else [hashed]


def _free(candidates: list[str], taken: set[str], limit: int) -> str:
    for candidate in candidates:
        if candidate.lower() not in taken:
            return candidate
    stem = candidates[-1]
    number = 2
    while True:  # a clash of hashes (or of equal columns): a counter, which some free name always ends
        suffix = f"_{number}"
        name = stem[:limit - len(suffix)] + suffix
        if name.lower() not in taken:
            return name
        number += 1
