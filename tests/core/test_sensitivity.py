"""Free text is sensitive unless the questionnaire says why not; the check refuses an opt-out without a reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cml.core.questionnaire import check_bytes, check_warnings, load_questionnaire, parse_document

ROOT = Path(__file__).resolve().parents[2]
MINI = json.loads((ROOT / "tests/fixtures/mini.json").read_text())
STORY = "$.sections[1].questions[5]"


def story(document: dict[str, Any]) -> dict[str, Any]:
    return document["sections"][1]["questions"][5]  # type: ignore[no-any-return]


def with_story(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(MINI)
    story(document).update(changes)
    return document


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


@pytest.mark.parametrize("kind", ["text", "long_text"])
def test_free_text_is_sensitive_by_default(kind: str) -> None:
    questionnaire, problems = check_bytes(encoded(with_story(type=kind)))
    assert problems == [] and questionnaire is not None
    assert questionnaire.question("story").sensitive  # type: ignore[union-attr]


def test_other_questions_are_not_sensitive_unless_marked() -> None:
    questionnaire, _ = parse_document(copy.deepcopy(MINI))
    assert questionnaire is not None
    assert not questionnaire.question("wait").sensitive  # type: ignore[union-attr]


def test_an_opt_out_without_a_reason_is_refused_with_its_path() -> None:
    questionnaire, problems = check_bytes(encoded(with_story(sensitive=False)))
    assert questionnaire is None
    assert [(p.path, "sensitive_reason" in p.message) for p in problems] == [(f"{STORY}.sensitive", True)]


def test_a_stored_version_with_an_unexplained_opt_out_still_reads_but_its_free_text_stays_sensitive() -> None:
    # Versions published before the rule must go on parsing, and their answers are protected anyway.
    questionnaire, problems = parse_document(with_story(sensitive=False))
    assert problems == [] and questionnaire is not None
    assert questionnaire.question("story").sensitive  # type: ignore[union-attr]


def test_an_opt_out_with_a_reason_is_honoured_and_warned_about() -> None:
    data = encoded(with_story(sensitive=False, sensitive_reason="names a training module only"))
    questionnaire, problems = check_bytes(data)
    assert problems == [] and questionnaire is not None
    assert not questionnaire.question("story").sensitive  # type: ignore[union-attr]
    warnings = check_warnings(data)
    assert [w.path for w in warnings] == [f"{STORY}.sensitive"]
    assert warnings[0].message.startswith("warning:") and "names a training module only" in warnings[0].message


def test_a_blank_reason_is_no_reason() -> None:
    questionnaire, problems = check_bytes(encoded(with_story(sensitive=False, sensitive_reason="   ")))
    assert questionnaire is None and len(problems) == 1


def test_the_reason_is_reported_with_other_problems_in_one_pass() -> None:
    document = with_story(sensitive=False)
    document["version"] = 0
    _, problems = check_bytes(encoded(document))
    assert {p.path for p in problems} >= {"$.version", f"{STORY}.sensitive"}


def test_no_warning_for_sensitive_or_non_text_questions() -> None:
    assert check_warnings(encoded(copy.deepcopy(MINI))) == []


def test_the_training_evaluations_free_text_is_sensitive() -> None:
    questionnaire = load_questionnaire(ROOT / "surveys/training_evaluation.json")
    free_text = [q for q in questionnaire.questions if q.type in ("text", "long_text")]
    assert {q.id for q in free_text} == {"event_place", "missing", "first_use", "why_not_applicable", "suggestions"}
    assert all(q.sensitive for q in free_text)
