"""XLSForm sheets to a CML questionnaire, with every problem at its sheet, row and column.

Groups become sections (pages); questions outside any group are gathered into a section of
their own. Whatever CML cannot express is reported, never dropped: an unknown column, type
or function, a repeat, a nested group, a required-if expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pyxform import aliases

from cml.core.question_types import QUESTION_KINDS
from cml.core.questionnaire import parse_document
from cml.core.questionnaire.model import BUILTIN_YES_NO_DK, YES_NO_DK_IDS
from cml.core.questionnaire.sensitivity import opt_out_problems
from cml.core.xlsform.columns import (
    CHOICE_TEXTS,
    CHOICES_PLAIN,
    DISPLAY_APPEARANCES,
    HEADER_ALIASES,
    INDICATOR_TEXTS,
    INDICATORS_PLAIN,
    LONG_TEXT_APPEARANCE,
    METADATA_TYPES,
    SELECT_MULTIPLE,
    SELECT_ONE,
    SELECT_PREFIXES,
    SETTINGS_PLAIN,
    SETTINGS_TEXTS,
    SIMPLE_TYPES,
    SURVEY_PLAIN,
    SURVEY_TEXTS,
    YES_NO,
    Columns,
)
from cml.core.xlsform.expressions import UNREADABLE, ExpressionError, UnreadableQuestion, to_condition
from cml.core.xlsform.languages import language_code, language_header, split_header
from cml.core.xlsform.placing import Placer
from cml.core.xlsform.problems import XlsformProblem, XlsformResult
from cml.core.xlsform.workbook import Sheet, read_sheets

ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CHOICE_FILTER = re.compile(r"^filter\s*=\s*\$\{([^}]*)\}$")
EXTRA_COLUMNS = frozenset({"min", "max", "min_selected", "max_selected", "max_length", "allow_future", "unit", "min_label", "max_label"})
"""The columns of CML's own question keys; a type may fill those among its keys in the type registry."""


@dataclass
class _Row:
    """A survey row with its place, for problems."""

    index: int
    cells: dict[str, str]
    number: int = 0

    def __post_init__(self) -> None:
        self.number = Sheet.row_number(self.index)


