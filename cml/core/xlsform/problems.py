"""What read_xlsform reports: a problem at a sheet, row and column, and the questionnaire if any."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class XlsformProblem:
    sheet: str
    """"survey", "choices", "settings", "indicators", or "" for the whole file."""
    row: int | None
    """The spreadsheet row number as the author sees it (the header is row 1)."""
    column: str | None
    """The column's header, e.g. "relevant" or "label::Українська (uk)"."""
    message: str
    """English; says what is wrong and how to fix it."""

    def format(self) -> str:
        """E.g. "survey, row 7, column relevant: ..."."""
        where = [part for part in (
            self.sheet,
            f"row {self.row}" if self.row is not None else "",
            f"column {self.column}" if self.column else "",
        ) if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class XlsformResult:
    questionnaire: dict[str, Any] | None
    """The CML questionnaire JSON (not yet checked by the CML loader); None when there are problems."""
    problems: list[XlsformProblem] = field(default_factory=list)
    """Every problem found, all at once, in sheet order."""
