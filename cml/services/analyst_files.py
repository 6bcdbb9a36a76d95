"""Raw data for analysts: SPSS .sav and Stata .dta with variable and value labels, and an R script that reads the CSV.

The same request as every raw export (`raw_export.RawExportRequest`): the same rows, scope,
dates and sensitive questions; only the form differs (cml.core.labelled says what each
column becomes). pyreadstat writes the files, from a pandas data frame (pandas is lighter
to install than polars, and numpy is here already).

Memory: pyreadstat writes a whole data frame, so the rows are held once, column by column,
in compact arrays (8 bytes a number or a code; a pointer a text, None for the usual empty
one); the data frame is made over those same arrays without copying them, and pyreadstat
reads it row by row. Missing (not answered, not asked) is system-missing in SPSS and `.` in
Stata (an empty text in both): the data cannot tell "not asked" from "not answered", so no
user-missing codes are made up.
"""

from __future__ import annotations

import math
import os
import tempfile
from array import array
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Literal

from flask_babel import gettext as _

from cml.core.cells import Cell
from cml.core.labelled import Variable, VariableKind, variables
from cml.core.r_script import r_script
from cml.services import raw_export

StatFormat = Literal["sav", "dta"]

_FIXED_KINDS: dict[str, VariableKind] = {"version": "whole", "interview_date": "date", "received_at": "moment"}
_LARGEST = 8.988e307  # Stata's largest double; NaN is not within it either
_DAY_1582 = date(1582, 10, 14).toordinal()  # SPSS counts seconds from here
_DAY_1960 = date(1960, 1, 1).toordinal()  # Stata counts days (%td) and milliseconds (%tc) from here
_LIMITS = {  # (variable label, value label, file label), in UTF-8 bytes for SPSS and characters for Stata
    "sav": (256, 120, 64),
    "dta": (80, 32000, 80),
}


def export_variables(request: raw_export.RawExportRequest) -> list[Variable]:
    """The variables of this request's export, labelled in the request's codebook language (the page's)."""
    questionnaire, questions = raw_export.export_questions(request.code, request.include_sensitive)
    fixed = [(column, label, _FIXED_KINDS.get(column, "text")) for column, label, _kind in raw_export._fixed_descriptions()]
    return variables(questionnaire, questions, request.codebook_language, fixed, (_("not chosen"), _("chosen")))


def _as_written(request: raw_export.RawExportRequest) -> raw_export.RawExportRequest:
    """The rows these files are made from: choice ids (the variables code them) and one column per choice."""
    return replace(request, labels_language=None, choices_as_columns=True, excel_locale=False)


class _Column:
    """One variable's values as they come, kept compact: numbers (codes, flags, dates as numbers) in an array of doubles.

    A value a number column cannot hold (an older version's answer of another type) turns the
    column into text, with the values before it written as text: nothing is dropped.
    """

    def __init__(self, variable: Variable, turned: list[_Column]) -> None:
        self.variable = variable
        self.turned = turned
        """Where a column that turns into text tells so (its `add` changes)."""
        self.numbers: array[float] | None = None if variable.kind == "text" else array("d")
        self.texts: list[str | None] | None = [] if variable.kind == "text" else None
        self.codes = {choice_id: float(n) for n, (choice_id, _label) in enumerate(variable.choices, start=1)}
        self.extra_labels: dict[int, str] = {}
        """Codes given to values no choice has (an older version's choice), labelled with the value itself."""
        self.add: Callable[[Cell], None] = self._add_text if self.numbers is None else self._number_adder()

    def _number_adder(self) -> Callable[[Cell], None]:
        numbers = self.numbers
        assert numbers is not None
        append = numbers.append
        kind = self.variable.kind
        nan = math.nan

        def number(cell: Cell) -> None:
            if cell is None:
                append(nan)
            elif (type(cell) is int or type(cell) is float) and -_LARGEST < cell < _LARGEST:
                append(cell)
            else:  # text, or a number no file can hold (infinite, NaN, past Stata's largest): kept as its text
                self._to_text(cell)

        def code(cell: Cell) -> None:
            if cell is None:
                append(nan)
            else:
                try:
                    append(self.codes[cell])  # type: ignore[index]
                except KeyError:
                    append(self._extra_code(str(cell)))

        def day(cell: Cell) -> None:
            if cell is None:
                append(nan)
                return
            try:
                append(date.fromisoformat(cell).toordinal())  # type: ignore[arg-type]
            except (TypeError, ValueError):
                self._to_text(cell)

        def moment(cell: Cell) -> None:
            if cell is None:
                append(nan)
                return
            try:
                when = datetime.fromisoformat(cell)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                self._to_text(cell)
                return
            if when.tzinfo is not None:
                when = when.astimezone(UTC).replace(tzinfo=None)
            append(when.toordinal() * 86400 + when.hour * 3600 + when.minute * 60 + when.second)

        return {"code": code, "date": day, "moment": moment}.get(kind, number)

    def _extra_code(self, value: str) -> float:
        code = len(self.codes) + 1
        self.codes[value] = float(code)
        self.extra_labels[code] = value
        return float(code)

    def _add_text(self, cell: Cell) -> None:
        assert self.texts is not None
        self.texts.append(cell if cell is None or type(cell) is str else str(cell))

    def _to_text(self, cell: Cell) -> None:
        """From here on a text column: the numbers so far written back as the export's text of them."""
        assert self.numbers is not None
        self.texts = [None if math.isnan(n) else self._text_of(n) for n in self.numbers]
        self.numbers = None
        self.add = self._add_text
        self.add(cell)
        self.turned.append(self)

    def _text_of(self, number: float) -> str:
        kind = self.variable.kind
        if kind == "date":
            return date.fromordinal(int(number)).isoformat()
        if kind == "moment":
            day, seconds = divmod(int(number), 86400)
            return f"{date.fromordinal(day).isoformat()}T{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        return str(int(number)) if number.is_integer() else repr(number)


