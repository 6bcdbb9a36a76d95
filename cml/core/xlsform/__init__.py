"""XLSForm in and out: the spreadsheets organisations already write for KoboToolbox and ODK.

`read_xlsform` turns an .xlsx XLSForm into a CML questionnaire (or every problem, each at
its sheet, row and column); `xlsform_sheets`/`write_xlsform` turn any CML questionnaire
into the same format, so a questionnaire exported and read back is the same questionnaire.
"""

from __future__ import annotations

from cml.core.xlsform.problems import XlsformProblem, XlsformResult
from cml.core.xlsform.reader import read_xlsform
from cml.core.xlsform.writer import write_xlsform, xlsform_sheets

__all__ = ["XlsformProblem", "XlsformResult", "read_xlsform", "write_xlsform", "xlsform_sheets"]
