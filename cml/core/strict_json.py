"""JSON from outside, read strictly: every key once, no NaN, numbers in 64 bits, text storable.

`read_json_file` is the guard for an uploaded or configured file (a questionnaire, a DHIS2
mapping): size, encoding and nesting are checked on the bytes before any parsing.

`json.loads` keeps the last of two equal keys silently, accepts NaN and Infinity, raises a
bare ValueError on a number of thousands of digits (Python's int-string limit), and
returns NUL characters and lone surrogates that the database or the page cannot take.
"""

from __future__ import annotations

import json
from typing import Any

from cml.core.bounds import INT64_MAX, fits_int64, is_plain_text, plain_text

MAX_FILE_BYTES = 1024 * 1024
MAX_NESTING = 32


def read_json_file(data: bytes, what: str) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """The one JSON object in a file's bytes, or None and (JSON path, problem) for its author.

    `what` names the file in messages ("a questionnaire", "a mapping"). Hostile input is stopped
    before parsing: an oversized file, bytes that are not UTF-8, nesting deep enough to recurse."""
    if not data.strip():
        return None, ("$", f"the file is empty; {what} is one JSON object {{…}}")
    if len(data) > MAX_FILE_BYTES:
        return None, ("$", f"the file is {len(data):,} bytes; {what} may be at most {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, ("$", f"the file is not UTF-8 text (byte {error.start})")
    depth = bracket_depth(text)
    if depth > MAX_NESTING:
        return None, ("$", f"the file nests {depth} levels deep; at most {MAX_NESTING} are allowed")
    value, problem = strict_loads(text)
    if problem is not None:
        return None, problem
    if not isinstance(value, dict):
        return None, ("$", f"the file must hold one JSON object {{…}}, found {json_kind(value)}")
    return value, None


def bracket_depth(text: str) -> int:
    """Deepest nesting of brackets outside strings, found before parsing so deep files cannot recurse."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def json_kind(value: object) -> str:
    """What a decoded JSON value is, in an author's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def child(path: str, key: str) -> str:
    """The JSON path of `key` inside `path`, written as questionnaire problems write it."""
    return f"{path}.{key}"


def strict_loads(text: str) -> tuple[Any, tuple[str, str] | None]:
    """The decoded value, or None and (JSON path, problem) for an author to fix."""
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        return None, ("$", f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")
    except DuplicateKey as error:
        return None, ("$", f"the key \"{plain_text(error.key)[:60]}\" appears twice in one object; each key may appear once")
    except (ValueError, RecursionError) as error:  # a number of thousands of digits; nesting too deep
        return None, ("$", f"not valid JSON: {str(error).split(';')[0]}")
    bad = _first_unstorable(value, "$")
    if bad is not None:
        return None, bad
    return value, None


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different; json.loads would keep the last of two silently."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


_BAD_TEXT = "the text holds a NUL character or a lone surrogate (\\u0000, \\ud800…); remove it"
_BAD_NUMBER = "the number does not fit in 64 bits"


def _first_unstorable(value: Any, path: str) -> tuple[str, str] | None:
    """The JSON path and problem of the first key, string or number that cannot be stored."""
    if isinstance(value, str):
        return None if is_plain_text(value) else (path, _BAD_TEXT)
    if isinstance(value, int) and not isinstance(value, bool):
        return None if fits_int64(value) else (path, _BAD_NUMBER)
    if isinstance(value, float):
        return None if abs(value) <= INT64_MAX else (path, _BAD_NUMBER)
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_unstorable(item, f"{path}[{index}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if not is_plain_text(key):
                return path, _BAD_TEXT
            found = _first_unstorable(item, child(path, key))
            if found is not None:
                return found
    return None
