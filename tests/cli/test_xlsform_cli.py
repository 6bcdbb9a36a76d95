"""flask --app cml surveys import-xlsform / export-xlsform, as an administrator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, SURVEYS
from tests.core.xlsform.workbooks import BASE_SURVEY, workbook


def test_export_a_file_then_import_it_back_unchanged(runner, tmp_path: Path) -> None:
    xlsx, back = tmp_path / "incident.xlsx", tmp_path / "incident.json"
    exported = runner.invoke(args=["surveys", "export-xlsform", str(SURVEYS / "incident_report.json"), "-o", str(xlsx)])
    assert exported.exit_code == 0, exported.output
    assert xlsx.read_bytes()[:2] == b"PK"
    imported = runner.invoke(args=["surveys", "import-xlsform", str(xlsx), "-o", str(back)])
    assert imported.exit_code == 0, imported.output
    assert "incident_report version" in imported.output and "13 indicators" in imported.output
    assert json.loads(back.read_text()) == json.loads((SURVEYS / "incident_report.json").read_text())
    checked = runner.invoke(args=["surveys", "check", str(back)])
    assert checked.exit_code == 0, checked.output


def test_import_without_output_prints_the_json(runner, tmp_path: Path) -> None:
    path = tmp_path / "mini.xlsx"
    path.write_bytes(workbook())
    result = runner.invoke(args=["surveys", "import-xlsform", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] == "mini_form"


def test_import_prints_every_problem_with_its_place_and_exits_1(runner, tmp_path: Path) -> None:
    rows = [list(r) for r in BASE_SURVEY]
    rows.insert(4, ["geopoint", "where", "Where?", "Де?"])
    rows[5] = ["select_multiple services", "services", "Services", "Послуги", "today() > ${reason}"]
    path, output = tmp_path / "broken.xlsx", tmp_path / "broken.json"
    path.write_bytes(workbook(rows))
    result = runner.invoke(args=["surveys", "import-xlsform", str(path), "-o", str(output)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f'{path}: survey, row 5, column type: CML has no question type "geopoint"; it has select_one, select_multiple, integer, decimal, range, date, time, text, note'
    assert lines[1].startswith(f"{path}: survey, row 6, column relevant: the function today() is not supported")
    assert "2 problem(s); nothing written" in result.output
    assert not output.exists()


def test_import_of_a_file_that_is_not_a_workbook(runner, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("type,name\n")
    result = runner.invoke(args=["surveys", "import-xlsform", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: the file is not an .xlsx workbook")


def test_export_a_published_questionnaire_by_code(runner, tmp_path: Path) -> None:
    assert runner.invoke(args=["surveys", "publish", str(FIXTURES / "mini.json")]).exit_code == 0
    xlsx = tmp_path / "mini.xlsx"
    result = runner.invoke(args=["surveys", "export-xlsform", "mini", "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert "mini version 1 as XLSForm" in result.output
    back = runner.invoke(args=["surveys", "import-xlsform", str(xlsx)])
    assert json.loads(back.output) == json.loads((FIXTURES / "mini.json").read_text())
    missing = runner.invoke(args=["surveys", "export-xlsform", "mini", "--version", "7", "-o", str(tmp_path / "x.xlsx")])
    assert missing.exit_code == 1 and "no such published questionnaire version 7" in missing.output
    unknown = runner.invoke(args=["surveys", "export-xlsform", "nothing_here", "-o", str(tmp_path / "y.xlsx")])
    assert unknown.exit_code == 1 and not (tmp_path / "y.xlsx").exists()


def test_export_refuses_an_invalid_json_file(runner, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "bad"}')
    result = runner.invoke(args=["surveys", "export-xlsform", str(path), "-o", str(tmp_path / "bad.xlsx")])
    assert result.exit_code == 1 and f"{path}: $" in result.output
