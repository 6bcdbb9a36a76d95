"""Reading a questionnaire file safely and checking its structure against the JSON Schema.

Every failure becomes a `Problem` with a message for a questionnaire author; nothing
here raises on bad input.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cml.core.questionnaire.problems import Problem, child
from cml.core.strict_json import json_kind, read_json_file

_JSON_TYPES = {
    "object": "an object {…}",
    "array": "a list […]",
    "string": "text in quotes",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def read_json(data: bytes) -> tuple[Any, list[Problem]]:
    """Decode the bytes of a questionnaire file into JSON, guarding against hostile input."""
    document, problem = read_json_file(data, "a questionnaire")
    return (None, [Problem(*problem)]) if problem is not None else (document, [])


@cache
def questionnaire_schema() -> dict[str, Any]:
    schema_text = resources.files("cml.core.questionnaire").joinpath("schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(schema_text)
    return schema


def check_structure(document: dict[str, Any]) -> list[Problem]:
    """Every structural problem of a parsed questionnaire, per the JSON Schema."""
    validator = Draft202012Validator(questionnaire_schema())
    return sort_problems([_explain(error) for error in validator.iter_errors(document)])


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems without repeats, in the order they appear in the file."""
    return sorted(set(problems), key=lambda p: (_path_key(p.path), p.message))


def _path_key(path: str) -> list[tuple[int, str | int]]:
    parts: list[tuple[int, str | int]] = []
    for token in path.replace("]", "").replace("[", ".").split(".")[1:]:
        parts.append((0, int(token)) if token.isdigit() else (1, token))
    return parts


def _explain(error: ValidationError) -> Problem:
    path = error.json_path
    kind = error.validator
    value = error.instance
    if kind == "required":
        missing = str(error.message).split("'")[1]
        return Problem(path, f"missing \"{missing}\"")
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        name = extra[0] if extra else "?"
        return Problem(child(path, name), f"unknown key \"{name}\"; allowed here: {', '.join(allowed)}")
    if kind == "type":
        expected = error.validator_value
        wanted = " or ".join(_JSON_TYPES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        return Problem(path, f"must be {wanted}, found {json_kind(value)}")
    if kind == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return Problem(path, f"\"{value}\" is not allowed; use one of: {options}")
    if kind == "pattern":
        if "a-z][a-z0-9_]" in str(error.validator_value):
            return Problem(path, f"\"{value}\" is not a valid id: use lower-case letters, digits and _, starting with a letter, at most 64 characters")
        return Problem(path, f"\"{value}\" is not a language code such as en, uk or ru")
    if kind in ("minItems", "minProperties"):
        return Problem(path, "must not be empty")
    if kind == "uniqueItems":
        return Problem(path, "lists the same value twice")
    if kind == "minimum":
        return Problem(path, f"must be at least {error.validator_value}")
    if kind == "oneOf" and path.endswith(".choices"):
        return Problem(path, "must be the name of a choice list or a list of choices [{\"id\": …, \"label\": {…}}]")
    if kind == "propertyNames":
        return Problem(path, f"\"{value}\" is not a valid id: use lower-case letters, digits and _, starting with a letter")
    return Problem(path, str(error.message))
