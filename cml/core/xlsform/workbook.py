"""An .xlsx workbook to the XLSForm sheets as rows of text, with pyxform's own cell rules.

pyxform's xlsx backend skips sheets it does not know (our `indicators` sheet), so the sheets
are opened here and each one goes through pyxform's header and row readers: the same
trimming, empty-row handling and cell-to-text conversion pyxform applies before it builds
an XForm.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import (
    get_excel_column_headers,
    get_excel_rows,
    xlsx_value_to_str,
)

from cml.core.xlsform.problems import XlsformProblem

SHEETS = ("survey", "choices", "settings", "indicators")
UNSUPPORTED_SHEETS = {
    "external_choices": "choices from an external file",
    "osm": "OpenStreetMap questions",
    "entities": "ODK entities",
}
MAX_ROWS = 5000
"""More rows than any questionnaire needs; keeps a hostile file from tying up the server."""
MAX_COLUMNS = 200


@dataclass(frozen=True)
class Sheet:
    name: str
    headers: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    """Row i is spreadsheet row i + 2 (the header is row 1); empty rows are kept as {}."""

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


def _clean(cell: Any, row: int, column: str) -> str | None:
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    return None if value is None else str(xlsx_value_to_str(value))


def read_sheets(data: bytes) -> tuple[dict[str, Sheet], list[XlsformProblem]]:
    """The XLSForm sheets of an .xlsx file by lower-case name, and what stopped reading them."""
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError):
        return {}, [XlsformProblem("", None, None, "the file is not an .xlsx workbook; save the XLSForm as Excel .xlsx and upload it again")]
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds of error on a damaged archive)
        return {}, [XlsformProblem("", None, None, "the workbook is damaged and cannot be read; save it again as Excel .xlsx")]
    sheets: dict[str, Sheet] = {}
    problems: list[XlsformProblem] = []
    try:
        names = list(workbook.sheetnames)
        for original in names:
            name = original.strip().lower()
            if len(names) == 1 and name not in SHEETS:
                name = "survey"  # as pyxform: a lone sheet is the survey, whatever its name
            if name in UNSUPPORTED_SHEETS:
                sheet = _read_sheet(workbook[original], name, problems)
                if sheet is not None and any(sheet.rows):
                    problems.append(XlsformProblem(name, None, None, f"CML questionnaires cannot use {UNSUPPORTED_SHEETS[name]}; remove the \"{original}\" sheet"))
                continue
            if name not in SHEETS:
                continue  # other sheets (notes, instructions) are the author's own
            if name in sheets:
                problems.append(XlsformProblem(name, None, None, f"the workbook has two sheets named \"{name}\"; keep one"))
                continue
            sheet = _read_sheet(workbook[original], name, problems)
            if sheet is not None:
                sheets[name] = sheet
    except Exception:  # noqa: BLE001 (a damaged sheet inside a valid archive)
        return {}, [XlsformProblem("", None, None, "the workbook is damaged and cannot be read; save it again as Excel .xlsx")]
    finally:
        workbook.close()
    return sheets, problems


def _read_sheet(worksheet: Any, name: str, problems: list[XlsformProblem]) -> Sheet | None:
    first = next(worksheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    try:
        headers = get_excel_column_headers(first_row=(_header_text(v) for v in first))
    except PyXFormError as error:  # a duplicate header
        problems.append(XlsformProblem(name, 1, None, f"{error}; each column header may appear once"))
        return None
    rows = list(get_excel_rows(headers=headers, rows=worksheet.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=len(headers)), cell_func=_clean))
    if len(rows) > MAX_ROWS:
        problems.append(XlsformProblem(name, None, None, f"the sheet has more than {MAX_ROWS} rows; a questionnaire this long cannot be imported"))
        return None
    return Sheet(name, tuple(h for h in headers if h is not None), tuple(rows))


def _header_text(value: object) -> str | None:
    if value is None:
        return None
    text = str(xlsx_value_to_str(value)).strip()
    return text or None
