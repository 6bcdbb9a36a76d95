"""A CML questionnaire to XLSForm sheets (and an .xlsx), readable back into the same questionnaire.

Each section is a group (a page, appearance field-list); conditions are written in XLSForm
syntax by the one mapping in `expressions`. What XLSForm has no column for goes into CML's
own columns (`sensitive`, `min`, `unit::…`, …) and the `indicators` sheet; pyxform ignores
them, so the same sheets also build an XForm.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any

import xlsxwriter

from cml.core.questionnaire.model import BUILTIN_YES_NO_DK, YES_NO_DK_IDS
from cml.core.xlsform.expressions import to_expression
from cml.core.xlsform.languages import language_header

Row = dict[str, str]


class _Writer:
    def __init__(self, questionnaire: Mapping[str, Any]) -> None:
        self.q = questionnaire
        self.languages: list[str] = list(questionnaire.get("languages", []))
        self.types = {
            question["id"]: question["type"] for section in questionnaire.get("sections", []) for question in section.get("questions", [])
        }
        self.lists: dict[str, list[Mapping[str, Any]]] = {name: list(items) for name, items in questionnaire.get("choice_lists", {}).items()}

    def texts(self, row: Row, base: str, text: Mapping[str, str] | None) -> None:
        if text is None:
            return
        for code in self.languages:
            if text.get(code):
                row[f"{base}::{language_header(code)}"] = text[code]

    # --- survey -------------------------------------------------------------------------------
    def survey(self) -> list[Row]:
        rows: list[Row] = []
        for section in self.q["sections"]:
            group: Row = {"type": "begin group", "name": section["id"], "appearance": "field-list"}
            self.texts(group, "label", section.get("title"))
            if "show_if" in section:
                group["relevant"] = to_expression(section["show_if"], self.types)
            rows.append(group)
            rows.extend(self.question(question) for question in section["questions"])
            rows.append({"type": "end group"})
        return rows

    def question(self, question: Mapping[str, Any]) -> Row:  # noqa: C901 (one step per key of the question)
        kind = question["type"]
        row: Row = {"type": self.xlsform_type(question), "name": question["id"]}
        self.texts(row, "label", question.get("label"))
        self.texts(row, "hint", question.get("hint"))
        if "required" in question:
            row["required"] = "yes" if question["required"] else "no"
        if "show_if" in question:
            row["relevant"] = to_expression(question["show_if"], self.types)
        if "constraint" in question:
            row["constraint"] = to_expression(question["constraint"]["condition"], self.types, own=question["id"])
            self.texts(row, "constraint_message", question["constraint"].get("message"))
        if kind == "long_text":
            row["appearance"] = "multiline"
        if isinstance(question.get("choices"), list):
            row["inline_choices"] = "yes"
        if "choice_filter" in question:
            row["choice_filter"] = f"filter=${{{question['choice_filter']}}}"
        if kind == "rating":
            scale = question.get("scale", {})
            row["parameters"] = f"start={scale.get('min', 1)} end={scale.get('max', 5)} step=1"
        if "sensitive" in question:
            row["sensitive"] = "yes" if question["sensitive"] else "no"
        if "sensitive_reason" in question:
            row["sensitive_reason"] = question["sensitive_reason"]
        for key in ("min", "max", "min_selected", "max_selected", "max_length"):
            if key in question:
                row[key] = _plain(question[key])
        if "allow_future" in question:
            row["allow_future"] = "yes" if question["allow_future"] else "no"
        for base in ("unit", "min_label", "max_label"):
            self.texts(row, base, question.get(base))
        return row

    def xlsform_type(self, question: Mapping[str, Any]) -> str:
        kind = question["type"]
        if kind == "yes_no_dk":
            return "select_one yes_no_dk"
        if kind in ("single_choice", "multiple_choice"):
            prefix = "select_one" if kind == "single_choice" else "select_multiple"
            choices = question.get("choices")
            return f"{prefix} {choices if isinstance(choices, str) else self.inline_list(question)}"
        return {"rating": "range", "long_text": "text"}.get(kind, str(kind))

    def inline_list(self, question: Mapping[str, Any]) -> str:
        """A name on the choices sheet for a question's own choices: its id, unless a list has it."""
        name = str(question["id"])
        while name in self.lists and self.lists[name] is not question["choices"]:
            name = f"{name}_choices"
        self.lists[name] = question["choices"]
        return name

    # --- choices ------------------------------------------------------------------------------
    def choices(self) -> list[Row]:
        if any(kind == "yes_no_dk" for kind in self.types.values()) and "yes_no_dk" not in self.lists:
            self.lists["yes_no_dk"] = [
                {"id": cid, "label": {code: BUILTIN_YES_NO_DK[cid].get(code, cid) for code in self.languages}} for cid in YES_NO_DK_IDS
            ]
        rows: list[Row] = []
        for name, items in self.lists.items():
            for item in items:
                row: Row = {"list_name": name, "name": item["id"]}
                self.texts(row, "label", item.get("label"))
                if "filter" in item:
                    row["filter"] = " ".join(item["filter"]) if isinstance(item["filter"], list) else item["filter"]
                rows.append(row)
        return rows

    # --- settings and indicators --------------------------------------------------------------
    def settings(self) -> list[Row]:
        default = self.q.get("default_language", self.languages[0] if self.languages else "")
        row: Row = {"form_id": self.q["id"], "version": str(self.q["version"]), "form_title": self.q["title"].get(default, "")}
        if "default_language" in self.q:
            row["default_language"] = language_header(self.q["default_language"])
        self.texts(row, "label", self.q.get("title"))
        self.texts(row, "description", self.q.get("description"))
        for key in ("disclosure", "subject"):
            if key in self.q:
                row[key] = self.q[key]
        if "sampling" in self.q:
            row["sampling"] = self.q["sampling"].get("facilities", "monitored")
        if "counted_states" in self.q:
            row["counted_states"] = " ".join(self.q["counted_states"])
        return [row]

    def indicators(self) -> list[Row]:
        rows: list[Row] = []
        for indicator in self.q.get("indicators", []):
            row: Row = {"id": indicator["id"], "type": indicator["type"]}
            self.texts(row, "label", indicator.get("label"))
            for key in ("denominator", "numerator"):
                if key in indicator:
                    row[key] = to_expression(indicator[key], self.types)
            if "question" in indicator:
                row["question"] = f"${{{indicator['question']}}}"
            if "target" in indicator:
                row["target"] = _plain(indicator["target"])
            if "better" in indicator:
                row["better"] = indicator["better"]
            rows.append(row)
        return rows


