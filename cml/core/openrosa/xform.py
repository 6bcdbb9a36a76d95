"""A questionnaire version as an XForm: XLSFORM's sheets, with the place and the interview date first.

The conditions, constraints, labels and languages come from `xlsform_sheets` alone (one mapping
of CML conditions to XLSForm expressions, XLSFORM's); this module adds what every CML response
carries besides its answers: the facility (or region) among the monitor's own, and the date.
A monitor's places are choices in the form itself, so the form's hash changes when they do and
the phone downloads it again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PLACE_FIELD = "cml_facility"
"""The XForm field of the response's facility (a region's stand-in for region and event questionnaires)."""
DATE_FIELD = "cml_interview_date"
PLACE_LIST = "cml_places"
_LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")

Sheets = dict[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Place:
    """A facility (or a region's stand-in) the monitor may choose: its id and its name in each language."""

    id: int
    label: Mapping[str, str]


@dataclass(frozen=True)
class PlaceRows:
    """The texts of the two first questions, in each language (the server's translations)."""

    place_label: Mapping[str, str]
    date_label: Mapping[str, str]
    date_message: Mapping[str, str]
    """Shown when the date is in the future."""


def _label_columns(rows: Sequence[Mapping[str, str]], prefix: str) -> dict[str, str]:
    """The sheets' own language columns, by language code: {"uk": "label::Українська (uk)"}."""
    found: dict[str, str] = {}
    for row in rows:
        for column in row:
            if column.startswith(prefix + "::"):
                match = _LANGUAGE_CODE.search(column)
                if match:
                    found.setdefault(match.group(1), column)
    return found


def _texts(column: str, columns: Mapping[str, str], text: Mapping[str, str], default_language: str) -> dict[str, str]:
    if not columns:  # one language: the plain column
        return {column: text.get(default_language) or next(iter(text.values()), "")}
    return {name: text.get(language) or text.get(default_language) or "" for language, name in columns.items()}


def _default_language(settings: Sequence[Mapping[str, str]], columns: Mapping[str, str]) -> str:
    chosen = (settings[0].get("default_language", "") if settings else "").strip()
    match = _LANGUAGE_CODE.search(chosen)
    if match:
        return match.group(1)
    return next(iter(columns), "en")


def with_place_rows(sheets: Mapping[str, Sequence[Mapping[str, str]]], form_id: str, version: int, places: Sequence[Place],
                    texts: PlaceRows) -> Sheets:
    """The sheets pyxform turns into this monitor's form: the place and the date first, the form's id
    and CML version in the settings, and nothing pyxform does not read (the indicators)."""
    survey = [dict(row) for row in sheets.get("survey", [])]
    choices = [dict(row) for row in sheets.get("choices", [])]
    settings = [dict(row) for row in sheets.get("settings", [])] or [{}]
    names = {row.get("name", "") for row in survey}
    if PLACE_FIELD in names or DATE_FIELD in names:
        raise ValueError(f"a question may not be named {PLACE_FIELD} or {DATE_FIELD}: the form's own fields are")
    labels = _label_columns(survey, "label")
    language = _default_language(settings, labels)
    place = {"type": f"select_one {PLACE_LIST}", "name": PLACE_FIELD, "required": "yes",
             **_texts("label", labels, texts.place_label, language)}
    interview = {"type": "date", "name": DATE_FIELD, "required": "yes", "default": "today()", "constraint": ". <= today()",
                 **_texts("label", labels, texts.date_label, language),
                 **_texts("constraint_message", _renamed(labels, "constraint_message"), texts.date_message, language)}
    place_choices = [{"list_name": PLACE_LIST, "name": str(p.id), **_texts("label", labels, p.label, language)} for p in places]
    settings[0].update({"form_id": form_id, "version": str(version)})
    return {"survey": [place, interview, *survey], "choices": [*place_choices, *choices], "settings": settings}


def _renamed(columns: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {language: prefix + "::" + name.split("::", 1)[1] for language, name in columns.items()}


def build_xform(sheets: Sheets, convert: Callable[..., Any] | None = None) -> str:
    """The XForm XML of these sheets, made by pyxform."""
    if convert is None:
        from pyxform.xls2xform import convert as pyxform_convert

        convert = pyxform_convert
    # A choice list with no places still makes a form (it cannot be submitted): pyxform refuses an empty list.
    if not any(row.get("list_name") == PLACE_LIST for row in sheets["choices"]):
        raise ValueError("no places to choose from")
    return str(convert(sheets, form_name="data").xform)


def form_hash(xform: str) -> str:
    """The form list's hash of a form: "md5:" and the MD5 of its bytes, as the Form List API asks."""
    return "md5:" + hashlib.md5(xform.encode(), usedforsecurity=False).hexdigest()
