"""Indicator tables as CSV and formatted XLSX bytes, apart from any HTTP response."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from cml.services.indicator_export import COLUMNS, PERCENT_COLUMNS, IndicatorTable, csv_lines, method_lines

WIDTHS = {"label": 42, "region": 22, "facility": 16, "versions": 10, "method": 18, "change_method": 22, "reliability": 26, "suppression_reason": 16}


def indicator_csv(result: IndicatorTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in csv_lines(result):
        writer.writerow(["" if cell is None else cell for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode()


def indicator_xlsx(result: IndicatorTable, generated_by: str) -> bytes:
    """Indicators sheet (frozen header, percent formats, widths, filter) and a Method sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True, "valign": "top"})
    percent = workbook.add_format({"num_format": "0.0%"})
    decimal = workbook.add_format({"num_format": "0.00"})
    pvalue = workbook.add_format({"num_format": "0.0000"})
    grey = workbook.add_format({"font_color": "#6b6b6b"})
    sheet = workbook.add_worksheet("Indicators")
    for column, name in enumerate(COLUMNS):
        sheet.write_string(0, column, name, header)
        sheet.set_column(column, column, WIDTHS.get(name, 12))
    for row_number, (row, kind) in enumerate(zip(result.rows, result.kinds, strict=True), start=1):
        for column, name in enumerate(COLUMNS):
            value = row[name]
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row_number, column, value, grey if row["suppressed"] == "yes" else None)
            elif name in PERCENT_COLUMNS and kind == "proportion":
                sheet.write_number(row_number, column, value, percent)
            elif name.startswith("change_p"):
                sheet.write_number(row_number, column, value, pvalue)
            elif isinstance(value, float):
                sheet.write_number(row_number, column, value, decimal)
            else:
                sheet.write_number(row_number, column, value)
    sheet.freeze_panes(1, 4)
    sheet.autofilter(0, 0, max(len(result.rows), 1), len(COLUMNS) - 1)
    method = workbook.add_worksheet("Method")
    method.set_column(0, 0, 30)
    method.set_column(1, 1, 110)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for row_number, (key, text) in enumerate(method_lines(result, generated_by)):
        method.write_string(row_number, 0, key, header)
        method.write_string(row_number, 1, text, wrap)
    workbook.close()
    return buffer.getvalue()
