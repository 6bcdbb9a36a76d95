"""Which definition an older version's facts follow once a newer version changes an indicator."""

from __future__ import annotations

import json
from dataclasses import replace

from cml.core.indicators import contributions, resolve_definitions
from cml.core.questionnaire import parse_document
from tests.conftest import FIXTURES


def mini(change) -> object:
    document = json.loads((FIXTURES / "mini.json").read_text())
    change(document)
    questionnaire, problems = parse_document(document)
    assert questionnaire is not None, problems
    return questionnaire


def test_the_latest_definition_applies_when_the_old_version_can_answer_it() -> None:
    old = mini(lambda d: None)

    def newer(d: dict) -> None:
        d["version"] = 2
        d["indicators"][0]["numerator"] = {"question": "tested", "equals": "no"}

    latest = mini(newer)
    resolved = resolve_definitions(old, latest)
    assert resolved.indicators == latest.indicators
    assert resolved.sections == old.sections and resolved.version == 1
    answers = {"tested": "no", "why_not": "no_kits"}
    assert [(c.indicator_id, c.numerator) for c in contributions(resolved, answers)] == [("offered_test", 1.0)]
    assert [(c.indicator_id, c.numerator) for c in contributions(old, answers)] == [("offered_test", 0.0)]


def test_an_old_version_lacking_a_question_keeps_its_own_definition_or_none() -> None:
    def newer(d: dict) -> None:
        d["version"] = 2
        d["sections"][0]["questions"].append(
            {"id": "kit", "type": "yes_no_dk", "label": {"en": "Kit?", "uk": "Тест?", "ru": "Тест?"}}
        )
        d["indicators"][0]["numerator"] = {"all": [{"question": "tested", "equals": "yes"}, {"question": "kit", "equals": "yes"}]}
        d["indicators"].append(
            {"id": "kit_given", "type": "proportion", "label": {"en": "Kit", "uk": "Тест", "ru": "Тест"},
             "denominator": {"question": "kit", "answered": True}, "numerator": {"question": "kit", "equals": "yes"}}
        )  # fmt: skip
        d["indicators"] = [i for i in d["indicators"] if i["id"] != "respect"]

    old, latest = mini(lambda d: None), mini(newer)
    resolved = resolve_definitions(old, latest)
    ids = [i.id for i in resolved.indicators]
    assert ids == ["offered_test", "mean_wait", "respect"]  # kit_given unanswerable; respect only in v1
    assert resolved.indicator("offered_test") == old.indicator("offered_test")
    assert resolved.indicator("mean_wait") == latest.indicator("mean_wait")
    assert resolve_definitions(latest, latest) is latest
    assert replace(old, indicators=()).indicators == ()


def test_a_response_contributes_only_in_a_state_its_questionnaire_counts() -> None:
    default = mini(lambda d: None)
    only_approved = mini(lambda d: d.update(counted_states=["approved"]))
    answers = {"tested": "yes", "wait": 20}
    assert contributions(default, answers) == contributions(default, answers, "has_issues") != []
    assert contributions(default, answers, "rejected") == []
    assert contributions(only_approved, answers) == [] and contributions(only_approved, answers, "approved") != []
    # An older version's facts follow the latest version's counted states, as its definitions.
    assert resolve_definitions(default, replace(only_approved, version=2)).counted_states == ("approved",)
