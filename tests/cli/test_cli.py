"""The flask --app cml commands, as an administrator runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region
from cml.services import users
from tests.conftest import FIXTURES, SURVEYS


def test_surveys_check_passes_on_the_shipped_files(runner) -> None:
    result = runner.invoke(args=["surveys", "check", *map(str, sorted(SURVEYS.glob("*.json")))])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 questionnaire(s) OK: clinic_exit v2")
    assert len(result.output.strip().splitlines()) == 1


def test_surveys_check_reports_every_problem_and_exits_1(runner, tmp_path: Path) -> None:
    bad = json.loads((FIXTURES / "mini.json").read_text())
    bad["version"] = 0
    bad["sections"][0]["questions"][1]["show_if"] = {"question": "wait", "equals": 1}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    empty = tmp_path / "empty.json"
    empty.write_text("")
    result = runner.invoke(args=["surveys", "check", str(path), str(empty)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert f"{path}: $.version: must be at least 1" in lines
    assert f"{path}: $.sections[0].questions[1].show_if.question: \"wait\" is not an earlier question; skip logic can only look back" in lines
    assert f"{empty}: $: the file is empty; a questionnaire is one JSON object {{…}}" in lines
    assert "Traceback" not in result.output


def test_publish_then_republish_and_version_rules(runner, app, tmp_path: Path) -> None:
    source = FIXTURES / "mini.json"
    first = runner.invoke(args=["surveys", "publish", str(source)])
    assert first.exit_code == 0 and "mini version 1 published" in first.output
    again = runner.invoke(args=["surveys", "publish", str(source)])
    assert again.exit_code == 0 and "already published, unchanged" in again.output
    changed = json.loads(source.read_text())
    changed["title"]["en"] = "Mini survey, revised"
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(changed))
    refused = runner.invoke(args=["surveys", "publish", str(path)])
    assert refused.exit_code == 1 and 'raise "version" to 2' in refused.output
    changed["version"] = 2
    path.write_text(json.dumps(changed))
    assert runner.invoke(args=["surveys", "publish", str(path)]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionnaireVersion.id))) == 2


def test_publish_refuses_an_invalid_file_with_the_checks_messages(runner, app, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x"}')
    result = runner.invoke(args=["surveys", "publish", str(path)])
    assert result.exit_code == 1
    assert f'{path}: $: missing "version"' in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionnaireVersion.id))) == 0


def test_users_create_reads_the_password_from_stdin(runner, app) -> None:
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["users", "create", "mykola", "--role", "lead", "--region", "lviv"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        account = users.find_user("mykola")
        assert account.role == "lead" and [r.code for r in account.regions] == ["lviv"]
        assert users.authenticate("mykola", "a long enough password") is not None


def test_users_create_has_no_password_flag_and_checks_input(runner) -> None:
    assert runner.invoke(args=["users", "create", "x-user", "--role", "lead", "--password", "abc"]).exit_code == 2
    short = runner.invoke(args=["users", "create", "shorty", "--role", "lead"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    region = runner.invoke(args=["users", "create", "someone", "--role", "lead", "--region", "atlantis"], input="long enough password\n")
    assert region.exit_code == 1 and "no region with code 'atlantis'" in region.output


def test_regions_load_json_and_csv(runner, app, tmp_path: Path) -> None:
    source = tmp_path / "regions.json"
    source.write_text(json.dumps({"regions": [{"code": "sumy", "name": {"en": "Sumy Oblast", "uk": "Сумська область"}, "facilities": [{"code": "sumy-01", "name": "AIDS Centre", "kind": "aids_centre"}]}]}))
    result = runner.invoke(args=["regions", "load", str(source)])
    assert result.exit_code == 0 and "regions: 1 added" in result.output
    table = tmp_path / "more.csv"
    table.write_text("region_code,region_name_en,region_name_uk,region_name_ru,facility_code,facility_name,facility_kind\n"
                     "sumy,Sumy Oblast,,,sumy-02,Drop-in,drop_in_centre\nzhytomyr,Zhytomyr Oblast,,,zhyt-01,Clinic 1,clinic\n")
    result = runner.invoke(args=["regions", "load", str(table)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Region.id))) == 2
        assert db.session.scalar(select(func.count(Facility.id))) == 3


def test_regions_load_reports_every_problem_and_stores_nothing(runner, app, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("region_code,region_name_en,region_name_uk,region_name_ru,facility_code,facility_name,facility_kind\n"
                     "Bad Code,Somewhere,,,f1,Clinic,clinic\nok,,,,f1,Clinic,spaceship\n")
    result = runner.invoke(args=["regions", "load", str(table)])
    assert result.exit_code == 1
    assert "code must be lower-case" in result.output
    assert "needs an English name" in result.output
    assert "facility code listed twice" in result.output
    assert "kind must be one of" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Region.id))) == 0


def test_demo_load_prints_one_account_per_role(runner, app) -> None:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for role in ("monitor", "lead", "advocate", "admin"):
        assert f"demo-{role}" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Region.id))) == 8
        assert db.session.scalar(select(func.count(QuestionnaireVersion.id))) == 4
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0


def test_demo_load_keeps_the_passwords_unless_asked_to_reset_them(runner, app) -> None:
    first = runner.invoke(args=["demo", "load"])
    password = re.search(r"demo-lead\s+(\S+)", first.output).group(1)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and password not in second.output and "password unchanged" in second.output
    assert "--reset-passwords" in second.output
    with app.app_context():
        assert users.authenticate("demo-lead", password) is not None
        db.session.commit()
    third = runner.invoke(args=["demo", "load", "--reset-passwords"])
    new = re.search(r"demo-lead\s+(\S+)", third.output).group(1)
    assert new != password and "unchanged" not in third.output
    with app.app_context():
        assert users.authenticate("demo-lead", new) is not None
        assert users.authenticate("demo-lead", password) is None
