"""CML → XLSForm → CML gives the same questionnaire; the exported XLSForm is a valid XForm source."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from cml.core.questionnaire import parse_document
from cml.core.xlsform import read_xlsform, write_xlsform, xlsform_sheets

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "surveys").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_questionnaire_survives_the_round_trip_unchanged(path: Path) -> None:
    original = load(path)
    result = read_xlsform(write_xlsform(original))
    assert result.problems == []
    assert result.questionnaire == original
    questionnaire, problems = parse_document(result.questionnaire)
    assert problems == [] and questionnaire is not None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_exported_xlsform_converts_to_an_xform_with_pyxform(path: Path) -> None:
    original = load(path)
    warnings: list[str] = []
    xform = convert(write_xlsform(original), warnings=warnings, file_type=".xlsx").xform
    assert warnings == []
    assert f'id="{original["id"]}"' in xform and f'version="{original["version"]}"' in xform
    # Every question is in the XForm, with its skip logic as an XPath relevant.
    for section in original["sections"]:
        for question in section["questions"]:
            assert f"<{question['id']}/>" in xform
    assert 'relevant=" /data/' in xform or "relevant=" in xform


def test_sheets_use_xlsform_conventions() -> None:
    sheets = xlsform_sheets(load(ROOT / "surveys/clinic_exit.json"))
    assert set(sheets) == {"survey", "choices", "settings", "indicators"}
    survey = {row.get("name"): row for row in sheets["survey"]}
    assert survey["hiv_test_offered"]["type"] == "select_one yes_no_dk"
    assert survey["hiv_test_offered"]["relevant"] == "not(selected(${visit_reasons}, 'arv'))"
    assert survey["waiting_minutes"]["constraint"] == ". <= 600"
    assert "label::Українська (uk)" in survey["hiv_test_offered"]
    assert sheets["settings"][0]["form_id"] == "clinic_exit"
    indicators = {row["id"]: row for row in sheets["indicators"]}
    assert indicators["hiv_test_offered"]["denominator"] == "${hiv_test_offered} = 'yes' or ${hiv_test_offered} = 'no'"
    assert indicators["waiting_time"]["question"] == "${waiting_minutes}"


def test_written_workbook_has_the_four_sheets_with_headers_in_row_one() -> None:
    workbook = load_workbook(BytesIO(write_xlsform(load(ROOT / "surveys/incident_report.json"))), read_only=True)
    assert workbook.sheetnames == ["survey", "choices", "settings", "indicators"]
    headers = [c.value for c in next(workbook["survey"].iter_rows(max_row=1))]
    assert headers[:2] == ["type", "name"]
    assert headers.index("label::English (en)") < headers.index("label::Українська (uk)") < headers.index("label::Русский (ru)")
