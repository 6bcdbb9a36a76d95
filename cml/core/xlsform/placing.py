"""The CML check's problems (JSON paths) placed at the sheet, row and column they come from.

The reader records where each object of the questionnaire it builds came from; a problem
the questionnaire check finds at `$.sections[1].questions[3].max` is then shown to the
author as "survey, row 9, column max".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cml.core.questionnaire.model import YES_NO_DK_IDS
from cml.core.questionnaire.problems import Problem
from cml.core.xlsform.columns import SETTINGS_TEXTS, SURVEY_TEXTS, Columns
from cml.core.xlsform.languages import language_header
from cml.core.xlsform.problems import XlsformProblem


@dataclass(frozen=True)
class Placer:
    origins: Mapping[str, tuple[str, int]]
    """JSON path of each object built -> (sheet, row) it came from."""
    question_rows: Mapping[int, int]
    """id() of each question built -> its survey row."""
    list_rows: Mapping[str, list[int]]
    """Each list's choices rows, in order."""
    columns: Mapping[str, Columns]
    languages: list[str]
    settings_row: int | None
    document: Mapping[str, Any]

    def origin_row(self, question: Mapping[str, Any]) -> int | None:
        """The survey row a built question came from."""
        return self.question_rows.get(id(question))

    def locate(self, problem: Problem) -> XlsformProblem:
        """The sheet, row and column a CML loader problem (a JSON path) comes from."""
        segments = _segments(problem.path)
        for cut in range(len(segments), 0, -1):
            prefix = "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in segments[:cut])
            if prefix in self.origins:
                sheet, row = self.origins[prefix]
                if segments[cut:] == ["choices", "filter"]:
                    return self.locate_filter(segments[:cut], problem.message) or XlsformProblem(sheet, row, None, problem.message)
                return XlsformProblem(sheet, row, self.column_of(sheet, segments[cut:]), problem.message)
        if segments and segments[0] == "sections":
            return XlsformProblem("survey", None, None, problem.message)
        if segments and segments[0] == "choice_lists":
            return XlsformProblem("choices", None, None, problem.message)
        return XlsformProblem("settings", self.settings_row, self.column_of("settings", segments), problem.message)

    def locate_filter(self, question_path: list[str | int], message: str) -> XlsformProblem | None:
        """A named list's filter that names no choice of the deciding question: the choices row that has it."""
        try:
            sections = self.document["sections"]
            question = sections[question_path[1]]["questions"][question_path[3]]
            decider = next(q for s in sections for q in s["questions"] if q["id"] == question["choice_filter"])
            choices = decider.get("choices", [])
            allowed = set(YES_NO_DK_IDS) if decider["type"] == "yes_no_dk" else {
                c["id"] for c in (self.document.get("choice_lists", {}).get(choices, []) if isinstance(choices, str) else choices)
            }
            for i, choice in enumerate(self.document["choice_lists"][question["choices"]]):
                values = choice.get("filter", [])
                if set([values] if isinstance(values, str) else values) - allowed:
                    return XlsformProblem("choices", self.list_rows[question["choices"]][i], self.columns["choices"].plain.get("filter", "filter"), message)
        except (KeyError, IndexError, TypeError, StopIteration):
            return None
        return None

    def column_of(self, sheet: str, rest: list[str | int]) -> str | None:
        """The column a JSON key (and language) below a row's object is written in."""
        if not rest or not isinstance(rest[0], str):
            return None
        key = rest[0]
        following = rest[1] if len(rest) > 1 and isinstance(rest[1], str) else None
        if key == "constraint" and following == "message":
            key, following = "constraint_message", rest[2] if len(rest) > 2 and isinstance(rest[2], str) else None
        renamed = {
            "survey": {"show_if": "relevant", "id": "name", "choices": "type", "scale": "parameters", "title": "label"},
            "choices": {"id": "name"},
            "settings": {"id": "form_id", "title": "label", "sampling": "sampling"},
        }.get(sheet, {})
        key = renamed.get(key, key)
        texts = self.columns.get(sheet, Columns()).texts
        if any(base == key for base, _ in texts) or key in SURVEY_TEXTS + SETTINGS_TEXTS:
            code = following if following in self.languages else self.languages[0] if self.languages else ""
            return texts.get((key, code), f"{key}::{language_header(code)}")
        return self.columns.get(sheet, Columns()).plain.get(key, key)



def _segments(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)]