def _plain(value: object) -> str:
    return str(value)


def xlsform_sheets(questionnaire: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The XLSForm sheets of a CML questionnaire (one that passed the CML loader).

    Each row maps a column header to its cell's text; conditions are in XLSForm syntax.
    pyxform turns {"survey", "choices", "settings"} into an XForm as they are.
    """
    writer = _Writer(questionnaire)
    survey = writer.survey()  # before choices: names the lists of questions' own choices
    return {"survey": survey, "choices": writer.choices(), "settings": writer.settings(), "indicators": writer.indicators()}


def write_xlsform(questionnaire: Mapping[str, Any]) -> bytes:
    """The questionnaire as an .xlsx XLSForm workbook."""
    output = BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    header_format = workbook.add_format({"bold": True})
    for name, rows in xlsform_sheets(questionnaire).items():
        sheet = workbook.add_worksheet(name)
        headers = _headers(rows)
        for column, header in enumerate(headers):
            sheet.write_string(0, column, header, header_format)
            sheet.set_column(column, column, 40 if "::" in header or header in ("relevant", "constraint") else 16)
        for r, row in enumerate(rows, start=1):
            for column, header in enumerate(headers):
                if row.get(header):
                    sheet.write_string(r, column, row[header])
        sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()


def _headers(rows: list[dict[str, str]]) -> list[str]:
    """Every column used, in the order first met (so languages keep the questionnaire's order)."""
    headers: dict[str, None] = {}
    for row in rows:
        for key in row:
            headers.setdefault(key, None)
    return list(headers)