class _Reader:
    def __init__(self, sheets: Mapping[str, Sheet], unreadable: frozenset[str] = frozenset()) -> None:
        self.sheets = sheets
        self.unreadable = unreadable
        """Sheets that could not be read at all (already reported): not "missing" too."""
        self.quiet_failure = False
        """Something was left out because it depends on a row already reported."""
        self.problems: list[XlsformProblem] = []
        self.columns: dict[str, Columns] = {}
        self.languages: list[str] = []
        self.default_code: str | None = None
        self.origins: dict[str, tuple[str, int]] = {}
        """JSON path of each object built -> (sheet, row) it came from, to place the CML loader's problems."""
        self.list_rows: dict[str, list[int]] = {}
        self.settings_row: tuple[int, dict[str, str]] | None = None
        self.question_rows: dict[int, int] = {}
        """id() of each question built -> its survey row."""

    def fail(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(XlsformProblem(sheet, row, column, message))

    # --- headers and languages ---------------------------------------------------------------
    def classify(self, sheet: str, plain: Iterable[str], texts: Iterable[str]) -> None:
        columns = Columns()
        text_bases = set(texts)
        for header in self.sheets[sheet].headers if sheet in self.sheets else ():
            if header.startswith("$"):
                continue  # KoboToolbox's bookkeeping ($kuid, $autoname …): ids of its own, no part of the form
            canonical = HEADER_ALIASES.get(header.strip().lower(), header)
            base, language = split_header(canonical)
            if base in text_bases:
                if language is None:
                    columns.unlabelled[base] = header
                    continue
                code = language_code(language)
                if code is None:
                    self.fail(sheet, 1, header, f"cannot tell the language of \"{language}\"; write it as a name and a code, e.g. {base}::English (en)")
                    continue
                if (base, code) in columns.texts:
                    self.fail(sheet, 1, header, f"a second {base} column for the language \"{code}\" (also {columns.texts[(base, code)]}); keep one")
                    continue
                columns.texts[(base, code)] = header
                if code not in self.languages:
                    self.languages.append(code)
            elif language is None and base in plain:
                columns.plain[base] = header
            else:
                columns.unknown.append(header)
        self.columns[sheet] = columns

    def settle_languages(self) -> None:
        """Texts without a language are in the form's one language, when it has no other."""
        if not self.languages:
            self.languages.append(self.default_code or "en")
            for columns in self.columns.values():
                for base, header in columns.unlabelled.items():
                    columns.texts[(base, self.languages[0])] = header
            return
        for sheet, columns in self.columns.items():
            for base, header in columns.unlabelled.items():
                if any(cells.get(header) for cells in self.sheets[sheet].rows):
                    self.fail(sheet, 1, header, f"\"{header}\" has no language while other columns do; name it like {base}::{language_header(self.languages[0])}")

    def report_unknown(self, sheet: str, what: str) -> None:
        for header in self.columns[sheet].unknown:
            used = [i for i, cells in enumerate(self.sheets[sheet].rows) if cells.get(header)]
            if used:
                self.fail(sheet, Sheet.row_number(used[0]), header, f"CML does not use the column \"{header}\" {what}; remove it, or clear its cells")

    # --- cells --------------------------------------------------------------------------------
    def cell(self, sheet: str, cells: Mapping[str, str], name: str) -> str:
        header = self.columns[sheet].plain.get(name)
        return cells.get(header, "").strip() if header else ""

    def names_of_rows(self, sheets: Mapping[str, Sheet], rows: set[tuple[str, int | None]]) -> set[str]:
        """The names written in these survey rows (rows of other sheets ignored)."""
        survey = sheets.get("survey")
        if survey is None or "survey" not in self.columns:
            return set()
        found = (self.cell("survey", cells, "name") for index, cells in enumerate(survey.rows) if ("survey", Sheet.row_number(index)) in rows)
        return {name for name in found if name}

    def header(self, sheet: str, name: str) -> str:
        return self.columns[sheet].plain.get(name, name)

    def text(self, sheet: str, row: int, cells: Mapping[str, str], base: str) -> dict[str, str] | None:
        """A text in every language, None when all its cells are empty; a missing translation is a problem."""
        columns = self.columns[sheet]
        found = {code: cells.get(columns.texts[(base, code)], "").strip() for code in self.languages if (base, code) in columns.texts}
        if not any(found.values()):
            return None
        for code in self.languages:
            if not found.get(code):
                header = columns.texts.get((base, code), f"{base}::{language_header(code)}")
                self.fail(sheet, row, header, f"the {base} has no text in \"{code}\"; every text needs all the questionnaire's languages ({', '.join(self.languages)})")
        return {code: found.get(code, "") for code in self.languages}

    def flag(self, sheet: str, row: int, cells: Mapping[str, str], name: str) -> bool | None:
        value = self.cell(sheet, cells, name)
        if not value:
            return None
        if value.lower() in YES_NO:  # yes, Yes, TRUE, true(), TRUE() …
            return bool(YES_NO[value.lower()])
        self.fail(sheet, row, self.header(sheet, name), f"write yes or no, not \"{value}\"")
        return None

    def number(self, sheet: str, row: int, cells: Mapping[str, str], name: str, whole: bool = False) -> int | float | None:
        value = self.cell(sheet, cells, name)
        if not value:
            return None
        if not NUMBER.match(value) or (whole and "." in value):
            self.fail(sheet, row, self.header(sheet, name), f"must be a {'whole ' if whole else ''}number, not \"{value}\"")
            return None
        return float(value) if "." in value else int(value)

    def identifier(self, sheet: str, row: int, cells: Mapping[str, str], name: str, what: str) -> str | None:
        value = self.cell(sheet, cells, name)
        if not value:
            self.fail(sheet, row, self.header(sheet, name), f"the {what} needs a {name}")
            return None
        if not ID.match(value):
            self.fail(sheet, row, self.header(sheet, name), f"\"{value}\" cannot be a CML id: use lower-case letters, digits and _, starting with a letter (at most 64 characters)")
            return None
        return value

    # --- settings -----------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        sheet = self.sheets.get("settings")
        rows = [(i, cells) for i, cells in enumerate(sheet.rows) if cells] if sheet else []
        if not rows:
            if "settings" not in self.unreadable:
                self.fail("settings", None, None, "the settings sheet needs a row with form_id, version and form_title")
            return result
        if len(rows) > 1:
            self.fail("settings", Sheet.row_number(rows[1][0]), None, "the settings sheet has one row of values; remove the others")
        index, cells = rows[0]
        row = Sheet.row_number(index)
        self.settings_row = (row, cells)
        form_id = self.identifier("settings", row, cells, "form_id", "form")
        if form_id:
            result["id"] = form_id
        version = self.cell("settings", cells, "version")
        if not version:
            self.fail("settings", row, self.header("settings", "version"), "the form needs a version: a whole number from 1, raised by one for every published change")
        elif not version.isdigit() or int(version) < 1:
            self.fail("settings", row, self.header("settings", "version"), f"CML versions are whole numbers from 1 (1, 2, 3 …), not \"{version}\"")
        else:
            result["version"] = int(version)
        for key, allowed in (("disclosure", ("sensitive", "standard")), ("subject", ("facility", "region", "event")), ("sampling", ("monitored", "sampled"))):
            value = self.cell("settings", cells, key)
            if value and value not in allowed:
                self.fail("settings", row, self.header("settings", key), f"{key} is one of {', '.join(allowed)}, not \"{value}\"")
            elif value:
                result[key] = {"facilities": value} if key == "sampling" else value
        states = self.cell("settings", cells, "counted_states").split()
        if states:
            unknown = [s for s in states if s not in ("received", "approved", "has_issues", "rejected")]
            if unknown:
                self.fail("settings", row, self.header("settings", "counted_states"), f"\"{unknown[0]}\" is not a review state; use received, approved, has_issues, rejected")
            else:
                result["counted_states"] = states
        return result

    def default_language(self) -> None:
        sheet = self.sheets.get("settings")
        first = next((cells for cells in sheet.rows if cells), None) if sheet else None
        header = self.columns["settings"].plain.get("default_language")
        written = first.get(header, "").strip() if first and header else ""
        if written:
            self.default_code = language_code(written)
            if self.default_code is None:
                index = next(i for i, cells in enumerate(sheet.rows) if cells) if sheet else 0
                self.fail("settings", Sheet.row_number(index), header, f"cannot tell the language of \"{written}\"; write it as in the label columns, e.g. English (en)")

    def settings_texts(self, result: dict[str, Any]) -> None:
        if self.settings_row is None:
            return
        row, cells = self.settings_row
        title = self.text("settings", row, cells, "label")
        plain = self.cell("settings", cells, "form_title")
        shown = title.get(self.default_code or self.languages[0], "") if title else ""
        if title is not None and plain and shown and plain != shown:
            # Both are written on export; an author who edits one should not see the other win silently.
            self.fail("settings", row, self.header("settings", "form_title"), f"form_title \"{plain}\" differs from the title in the label columns (\"{shown}\"); make them the same, or clear form_title")
        if title is None:
            if not plain:
                self.fail("settings", row, self.header("settings", "form_title"), "the form needs a form_title")
            else:
                title = {code: plain for code in self.languages}
        if title is not None:
            result["title"] = title
        description = self.text("settings", row, cells, "description")
        if description is not None:
            result["description"] = description
        if self.default_code is not None:
            if self.default_code not in self.languages:
                self.fail("settings", row, self.header("settings", "default_language"), f"\"{self.default_code}\" is not one of the form's languages ({', '.join(self.languages)})")
            else:
                result["default_language"] = self.default_code

    # --- choices ------------------------------------------------------------------------------
    def choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        sheet = self.sheets.get("choices")
        if sheet is None:
            return lists
        seen: dict[tuple[str, str], int] = {}
        for index, cells in enumerate(sheet.rows):
            if not cells:
                continue
            row = Sheet.row_number(index)
            name = self.cell("choices", cells, "list_name")
            if not name:
                self.fail("choices", row, self.header("choices", "list_name"), "every choice needs the list_name of its list")
                continue
            if not ID.match(name):
                self.fail("choices", row, self.header("choices", "list_name"), f"\"{name}\" cannot be a CML list name: use lower-case letters, digits and _, starting with a letter")
                continue
            choice_id = self.identifier("choices", row, cells, "name", "choice")
            label = self.text("choices", row, cells, "label")
            if label is None:
                self.fail("choices", row, self.columns["choices"].texts.get(("label", self.languages[0]), "label"), "the choice needs a label")
            if choice_id is None:
                continue
            if (name, choice_id) in seen:
                self.fail("choices", row, self.header("choices", "name"), f"the list {name} already has a choice \"{choice_id}\" (row {seen[(name, choice_id)]})")
                continue
            seen[(name, choice_id)] = row
            choice: dict[str, Any] = {"id": choice_id, "label": label or {}}
            filter_value = self.cell("choices", cells, "filter").split()
            if filter_value:
                choice["filter"] = filter_value[0] if len(filter_value) == 1 else filter_value
            lists.setdefault(name, []).append(choice)
            self.list_rows.setdefault(name, []).append(row)
        return lists

    # --- survey -------------------------------------------------------------------------------
    def kind(self, row: _Row) -> tuple[str, str | None] | None:
        """(CML type or "begin"/"end", list name) of a survey row; None (with a problem) if unsupported."""
        header = self.header("survey", "type")
        written = re.sub(r"\s+", " ", self.cell("survey", row.cells, "type"))
        lowered = written.lower()
        if not written:
            self.fail("survey", row.number, header, "the row has no type; give one (text, integer, select_one LIST, begin group …) or clear the row")
            return None
        if lowered in ("begin group", "begin_group"):
            return "begin", None
        if lowered in ("end group", "end_group"):
            return "end", None
        if lowered.startswith(("begin repeat", "begin_repeat", "end repeat", "end_repeat", "begin loop", "end loop")):
            self.fail("survey", row.number, header, "CML has no repeats: each response answers each question once; ask for a number or a list of choices instead")
            return None
        for spelling, canonical in SELECT_PREFIXES:
            if lowered == spelling or lowered.startswith(spelling + " "):
                rest = written[len(spelling):].split()
                if spelling in aliases.select_from_file or canonical not in (SELECT_ONE, SELECT_MULTIPLE):
                    self.fail("survey", row.number, header, f"CML has no \"{spelling}\" questions; use select_one or select_multiple with a list on the choices sheet")
                    return None
                if len(rest) != 1:
                    if len(rest) > 1 and rest[-1].lower() in ("or_other", "other"):
                        self.fail("survey", row.number, header, "CML has no or_other: add a choice \"other\" and a text question shown when it is chosen")
                    else:
                        self.fail("survey", row.number, header, f"write the type as \"{spelling} LIST\" with one list name from the choices sheet")
                    return None
                return ("single_choice" if canonical == SELECT_ONE else "multiple_choice"), rest[0]
        if lowered in SIMPLE_TYPES:
            return SIMPLE_TYPES[lowered], None
        if lowered in METADATA_TYPES:
            self.fail("survey", row.number, header, f"\"{written}\" is form metadata; CML records a response's date, place and author itself, so remove the row")
            return None
        self.fail("survey", row.number, header, f"CML has no question type \"{written}\"; it has select_one, select_multiple, integer, decimal, range, date, time, text, note")
        return None

    def survey(self, lists: Mapping[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], set[str]]:
        sheet = self.sheets.get("survey")
        if sheet is None:
            if "survey" not in self.unreadable:
                self.fail("survey", None, None, "the workbook has no survey sheet")
            return [], set()
        rows = [_Row(i, cells) for i, cells in enumerate(sheet.rows) if cells]
        kinds = {row.index: self.kind(row) for row in rows}
        # First pass: every question's CML type, so expressions can be read in any order.
        types: dict[str, str] = {}
        for row in rows:
            found = kinds[row.index]
            name = self.cell("survey", row.cells, "name")
            if found is None:
                if name:
                    types.setdefault(name, UNREADABLE)  # its row is reported; expressions on it stay quiet
                continue
            if found[0] in ("begin", "end") or not name:
                continue
            types.setdefault(name, self.cml_type(row, *found, lists))
        sections: list[dict[str, Any]] = []
        used_inline: set[str] = set()
        visible: set[str] = set()
        seen_names: dict[str, int] = {}
        open_group: tuple[dict[str, Any], _Row] | None = None
        depth = 0
        loose: dict[str, Any] | None = None
        for row in rows:
            found = kinds[row.index]
            if found is None:
                continue
            kind, list_name = found
            if kind == "begin":
                depth += 1
                if depth > 1:
                    self.fail("survey", row.number, self.header("survey", "type"), "a group inside a group: CML sections are one level deep; end the outer group before beginning this one")
                    continue
                section = self.section(row, types, frozenset(visible))
                open_group = (section, row)
                self.origins[f"$.sections[{len(sections)}]"] = ("survey", row.number)
                sections.append(section)
                loose = None
                continue
            if kind == "end":
                if depth == 0:
                    self.fail("survey", row.number, self.header("survey", "type"), "end group without a begin group above it")
                    continue
                depth -= 1
                if depth == 0 and open_group is not None:
                    if not open_group[0]["questions"]:
                        self.fail("survey", open_group[1].number, self.header("survey", "type"), "the group has no questions; CML sections need at least one")
                    open_group = None
                continue
            question = self.question(row, kind, list_name, types, frozenset(visible), lists, used_inline)
            name = self.cell("survey", row.cells, "name")
            if name:
                if name in seen_names:
                    self.fail("survey", row.number, self.header("survey", "name"), f"the name \"{name}\" is already used in row {seen_names[name]}; names must be unique")
                seen_names.setdefault(name, row.number)
                visible.add(name)
            if question is None:
                continue
            if open_group is not None:
                target = open_group[0]
            else:
                if loose is None:  # questions outside groups: a section of their own, titled as the form
                    loose = {"id": f"part_{len(sections) + 1}", "title": {}, "questions": []}
                    sections.append(loose)
                target = loose
            path = f"$.sections[{len(sections) - 1}].questions[{len(target['questions'])}]"
            self.origins[path] = ("survey", row.number)
            self.question_rows[id(question)] = row.number
            for i, choice_row in enumerate(self.list_rows.get(list_name or "", []) if isinstance(question.get("choices"), list) else []):
                self.origins[f"{path}.choices[{i}]"] = ("choices", choice_row)
            target["questions"].append(question)
        if depth > 0 and open_group is not None:
            self.fail("survey", open_group[1].number, self.header("survey", "type"), "begin group without an end group; add an end group row after its questions")
        if not sections:
            self.fail("survey", None, None, "the survey sheet has no questions")
        return sections, used_inline

    def cml_type(self, row: _Row, kind: str, list_name: str | None, lists: Mapping[str, list[dict[str, Any]]]) -> str:
        """The CML type of a question row: some depend on its appearance or its list."""
        if kind == "text" and self.cell("survey", row.cells, "appearance") == LONG_TEXT_APPEARANCE:
            return "long_text"
        if kind == "single_choice" and self.is_yes_no_dk(row, list_name, lists):
            return "yes_no_dk"
        return kind

    def is_yes_no_dk(self, row: _Row, list_name: str | None, lists: Mapping[str, list[dict[str, Any]]]) -> bool:
        """`select_one yes_no_dk` over the ids yes, no, dont_know is CML's built-in yes/no/don't know."""
        if list_name != "yes_no_dk" or self.flag("survey", row.number, row.cells, "inline_choices"):
            return False
        return tuple(c["id"] for c in lists.get(list_name, ())) == YES_NO_DK_IDS

    def section(self, row: _Row, types: Mapping[str, str], visible: frozenset[str]) -> dict[str, Any]:
        section: dict[str, Any] = {"id": self.identifier("survey", row.number, row.cells, "name", "group") or "", "title": {}, "questions": []}
        title = self.text("survey", row.number, row.cells, "label")
        if title is None:
            self.fail("survey", row.number, self.label_header(), "the group needs a label: each group is a page of the form, and the label is its title")
        else:
            section["title"] = title
        relevant = self.condition(row, "relevant", types, visible)
        if relevant is not None:
            section["show_if"] = relevant
        for name in SURVEY_PLAIN:
            if name not in ("type", "name", "relevant", "appearance") and self.cell("survey", row.cells, name):
                self.fail("survey", row.number, self.header("survey", name), f"a group cannot have a {name}; CML sections have a name, a label and relevant")
        for base in SURVEY_TEXTS:
            if base != "label" and any(row.cells.get(h) for (b, _), h in self.columns["survey"].texts.items() if b == base):
                self.fail("survey", row.number, next(h for (b, _), h in self.columns["survey"].texts.items() if b == base and row.cells.get(h)), f"a group cannot have a {base}")
        self.appearance(row, "group")
        return section

    def label_header(self) -> str:
        return self.columns["survey"].texts.get(("label", self.languages[0]), "label")

    def condition(self, row: _Row, column: str, types: Mapping[str, str], visible: frozenset[str], own: str | None = None) -> dict[str, Any] | None:
        text = self.cell("survey", row.cells, column)
        if not text:
            return None
        try:
            return to_condition(text, types, visible, own)
        except UnreadableQuestion:
            self.quiet_failure = True
            return None
        except ExpressionError as error:
            self.fail("survey", row.number, self.header("survey", column), f"{error} (in \"{text}\")")
            return None

    def appearance(self, row: _Row, kind: str) -> None:
        written = self.cell("survey", row.cells, "appearance").split()
        for appearance in written:
            if appearance == LONG_TEXT_APPEARANCE and kind in ("text", "long_text"):
                continue
            if appearance not in DISPLAY_APPEARANCES:
                self.fail("survey", row.number, self.header("survey", "appearance"), f"CML cannot show the appearance \"{appearance}\"; remove it")

    def question(  # noqa: C901 (one step per column of the row)
        self,
        row: _Row,
        kind: str,
        list_name: str | None,
        types: Mapping[str, str],
        visible: frozenset[str],
        lists: Mapping[str, list[dict[str, Any]]],
        used_inline: set[str],
    ) -> dict[str, Any] | None:
        name = self.identifier("survey", row.number, row.cells, "name", "question")
        if name is None:
            return None
        kind = self.cml_type(row, kind, list_name, lists)
        question: dict[str, Any] = {"id": name, "type": kind}
        label = self.text("survey", row.number, row.cells, "label")
        if label is None:
            self.fail("survey", row.number, self.label_header(), "the question needs a label")
        question["label"] = label or {}
        hint = self.text("survey", row.number, row.cells, "hint")
        if hint is not None:
            question["hint"] = hint
        required = self.required(row)
        if required is not None:
            if kind == "note" and required:
                self.fail("survey", row.number, self.header("survey", "required"), "a note has no answer and cannot be required")
            else:
                question["required"] = required
        sensitive = self.flag("survey", row.number, row.cells, "sensitive")
        if sensitive is not None:
            question["sensitive"] = sensitive
        reason = self.cell("survey", row.cells, "sensitive_reason")
        if reason:
            question["sensitive_reason"] = reason
        show_if = self.condition(row, "relevant", types, visible)
        if show_if is not None:
            question["show_if"] = show_if
        self.constraint(row, question, types, visible)
        self.appearance(row, kind)
        if kind in ("single_choice", "multiple_choice", "yes_no_dk") and list_name is not None:
            self.choices(row, question, list_name, lists, used_inline)
        self.choice_filter(row, question, types, visible)
        if kind == "rating":
            self.scale(row, question)
        elif self.cell("survey", row.cells, "parameters"):
            self.fail("survey", row.number, self.header("survey", "parameters"), f"CML reads parameters only for range questions; remove them from this {kind} question")
        self.extras(row, question)
        return question

    def required(self, row: _Row) -> bool | None:
        value = self.cell("survey", row.cells, "required")
        if not value:
            return None
        if value.lower() in YES_NO:  # yes, Yes, TRUE, true(), TRUE() …
            return bool(YES_NO[value.lower()])
        self.fail("survey", row.number, self.header("survey", "required"), f"CML's required is yes or no, not \"{value}\"; to ask only sometimes, put the condition in relevant")
        return None

    def constraint(self, row: _Row, question: dict[str, Any], types: Mapping[str, str], visible: frozenset[str]) -> None:
        name = question["id"]
        condition = self.condition(row, "constraint", types, visible, own=name)
        message = self.text("survey", row.number, row.cells, "constraint_message")
        written = self.cell("survey", row.cells, "constraint")
        if question["type"] == "note" and written:
            self.fail("survey", row.number, self.header("survey", "constraint"), "a note has no answer and cannot have a constraint")
            return
        if written and message is None:
            self.fail("survey", row.number, self.header("survey", "constraint"), "the constraint needs a constraint_message in every language, telling the monitor what to change")
        elif message is not None and not written:
            header = next(h for (b, _), h in self.columns["survey"].texts.items() if b == "constraint_message" and row.cells.get(h))
            self.fail("survey", row.number, header, "a constraint_message without a constraint; add the constraint or clear the message")
        if condition is not None and message is not None:
            question["constraint"] = {"condition": condition, "message": message}

    def choices(
        self, row: _Row, question: dict[str, Any], list_name: str, lists: Mapping[str, list[dict[str, Any]]], used_inline: set[str]
    ) -> None:
        if list_name not in lists:
            self.fail("survey", row.number, self.header("survey", "type"), f"there is no list \"{list_name}\" on the choices sheet")
            return
        if question["type"] == "yes_no_dk":
            return
        if self.flag("survey", row.number, row.cells, "inline_choices"):
            question["choices"] = [dict(c) for c in lists[list_name]]
            used_inline.add(list_name)
        else:
            question["choices"] = list_name

    def choice_filter(self, row: _Row, question: dict[str, Any], types: Mapping[str, str], visible: frozenset[str]) -> None:
        written = self.cell("survey", row.cells, "choice_filter")
        if not written:
            return
        header = self.header("survey", "choice_filter")
        match = CHOICE_FILTER.match(written)
        if question["type"] != "single_choice":
            self.fail("survey", row.number, header, "CML filters the choices of select_one questions only")
        elif match is None:
            self.fail("survey", row.number, header, f"CML reads a choice_filter only as filter=${{question}} (with a filter column on the choices sheet), not \"{written}\"")
        elif match.group(1) not in types:
            self.fail("survey", row.number, header, f"there is no question ${{{match.group(1)}}}")
        elif match.group(1) not in visible:
            self.fail("survey", row.number, header, f"${{{match.group(1)}}} is not an earlier question; the choices can only depend on an earlier answer")
        elif types[match.group(1)] not in ("single_choice", "yes_no_dk"):
            self.fail("survey", row.number, header, f"${{{match.group(1)}}} is {types[match.group(1)]}; choices can be filtered only by an earlier select_one")
        else:
            question["choice_filter"] = match.group(1)

    def scale(self, row: _Row, question: dict[str, Any]) -> None:
        header = self.header("survey", "parameters")
        written = self.cell("survey", row.cells, "parameters")
        values: dict[str, str] = {}
        for part in written.replace(";", " ").replace(",", " ").split():
            key, _, value = part.partition("=")
            values[key.strip().lower()] = value.strip()
        unknown = sorted(set(values) - {"start", "end", "step"})
        if unknown:
            self.fail("survey", row.number, header, f"CML reads only start, end and step for a range, not \"{unknown[0]}\"")
            return
        numbers: dict[str, int] = {}
        for key, default in (("start", "1"), ("end", "10"), ("step", "1")):  # pyxform's defaults
            value = values.get(key, default)
            if not re.fullmatch(r"-?\d+", value):
                self.fail("survey", row.number, header, f"a CML rating has whole-number points: {key}={value} is not a whole number")
                return
            numbers[key] = int(value)
        if numbers["step"] != 1:
            self.fail("survey", row.number, header, "a CML rating goes up in steps of 1; use step=1")
            return
        question["scale"] = {"min": numbers["start"], "max": numbers["end"]}

    def extras(self, row: _Row, question: dict[str, Any]) -> None:
        """CML's own columns: bounds, units, scale labels, lengths, selections, future dates."""
        kind = question["type"]
        allowed = QUESTION_KINDS[kind].keys & EXTRA_COLUMNS if kind in QUESTION_KINDS else frozenset()
        for name in ("min", "max", "min_selected", "max_selected", "max_length", "allow_future"):
            if not self.cell("survey", row.cells, name):
                continue
            if name not in allowed:
                self.fail("survey", row.number, self.header("survey", name), f"{name} does not apply to a {kind} question")
                continue
            if name == "allow_future":
                value = self.flag("survey", row.number, row.cells, name)
                if value is not None:
                    question[name] = value
            elif kind == "time":
                written = self.cell("survey", row.cells, name)
                if TIME.match(written):
                    question[name] = written
                else:
                    self.fail("survey", row.number, self.header("survey", name), f"a time is written HH:MM (24-hour), not \"{written}\"")
            else:
                number = self.number("survey", row.number, row.cells, name, whole=name != "min" and name != "max" or kind == "integer")
                if number is not None:
                    question[name] = number
        for base in ("unit", "min_label", "max_label"):
            text = self.text("survey", row.number, row.cells, base)
            if text is None:
                continue
            if base not in allowed:
                header = next(h for (b, _), h in self.columns["survey"].texts.items() if b == base and row.cells.get(h))
                self.fail("survey", row.number, header, f"{base} does not apply to a {kind} question")
            else:
                question[base] = text

    # --- indicators ---------------------------------------------------------------------------
    def indicators(self, types: Mapping[str, str]) -> list[dict[str, Any]]:
        sheet = self.sheets.get("indicators")
        result: list[dict[str, Any]] = []
        if sheet is None:
            return result
        everything = frozenset(types)
        for index, cells in enumerate(sheet.rows):
            if not cells:
                continue
            row = Sheet.row_number(index)
            self.origins[f"$.indicators[{len(result)}]"] = ("indicators", row)
            indicator: dict[str, Any] = {"id": self.identifier("indicators", row, cells, "id", "indicator") or ""}
            label = self.text("indicators", row, cells, "label")
            if label is None:
                self.fail("indicators", row, self.columns["indicators"].texts.get(("label", self.languages[0]), "label"), "the indicator needs a label")
            indicator["label"] = label or {}
            kind = self.cell("indicators", cells, "type")
            if kind not in ("proportion", "mean"):
                self.fail("indicators", row, self.header("indicators", "type"), f"an indicator's type is proportion or mean, not \"{kind}\"")
            indicator["type"] = kind
            for key in ("numerator", "denominator"):
                written = self.cell("indicators", cells, key)
                if not written:
                    continue
                try:
                    indicator[key] = to_condition(written, types, everything)
                except UnreadableQuestion:
                    self.quiet_failure = True
                except ExpressionError as error:
                    self.fail("indicators", row, self.header("indicators", key), f"{error} (in \"{written}\")")
            question = self.cell("indicators", cells, "question")
            if question:
                indicator["question"] = question[2:-1] if question.startswith("${") and question.endswith("}") else question
            target = self.number("indicators", row, cells, "target")
            if target is not None:
                indicator["target"] = target
            better = self.cell("indicators", cells, "better")
            if better and better not in ("higher", "lower"):
                self.fail("indicators", row, self.header("indicators", "better"), f"better is higher or lower, not \"{better}\"")
            elif better:
                indicator["better"] = better
            result.append(indicator)
        return result

    # --- the whole form -----------------------------------------------------------------------
    def read(self) -> dict[str, Any]:
        """The questionnaire as far as the sheets allow; complete only when self.problems is empty."""
        self.classify("survey", SURVEY_PLAIN, SURVEY_TEXTS)
        self.classify("choices", CHOICES_PLAIN, CHOICE_TEXTS)
        self.classify("settings", SETTINGS_PLAIN, SETTINGS_TEXTS)
        self.classify("indicators", INDICATORS_PLAIN, INDICATOR_TEXTS)
        self.default_language()
        self.settle_languages()
        self.report_unknown("survey", "(formulas, media, defaults and the like have no place in a CML question)")
        self.report_unknown("choices", "on choices")
        self.report_unknown("settings", "in settings")
        self.report_unknown("indicators", "on indicators")
        document: dict[str, Any] = self.settings()
        document["languages"] = list(self.languages)
        self.settings_texts(document)
        lists = self.choice_lists()
        sections, used_inline = self.survey(lists)
        for section in sections:
            if not section["title"] and "title" in document:
                section["title"] = dict(document["title"])  # questions outside groups: the form's title
        types = {q["id"]: q["type"] for s in sections for q in s["questions"]}
        named = {name: items for name, items in lists.items() if name not in used_inline or self.shared(name, sections)}
        if "yes_no_dk" in named and self.builtin_yes_no_dk(named["yes_no_dk"]):
            del named["yes_no_dk"]  # CML has these labels built in
        if named:
            document["choice_lists"] = named
            for name in named:
                for i, choice_row in enumerate(self.list_rows.get(name, [])):
                    self.origins[f"$.choice_lists.{name}[{i}]"] = ("choices", choice_row)
                if self.list_rows.get(name):
                    self.origins[f"$.choice_lists.{name}"] = ("choices", self.list_rows[name][0])
        document["sections"] = sections
        indicators = self.indicators(types)
        if indicators:
            document["indicators"] = indicators
        return document

    def shared(self, name: str, sections: list[dict[str, Any]]) -> bool:
        return any(q.get("choices") == name for s in sections for q in s["questions"])

    def builtin_yes_no_dk(self, choices: list[dict[str, Any]]) -> bool:
        return all(
            not c.get("filter") and all(BUILTIN_YES_NO_DK[c["id"]].get(code) == c["label"].get(code) for code in self.languages)
            for c in choices
        )


def read_sheets_as_questionnaire(sheets: Mapping[str, Sheet], unreadable: frozenset[str] = frozenset()) -> XlsformResult:
    """The questionnaire of already-read sheets, checked by the CML loader too.

    The loader's problems (a maximum below a minimum, a free-text opt-out without a reason …)
    are placed at the sheet, row and column they come from, so the author fixes the workbook.
    They are sought even when the sheets have problems of their own, so that one upload
    shows everything; a loader problem on a row that already has one is left out, as the
    row's object was built incompletely.
    """
    reader = _Reader(sheets, unreadable)
    document = reader.read()
    found = set(reader.problems)
    placer = Placer(reader.origins, reader.question_rows, reader.list_rows, reader.columns, reader.languages,
                    reader.settings_row[0] if reader.settings_row else None, document)
    if "sections" in document:
        _, loader_problems = parse_document(document)
        troubled = {(p.sheet, p.row) for p in found}
        # Names of questions whose rows are reported: the loader's complaints about them are echoes.
        echoes = {f"\"{q['id']}\"" for s in document["sections"] for q in s["questions"] if ("survey", placer.origin_row(q)) in troubled}
        # And of rows left out altogether (an unsupported type): an indicator on such a question is an echo too.
        echoes |= {f"\"{name}\"" for name in reader.names_of_rows(sheets, troubled)}
        located = {placer.locate(p) for p in loader_problems + opt_out_problems(document)}
        found |= {
            p for p in located
            if not (found or unreadable) or ((p.sheet, p.row) not in troubled and p.row is not None and not any(e in p.message for e in echoes))
        }
    if found or reader.quiet_failure:
        return XlsformResult(None, sorted(found, key=_order))
    return XlsformResult(document, [])


_SHEET_ORDER = {"": 0, "settings": 1, "survey": 2, "choices": 3, "indicators": 4}


def _order(problem: XlsformProblem) -> tuple[int, int, str, str]:
    return (_SHEET_ORDER.get(problem.sheet, 5), problem.row or 0, problem.column or "", problem.message)


def read_xlsform(data: bytes) -> XlsformResult:
    """The CML questionnaire an .xlsx XLSForm describes, or every problem that stops it."""
    sheets, problems = read_sheets(data)
    if problems and not sheets:
        return XlsformResult(None, problems)
    result = read_sheets_as_questionnaire(sheets, frozenset(p.sheet for p in problems))
    if problems:
        return XlsformResult(None, sorted(set(problems + result.problems), key=_order))
    return result
