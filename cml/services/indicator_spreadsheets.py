"""Indicator tables as CSV and formatted XLSX bytes, apart from any HTTP response."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from cml.services.indicator_export import COLUMNS, PERCENT_COLUMNS, IndicatorTable, csv_lines, method_lines

WIDTHS = {"label": 42, "region": 22, "facility": 16, "versions": 10, "method": 18, "change_method": 22, "reliability": 26, "suppression_reason": 16}


def indicator_csv(result: IndicatorTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in csv_lines(result):
        writer.writerow(["" if cell is None else cell for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode()


def column_titles() -> dict[str, str]:
    """Column headings of the XLSX in the reader's language; the CSV keeps the codes, for scripts."""
    return {
        "questionnaire": _("Questionnaire"), "versions": _("Versions"), "indicator": _("Indicator code"), "label": _("Indicator"),
        "type": _("Type"), "region": _("Region"), "facility": _("Facility"), "period": _("Period"),
        "numerator": _("Numerator"), "denominator": _("Denominator (n)"), "estimate": _("Estimate"), "lower": _("Lower limit"),
        "upper": _("Upper limit"), "level": _("Confidence level"), "method": _("Interval method"), "design_effect": _("Design effect"),
        "effective_n": _("Effective n"), "facilities": _("Facilities"), "target": _("Target"), "better": _("Better when"),
        "verdict": _("Verdict"), "difference_clear": _("Difference from target clear"), "reliability": _("Reliability flags"),
        "suppressed": _("Withheld"), "suppression_reason": _("Why withheld"), "change_from": _("Change from period"),
        "change": _("Change"), "change_lower": _("Change, lower limit"), "change_upper": _("Change, upper limit"),
        "change_p_value": _("Change, p-value"), "change_p_adjusted": _("Change, adjusted p-value"),
        "change_method": _("Change, method"), "change_clear": _("Change statistically clear"),
    }


def indicator_xlsx(result: IndicatorTable, generated_by: str) -> bytes:
    """Indicators sheet (frozen header, percent formats, widths, filter) and a Method sheet."""
    import xlsxwriter  # on first use: a process that never writes XLSX does not load it

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True, "valign": "top"})
    percent = workbook.add_format({"num_format": "0.0%"})
    decimal = workbook.add_format({"num_format": "0.00"})
    pvalue = workbook.add_format({"num_format": "0.0000"})
    grey = workbook.add_format({"font_color": "#6b6b6b"})
    titles = column_titles()
    sheet = workbook.add_worksheet(_("Indicators")[:31])
    for column, name in enumerate(COLUMNS):
        sheet.write_string(0, column, titles[name], header)
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
    method = workbook.add_worksheet(_("Method")[:31])
    method.set_column(0, 0, 30)
    method.set_column(1, 1, 110)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    lines = list(method_lines(result, generated_by))
    for row_number, (key, text) in enumerate(lines):
        method.write_string(row_number, 0, key, header)
        method.write_string(row_number, 1, text, wrap)
    start = len(lines) + 1
    method.write_string(start, 0, _("Column"), header)
    method.write_string(start, 1, _("Code in the CSV export"), header)
    for offset, name in enumerate(COLUMNS, start=1):
        method.write_string(start + offset, 0, titles[name])
        method.write_string(start + offset, 1, name)
    workbook.close()
    return buffer.getvalue()
