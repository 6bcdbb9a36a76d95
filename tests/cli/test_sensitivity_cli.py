"""`surveys check` on free text that opts out of being sensitive; `demo load` after a shipped questionnaire changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from cml.extensions import db
from cml.models import Questionnaire as QuestionnaireRow
from cml.models import QuestionnaireVersion
from cml.services import surveys
from tests.conftest import FIXTURES, SURVEYS

STORY = "$.sections[1].questions[5].sensitive"


def _mini_with_story(tmp_path: Path, **changes: object) -> Path:
    document = json.loads((FIXTURES / "mini.json").read_text())
    document["sections"][1]["questions"][5].update(changes)
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(document))
    return path


def test_an_explained_opt_out_is_a_warning_and_passes(runner, tmp_path: Path) -> None:
    path = _mini_with_story(tmp_path, sensitive=False, sensitive_reason="asks only which module was most useful")
    result = runner.invoke(args=["surveys", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: {STORY}: warning: free text marked not sensitive (asks only which module was most useful)" in result.stderr
    assert result.stdout.startswith("1 questionnaire(s) OK: mini v1")


def test_an_unexplained_opt_out_is_an_error(runner, tmp_path: Path) -> None:
    path = _mini_with_story(tmp_path, sensitive=False)
    result = runner.invoke(args=["surveys", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}: {STORY}: free text is sensitive: to opt out, say in \"sensitive_reason\" why" in result.stdout
    assert "warning" not in result.output


def test_the_shipped_files_have_no_opt_out_warning(runner) -> None:
    result = runner.invoke(args=["surveys", "check", *map(str, sorted(SURVEYS.glob("*.json")))])
    assert result.exit_code == 0 and "warning" not in result.output


def test_demo_load_publishes_the_changed_training_evaluation_over_its_old_version(runner, app) -> None:
    """A database loaded before free text became sensitive holds training evaluation v1, whose free text said
    "sensitive": false without a reason (the check now refuses that, so it is stored here as the old load left it)."""
    old = json.loads((SURVEYS / "training_evaluation.json").read_text())
    old["version"] = 1
    for section in old["sections"]:
        for question in section["questions"]:
            if question["type"] in ("text", "long_text"):
                question["sensitive"] = False
    with app.app_context():
        row = QuestionnaireRow(code="training_evaluation", title=old["title"])
        db.session.add(row)
        db.session.flush()
        content = surveys.canonical_json(old)
        db.session.add(QuestionnaireVersion(questionnaire_id=row.id, version=1, content=content, content_hash=hashlib.sha256(content.encode()).hexdigest()))
        db.session.commit()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        versions = db.session.scalars(select(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == "training_evaluation")
                                      .order_by(QuestionnaireVersion.version)).all()
        assert [v.version for v in versions] == [1, json.loads((SURVEYS / "training_evaluation.json").read_text())["version"]]
        for version in versions:  # the old version still reads, and its free text is sensitive too
            model = surveys.model_of(version)
            assert all(q.sensitive for q in model.questions if q.type in ("text", "long_text"))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # and again: nothing changes
