"""Question types: one entry per type, read by every layer (see kind.py).

A new type is one `QuestionKind` in a family module, listed here; the layers then know
it by its kinds, and tests/core/test_question_types.py fails where a layer lacks one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cml.core.question_types import choice, moment, note, number, text
from cml.core.question_types.kind import ALL_OPERATORS, AnswerKind, DemoKind, ExportKind, QuestionKind, WidgetKind
from cml.core.question_types.moment import is_time

QUESTION_KINDS: Mapping[str, QuestionKind] = {
    kind.name: kind for family in (choice, number, moment, text, note) for kind in family.KINDS
}
"""Every question type by name, in the order authors meet them."""

TYPE_SPECIFIC_KEYS: frozenset[str] = frozenset().union(*(kind.keys for kind in QUESTION_KINDS.values()))


def kind_of(type_name: str) -> QuestionKind:
    """The entry of a type the questionnaire check has accepted (KeyError for any other)."""
    return QUESTION_KINDS[type_name]


def names_where(**wanted: Any) -> frozenset[str]:
    """The names of the types whose attributes have these values, e.g. names_where(answer="choice")."""
    return frozenset(k.name for k in QUESTION_KINDS.values() if all(getattr(k, a) == v for a, v in wanted.items()))


def offline_table() -> dict[str, dict[str, object]]:
    """What the browser's questionnaire.js and form.js need of each type (served as offline/question_types.js)."""
    return {
        kind.name: {
            "answer": kind.answer,
            "widget": kind.widget,
            "choices": kind.choices,
            "free_text": kind.free_text,
            "max_length": kind.max_length,
            "operators": sorted(kind.operators),
        }
        for kind in QUESTION_KINDS.values()
    }


def offline_script() -> str:
    """cml/static/offline/question_types.js: the table for the browser, as `python -m cml.core.question_types` writes it."""
    rows = ",\n".join(f"    {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}" for name, entry in offline_table().items())
    table = "{\n" + rows + "\n  }"
    return (
        "// Generated from cml/core/question_types by `python -m cml.core.question_types > cml/static/offline/question_types.js`;\n"
        "// do not edit (tests/core/test_question_types.py fails when it is stale). What questionnaire.js and form.js know of each type.\n"
        "(function (root) {\n"
        '  "use strict";\n'
        f"  var types = {table};\n"
        '  if (typeof module === "object" && module.exports) { module.exports = types; } else { root.CMLQuestionTypes = types; }\n'
        '})(typeof self !== "undefined" ? self : this);\n'
    )


__all__ = [
    "ALL_OPERATORS",
    "QUESTION_KINDS",
    "TYPE_SPECIFIC_KEYS",
    "AnswerKind",
    "DemoKind",
    "ExportKind",
    "QuestionKind",
    "WidgetKind",
    "is_time",
    "kind_of",
    "names_where",
    "offline_script",
    "offline_table",
]