def _collected(request: raw_export.RawExportRequest, variables_: Sequence[Variable]) -> list[_Column]:
    turned: list[_Column] = []
    columns = [_Column(v, turned) for v in variables_]
    adders = [c.add for c in columns]
    chunks = raw_export.rows(_as_written(request))
    header = next(chunks)[0]
    if header != [v.column for v in variables_]:  # the variables are described apart from the rows: they must agree
        raise RuntimeError("the labelled variables do not match the export's columns")
    for chunk in chunks:
        for row in chunk:
            for column, cell in enumerate(row):
                adders[column](cell)
            if turned:  # a column turned into text: its values go to its texts from the next row on
                adders = [c.add for c in columns]
                turned.clear()
    return columns


def _cut(text: str, limit: int, in_bytes: bool) -> str:
    """`text` within the format's limit (bytes of UTF-8 for SPSS, characters for Stata), cut at a character, marked with …."""
    size = len(text.encode()) if in_bytes else len(text)
    if size <= limit:
        return text
    room = limit - (3 if in_bytes else 1)
    if in_bytes:
        return text.encode()[:room].decode("utf-8", "ignore").rstrip() + "…"
    return text[:room].rstrip() + "…"


def stat_file(request: raw_export.RawExportRequest, file_format: StatFormat, title: str) -> str:
    """The export as an SPSS (.sav) or Stata (.dta) file on disk: variable labels, value labels, dates as dates."""
    import numpy
    import pandas
    import pyreadstat

    variables_ = export_variables(request)
    columns = _collected(request, variables_)
    variable_limit, value_limit, file_limit = _LIMITS[file_format]
    in_bytes = file_format == "sav"
    data: dict[str, Any] = {}
    formats: dict[str, str] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    measures: dict[str, str] = {}
    for column in columns:
        variable = column.variable
        if column.numbers is None:
            texts = column.texts or []
            if file_format == "dta":  # Stata's missing text is the empty one (and pyreadstat's strL writer needs it so)
                texts = ["" if t is None else t for t in texts]
            data[variable.name] = pandas.Series(texts, dtype=object)
            continue
        values = numpy.frombuffer(column.numbers, dtype=numpy.float64) if len(column.numbers) else numpy.empty(0)
        if variable.kind == "date":
            values = (values - _DAY_1582) * 86400 if file_format == "sav" else values - _DAY_1960
            formats[variable.name] = "DATE11" if file_format == "sav" else "%td"
        elif variable.kind == "moment":
            values = values - _DAY_1582 * 86400 if file_format == "sav" else (values - _DAY_1960 * 86400) * 1000
            formats[variable.name] = "DATETIME20" if file_format == "sav" else "%tc"
        elif variable.kind in ("code", "flag", "whole") and file_format == "sav":
            formats[variable.name] = "F8.0"
        data[variable.name] = values
        labels = {**dict(variable.value_labels), **column.extra_labels}
        if labels:
            value_labels[variable.name] = {code: _cut(label, value_limit, in_bytes) for code, label in labels.items()}
        measures[variable.name] = {"code": "nominal", "flag": "nominal", "whole": "ordinal" if variable.value_labels else "scale"}.get(variable.kind, "scale")
    del columns  # the frame holds the arrays now
    frame = pandas.DataFrame(data, copy=False)
    del data
    labels_of: dict[str, str | None] = {v.name: _cut(v.label, variable_limit, in_bytes) for v in variables_}
    handle, path = tempfile.mkstemp(prefix="cml-raw-", suffix=f".{file_format}")
    os.close(handle)
    try:
        if file_format == "sav":
            pyreadstat.write_sav(frame, path, file_label=_cut(title, file_limit, True), column_labels=labels_of,
                                 variable_value_labels=value_labels, variable_format=formats, variable_measure=measures)
        else:
            pyreadstat.write_dta(frame, path, file_label=_cut(title, file_limit, False), column_labels=labels_of, version=14,
                                 variable_value_labels=value_labels, variable_format=formats)
    except BaseException:
        os.unlink(path)
        raise
    return path


def r_file(request: raw_export.RawExportRequest, csv_name: str, script_name: str, title: str) -> bytes:
    """The R script that reads this request's CSV export (`csv_name`) with its labels."""
    header = [
        title,
        _("Reads the CSV of the raw export (download it with the same questionnaire and options) into the data frame `cml`, with labels."),
        _("Run it as: Rscript %(script)s FILE.csv, or change csv_file below and source it in R or RStudio.", script=script_name),
        _("Base R only: single choices become factors, each choice of a multiple choice a 0/1 column (empty when unanswered)."),
    ]
    return r_script(export_variables(request), csv_name, header).encode()
