"""Paper forms of an older version are imported against it; regional questionnaires need no facility column."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Response
from cml.services import surveys
from tests.conftest import FIXTURES

V1_HEADER = "region,facility,date,tested,why_not,wait,story\n"
V1_ROW = "kyiv,kyiv-01,2026-10-01,yes,,20,\n"


@pytest.fixture
def two_versions(app, world):
    """mini v1, then v2 without the question "story" and with a new one."""
    document = json.loads((FIXTURES / "mini.json").read_text())
    with app.app_context():
        surveys.publish(json.dumps(document).encode())
        staff = document["sections"][1]["questions"]
        document["sections"][1]["questions"] = [q for q in staff if q["id"] != "story"] + [
            {"id": "came_back", "type": "yes_no_dk", "label": {"en": "Came back?", "uk": "Повернулися?", "ru": "Вернулись?"}}]
        document["version"] = 2
        surveys.publish(json.dumps(document).encode())
        db.session.commit()


def _versions_stored(app) -> list[int]:
    with app.app_context():
        return [r.version.version for r in db.session.scalars(select(Response))]


def test_an_old_paper_form_imports_against_its_version_on_the_command_line(runner, app, two_versions, tmp_path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(V1_HEADER + V1_ROW, encoding="utf-8")
    latest = runner.invoke(args=["responses", "import", "--survey", "mini", str(path)])
    assert latest.exit_code == 1 and "story" in latest.output
    missing = runner.invoke(args=["responses", "import", "--survey", "mini", "--version", "7", str(path)])
    assert missing.exit_code == 1 and "mini has no version 7; its versions are 2, 1" in missing.output
    old = runner.invoke(args=["responses", "import", "--survey", "mini", "--version", "1", str(path)])
    assert old.exit_code == 0, old.output
    assert _versions_stored(app) == [1]


def test_the_import_page_and_the_template_ask_which_version(client, app, as_role, two_versions) -> None:
    as_role("lead")
    page = client.get("/collect/import").get_data(as_text=True)
    assert 'name="version"' in page and "/collect/import/mini/template.csv?version=1" in page
    latest = client.get("/collect/import/mini/template.csv").get_data(as_text=True).lstrip("\ufeff")
    assert "came_back" in latest and "story" not in latest
    old = client.get("/collect/import/mini/template.csv?version=1").get_data(as_text=True).lstrip("\ufeff")
    assert old.startswith("region,facility,date,tested") and "story" in old and "came_back" not in old
    assert client.get("/collect/import/mini/template.csv?version=9").status_code == 404
    assert client.get("/collect/import/mini/template.csv?version=x").status_code == 404

    def upload(version: str) -> object:
        data = {"survey": "mini", "version": version, "file": (io.BytesIO((V1_HEADER + V1_ROW).encode()), "forms.csv")}
        return client.post("/collect/import", data=data, content_type="multipart/form-data")

    assert upload("").status_code == 422
    refused = upload("5")
    assert refused.status_code == 422 and "mini has no version 5" in refused.get_data(as_text=True)
    stored = upload("1")
    assert stored.status_code == 200 and "1 rows: 1 stored" in stored.get_data(as_text=True)
    assert _versions_stored(app) == [1]


def test_a_regional_questionnaire_imports_without_a_facility_column(runner, client, app, as_role, world, tmp_path) -> None:
    document = json.loads((FIXTURES / "mini.json").read_text()) | {"id": "mini_region", "subject": "region"}
    with app.app_context():
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
    as_role("lead")
    template = client.get("/collect/import/mini_region/template.csv").get_data(as_text=True).lstrip("\ufeff")
    assert template.startswith("region,date,tested,")
    path = tmp_path / "regional.csv"
    path.write_text("region,date,tested,wait\nkyiv,2026-10-01,yes,20\nkyiv,2026-10-02,no,\n", encoding="utf-8")
    result = runner.invoke(args=["responses", "import", "--survey", "mini_region", str(path)])
    assert "why_not" in result.output  # "no" asks why: one bad row, nothing stored
    path.write_text("region,date,tested,wait\nkyiv,2026-10-01,yes,20\nkharkiv,2026-10-02,yes,\n", encoding="utf-8")
    result = runner.invoke(args=["responses", "import", "--survey", "mini_region", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = list(db.session.scalars(select(Response)))
        assert len(stored) == 2 and all(r.facility.stands_for_region and r.facility.region_id == r.region_id for r in stored)
    path.write_text("region,facility,date,tested\nkyiv,kyiv-01,2026-10-01,yes\n", encoding="utf-8")
    refused = runner.invoke(args=["responses", "import", "--survey", "mini_region", str(path)])
    assert refused.exit_code == 1 and "facility" in refused.output
