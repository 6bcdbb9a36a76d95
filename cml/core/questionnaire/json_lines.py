"""The line of a JSON file where each value starts, so a problem's path can point its author to the line.

The standard decoder keeps no positions; this walks the text once more (only text the strict
reader has already accepted), noting where each value begins under its questionnaire-style
path (`$.sections[0].questions[2].show_if`).
"""

from __future__ import annotations

import bisect
import json
import re

_NUMBER_OR_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def value_lines(text: str) -> dict[str, int]:
    """Every JSON path of the valid JSON `text` with the 1-based line where its value starts."""
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    starts: dict[str, int] = {}

    def skip(position: int) -> int:
        match = _SPACE.match(text, position)
        return match.end() if match else position

    def walk(position: int, path: str) -> int:
        position = skip(position)
        starts[path] = bisect.bisect_right(newlines, position - 1) + 1
        char = text[position]
        if char == "{":
            position = skip(position + 1)
            if text[position] == "}":
                return position + 1
            while True:
                key, position = _DECODER.raw_decode(text, skip(position))
                position = skip(position) + 1  # the colon
                position = skip(walk(position, f"{path}.{key}"))
                if text[position] == "}":
                    return position + 1
                position += 1  # the comma
        if char == "[":
            position = skip(position + 1)
            if text[position] == "]":
                return position + 1
            index = 0
            while True:
                position = skip(walk(position, f"{path}[{index}]"))
                index += 1
                if text[position] == "]":
                    return position + 1
                position += 1
        if char == '"':
            return int(_DECODER.raw_decode(text, position)[1])
        match = _NUMBER_OR_LITERAL.match(text, position)
        if match is None:
            raise ValueError(f"not JSON at character {position}")
        return match.end()

    walk(0, "$")
    return starts


def line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of `path`, else of the nearest enclosing value found (a missing key is reported at its object)."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return lines.get("$")
