"""Questionnaire files an administrator uploads in the authoring tests: the next version of a shipped
questionnaire as an XLSForm workbook, with or without two mistakes."""

from __future__ import annotations

import io
import json
from typing import Any

from tests.conftest import SURVEYS

NEW_WORDING = {"en": "How many minutes did you wait to be seen?", "uk": "Скільки хвилин ви чекали на прийом?",
               "ru": "Сколько минут вы ждали приёма?"}


def next_clinic_exit() -> dict[str, Any]:
    """clinic_exit's next version: one question reworded in every language."""
    document = json.loads((SURVEYS / "clinic_exit.json").read_text(encoding="utf-8"))
    document["version"] += 1
    waiting = next(q for s in document["sections"] for q in s["questions"] if q["type"] == "integer")
    waiting["label"] = dict(NEW_WORDING)
    return document


def clinic_exit_workbook(mistakes: bool) -> tuple[bytes, dict[str, int]]:
    """The next version as an .xlsx; with `mistakes`, an unsupported type and a skip rule naming no
    question. Also the rows of those two mistakes on the survey sheet."""
    import openpyxl

    from cml.core.xlsform import write_xlsform

    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsform(next_clinic_exit())))
    sheet = workbook["survey"]
    header = [cell.value for cell in sheet[1]]
    kind, relevant = header.index("type") + 1, header.index("relevant") + 1
    rows = {
        "type": next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, kind).value == "integer"),
        "relevant": next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, relevant).value),
    }
    if mistakes:
        sheet.cell(rows["type"], kind).value = "geopoint"
        sheet.cell(rows["relevant"], relevant).value = "${nowhere} = 'yes'"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows
