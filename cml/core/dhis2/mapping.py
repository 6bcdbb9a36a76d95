"""The DHIS2 mapping file: which data set, organisation units and data elements receive a
questionnaire's published indicator table (format: `mapping.schema.json`, README "DHIS2").

Reading never raises on bad input: every problem is a `Problem` (JSON path and message),
printed as `FILE: PATH: message` like `flask --app cml surveys check`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cml.core.periods import Grain
from cml.core.questionnaire.problems import Problem, child
from cml.core.questionnaire.structure import sort_problems
from cml.core.strict_json import read_json_file

PeriodType = Literal["Quarterly", "Yearly"]
GRAIN_OF: dict[str, Grain] = {"Quarterly": "quarter", "Yearly": "year"}
"""DHIS2 period types CML publishes: months are never published (cml.core.publication), so no Monthly."""
DEFAULT_DECIMALS = {"proportion": 1, "mean": 2}
"""Decimal places of a value when the mapping gives none: percentages to 0.1 point, means to 0.01."""


@dataclass(frozen=True)
class Target:
    """Where one number goes in DHIS2: a data element and, optionally, a category option combo."""

    data_element: str
    category_option_combo: str | None = None


@dataclass(frozen=True)
class IndicatorTargets:
    value: Target | None = None
    numerator: Target | None = None
    denominator: Target | None = None
    decimals: int | None = None


@dataclass(frozen=True)
class Dhis2Mapping:
    questionnaire: str
    data_set: str
    period_type: PeriodType
    national: str | None
    regions: MappingProxyType[str, str]
    """CML region code -> DHIS2 organisation unit uid."""
    indicators: MappingProxyType[str, IndicatorTargets]
    server: str | None = None
    attribute_option_combo: str | None = None
    mark_complete: bool = False
    interval_comment: bool = False

    @property
    def grain(self) -> Grain:
        return GRAIN_OF[self.period_type]


@cache
def mapping_schema() -> dict[str, Any]:
    text = resources.files("cml.core.dhis2").joinpath("mapping.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_mapping(data: bytes) -> tuple[Dhis2Mapping | None, list[Problem]]:
    """The mapping in a file's bytes, or None and every problem found."""
    document, problem = read_json_file(data, "a mapping")
    return (None, [Problem(*problem)]) if problem is not None else parse_mapping(document)


def parse_mapping(document: Any) -> tuple[Dhis2Mapping | None, list[Problem]]:
    """The mapping of a decoded JSON document, or None and every problem found."""
    if not isinstance(document, dict):
        return None, [Problem("$", "the file must hold one JSON object {…}")]
    problems = [_explain(error) for error in Draft202012Validator(mapping_schema()).iter_errors(document)]
    if problems:
        return None, sort_problems(problems)
    problems = _meaning_problems(document)
    if problems:
        return None, problems
    return _model(document), []


def _meaning_problems(document: dict[str, Any]) -> list[Problem]:
    """What the schema cannot say: a target must be distinct, and something must be mapped."""
    problems = []
    seen: dict[tuple[str, str | None], str] = {}
    for name, spec in document["indicators"].items():
        if not any(key in spec for key in ("value", "numerator", "denominator")):
            problems.append(Problem(f"$.indicators.{name}", "maps no number: give \"value\", \"numerator\" or \"denominator\""))
        for part in ("value", "numerator", "denominator"):
            if part not in spec:
                continue
            key = (spec[part]["dataElement"], spec[part].get("categoryOptionCombo"))
            path = f"$.indicators.{name}.{part}"
            if key in seen:
                problems.append(Problem(path, f"the same data element and category option combo as {seen[key]}: DHIS2 would keep only one of them"))
            else:
                seen[key] = path
    return problems


def _model(document: dict[str, Any]) -> Dhis2Mapping:
    def target(spec: dict[str, str] | None) -> Target | None:
        return None if spec is None else Target(spec["dataElement"], spec.get("categoryOptionCombo"))

    indicators = {
        name: IndicatorTargets(target(spec.get("value")), target(spec.get("numerator")), target(spec.get("denominator")), spec.get("decimals"))
        for name, spec in document["indicators"].items()
    }
    org_units = document["orgUnits"]
    return Dhis2Mapping(
        questionnaire=document["questionnaire"],
        data_set=document["dataSet"],
        period_type=document["periodType"],
        national=org_units.get("national"),
        regions=MappingProxyType(dict(org_units.get("regions", {}))),
        indicators=MappingProxyType(indicators),
        server=document.get("server", "").rstrip("/") or None,
        attribute_option_combo=document.get("attributeOptionCombo"),
        mark_complete=bool(document.get("markComplete", False)),
        interval_comment=bool(document.get("intervalComment", False)),
    )


_UID_HINT = "11 letters and digits starting with a letter, such as pBOMPrpg1QX"
_TYPES = {"object": "an object {…}", "string": "text in quotes", "integer": "a whole number", "boolean": "true or false"}


def _explain(error: ValidationError) -> Problem:
    path, kind, value = error.json_path, error.validator, error.instance
    if kind == "required":
        missing = str(error.message).split("'")[1]
        return Problem(path, f"missing \"{missing}\"")
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        name = extra[0] if extra else "?"
        if name == "facilities" and path == "$.orgUnits":
            return Problem(child(path, name), "facility figures are not published (disclosure control covers regions and the nation): map \"regions\" and \"national\"")
        return Problem(child(path, name), f"unknown key \"{_short(name)}\"; allowed here: {', '.join(a for a in allowed if a != '$schema')}")
    if kind == "type":
        expected = error.validator_value
        wanted = " or ".join(_TYPES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        return Problem(path, f"must be {wanted}")
    if kind == "enum":
        return Problem(path, f"\"{_short(value)}\" is not allowed; use one of: {', '.join(str(o) for o in error.validator_value)}")
    if kind == "pattern":
        pattern = str(error.validator_value)
        if pattern.startswith("^[A-Za-z][A-Za-z0-9]{10}"):
            return Problem(path, f"\"{_short(value)}\" is not a DHIS2 uid ({_UID_HINT})")
        if pattern.startswith("^https?"):
            return Problem(path, f"\"{_short(value)}\" is not a server address such as https://dhis2.example.org")
        return Problem(path, f"\"{_short(value)}\" is not a CML id (lower-case letters, digits and _, starting with a letter)")
    if kind == "propertyNames":
        return Problem(path, f"\"{_short(value)}\" is not a valid key here")
    if kind in ("minLength", "maxLength"):
        return Problem(path, "is empty" if kind == "minLength" else "is too long")
    if kind == "minProperties":
        return Problem(path, "must not be empty")
    if kind in ("minimum", "maximum"):
        return Problem(path, f"must be {'at least' if kind == 'minimum' else 'at most'} {error.validator_value}")
    return Problem(path, str(error.message)[:200])


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
