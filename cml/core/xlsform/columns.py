"""The columns and types an XLSForm may use, and what each becomes in a CML questionnaire.

Shared by the reader and the writer so both agree on every name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pyxform import aliases

# Texts, one column per language ("label::English (en)").
SURVEY_TEXTS = ("label", "hint", "constraint_message", "unit", "min_label", "max_label")
CHOICE_TEXTS = ("label",)
SETTINGS_TEXTS = ("label", "description")
INDICATOR_TEXTS = ("label",)

# Survey columns of XLSForm that CML reads, and CML's own extra columns.
SURVEY_PLAIN = (
    "type", "name", "required", "relevant", "constraint", "appearance", "choice_filter", "parameters",
    # CML's own: what XLSForm has no column for
    "inline_choices", "sensitive", "sensitive_reason", "min", "max", "min_selected", "max_selected", "max_length", "allow_future",
)
CHOICES_PLAIN = ("list_name", "name", "filter")
SETTINGS_PLAIN = ("form_id", "form_title", "version", "default_language", "style", "disclosure", "subject", "sampling", "counted_states")
INDICATORS_PLAIN = ("id", "type", "question", "numerator", "denominator", "target", "better")

# XLSForm spellings of the same column (pyxform accepts them too).
HEADER_ALIASES: Mapping[str, str] = {
    "relevance": "relevant",
    "caption": "label",
    "constraining_message": "constraint_message",
    "bind::relevant": "relevant",
    "bind::constraint": "constraint",
    "bind::required": "required",
    "control::appearance": "appearance",
    "body::appearance": "appearance",
    "list name": "list_name",
    "set_form_title": "form_title",
    "set_form_id": "form_id",
    "value": "name",
}

# Display-only appearances: CML draws its own controls, so these change nothing.
DISPLAY_APPEARANCES = frozenset({
    "minimal", "horizontal", "horizontal-compact", "compact", "quick", "autocomplete", "likert",
    "columns", "columns-pack", "no-buttons", "field-list", "table-list", "list", "list-nolabel", "label",
    "no-calendar", "month-year", "year", "numbers", "thousands-sep", "picker", "vertical", "rating",
})
LONG_TEXT_APPEARANCE = "multiline"

XLSFORM_TYPES: Mapping[str, str] = {
    "single_choice": "select_one",
    "multiple_choice": "select_multiple",
    "yes_no_dk": "select_one",  # over the list yes_no_dk
    "integer": "integer",
    "decimal": "decimal",
    "rating": "range",  # parameters start=MIN end=MAX step=1
    "date": "date",
    "time": "time",
    "text": "text",
    "long_text": "text",  # appearance multiline
    "note": "note",
}
"""Each CML question type as an XLSForm type (tests hold it to every type of the registry)."""
SIMPLE_TYPES: Mapping[str, str] = {
    "integer": "integer", "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "text": "text", "string": "text",
    "note": "note",
    "range": "rating",
}
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "imei", "username", "email", "phonenumber", "simserial", "subscriberid",
    "audit", "start-geopoint", "background-audio", "background-geopoint",
})
SELECT_PREFIXES: tuple[tuple[str, str], ...] = tuple(sorted(
    ((spelling, canonical) for spelling, canonical in aliases.select.items()),
    key=lambda pair: -len(pair[0]),
))
"""pyxform's spellings of select types, longest first, to the canonical "select one"/"select all that apply"."""
SELECT_ONE = "select one"
SELECT_MULTIPLE = "select all that apply"
YES_NO = aliases.yes_no
"""pyxform's yes/no spellings (yes, TRUE, true(), no, ...) to True/False."""


@dataclass
class Columns:
    """A sheet's headers: the plain ones by canonical name, the texts by (base, language)."""

    plain: dict[str, str] = field(default_factory=dict)  # canonical name -> header as written
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (base, code) -> header
    unlabelled: dict[str, str] = field(default_factory=dict)  # text base without language -> header
    unknown: list[str] = field(default_factory=list)
