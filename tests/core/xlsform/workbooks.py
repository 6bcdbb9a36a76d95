"""Small XLSForm workbooks built from row lists, for the import tests."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook

Rows = list[list[Any]]

EN, UK = "label::English (en)", "label::Українська (uk)"
SURVEY_HEADERS = ["type", "name", EN, UK, "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Українська (uk)", "required"]


def survey(*rows: list[Any], headers: list[str] | None = None) -> Rows:
    return [headers or SURVEY_HEADERS, *[list(r) for r in rows]]


BASE_SURVEY = survey(
    ["begin group", "visit", "Visit", "Візит"],
    ["select_one reason", "reason", "Why did you come?", "Чому ви прийшли?"],
    ["integer", "age", "Age", "Вік", "", ". >= 16 and . <= 99", "16 to 99", "Від 16 до 99", "yes"],
    ["select_multiple services", "services", "Services received", "Отримані послуги", "${reason} = 'test'"],
    ["end group"],
)
BASE_CHOICES: Rows = [
    ["list_name", "name", EN, UK],
    ["reason", "test", "Testing", "Тестування"],
    ["reason", "treat", "Treatment", "Лікування"],
    ["services", "hiv", "HIV test", "Тест на ВІЛ"],
    ["services", "sti", "STI test", "Тест на ІПСШ"],
]
BASE_SETTINGS: Rows = [["form_id", "version", "form_title", "default_language"], ["mini_form", "1", "Mini form", "English (en)"]]


def workbook(
    survey_rows: Rows | None = None,
    choices: Rows | None = None,
    settings: Rows | None = None,
    indicators: Rows | None = None,
    extra: dict[str, Rows] | None = None,
) -> bytes:
    """An .xlsx with the given sheets; the survey, choices and settings default to a valid small form."""
    book = Workbook()
    book.remove(book.active)
    sheets: dict[str, Rows | None] = {
        "survey": BASE_SURVEY if survey_rows is None else survey_rows,
        "choices": BASE_CHOICES if choices is None else choices,
        "settings": BASE_SETTINGS if settings is None else settings,
        "indicators": indicators,
        **(extra or {}),
    }
    for name, rows in sheets.items():
        if rows is None or rows == []:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if cell == "" else cell for cell in row])
    output = BytesIO()
    book.save(output)
    return output.getvalue()
