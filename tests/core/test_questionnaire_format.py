"""The questionnaire format: shipped files pass; each kind of mistake is reported with its path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cml.core.questionnaire import check_bytes, load_questionnaire, parse_document

ROOT = Path(__file__).resolve().parents[2]
MINI = json.loads((ROOT / "tests/fixtures/mini.json").read_text())
SHIPPED = sorted((ROOT / "surveys").glob("*.json"))


def problems_of(document: Any) -> list[tuple[str, str]]:
    questionnaire, problems = parse_document(document)
    assert (questionnaire is None) == bool(problems)
    return [(p.path, p.message) for p in problems]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_questionnaires_are_valid(path: Path) -> None:
    questionnaire = load_questionnaire(path)
    assert questionnaire.languages == ("en", "uk", "ru")
    assert 8 <= len(questionnaire.indicators) <= 15
    assert questionnaire.id == path.stem


def test_there_are_three_shipped_questionnaires() -> None:
    assert [p.stem for p in SHIPPED] == ["clinic_exit", "incident_report", "training_evaluation"]


def test_mini_fixture_is_valid() -> None:
    assert problems_of(MINI) == []


def q(doc: dict[str, Any], section: int, question: int) -> dict[str, Any]:
    return doc["sections"][section]["questions"][question]  # type: ignore[no-any-return]


Mutation = Callable[[dict[str, Any]], None]

# (name, mutation, expected path, expected words in the message)
CASES: list[tuple[str, Mutation, str, str]] = [
    ("missing id", lambda d: d.pop("id"), "$", 'missing "id"'),
    ("bad id", lambda d: d.update(id="Clinic Exit"), "$.id", "not a valid id"),
    ("version zero", lambda d: d.update(version=0), "$.version", "at least 1"),
    ("version as text", lambda d: d.update(version="1"), "$.version", "whole number"),
    ("unknown top-level key", lambda d: d.update(colour="red"), "$.colour", 'unknown key "colour"'),
    ("no sections", lambda d: d.update(sections=[]), "$.sections", "must not be empty"),
    ("unknown question type", lambda d: q(d, 0, 0).update(type="slider"), "$.sections[0].questions[0].type", "use one of"),
    ("duplicate question id", lambda d: q(d, 1, 0).update(id="tested"), "$.sections[1].questions[0].id", 'duplicate question id "tested"'),
    ("duplicate section id", lambda d: d["sections"][1].update(id="visit"), "$.sections[1].id", 'duplicate section id "visit"'),
    ("duplicate choice id", lambda d: d["choice_lists"]["attitude"].append(copy.deepcopy(d["choice_lists"]["attitude"][0])), "$.choice_lists.attitude[2].id", "duplicate choice id"),
    ("unknown choice list", lambda d: q(d, 1, 0).update(choices="manner"), "$.sections[1].questions[0].choices", 'no choice list "manner"'),
    ("choice question without choices", lambda d: q(d, 1, 0).pop("choices"), "$.sections[1].questions[0]", 'needs "choices"'),
    ("missing translation", lambda d: q(d, 0, 0)["label"].pop("uk"), "$.sections[0].questions[0].label", 'missing the "uk" translation'),
    ("empty translation", lambda d: q(d, 0, 0)["label"].update(ru="  "), "$.sections[0].questions[0].label.ru", 'the "ru" translation is empty'),
    ("undeclared language", lambda d: d["title"].update(de="Umfrage"), "$.title.de", '"de" is not one of'),
    ("skip logic looks forward", lambda d: q(d, 0, 0).update(show_if={"question": "wait", "at_least": 5}), "$.sections[0].questions[0].show_if.question", "not an earlier question"),
    ("skip logic on unknown question", lambda d: q(d, 0, 1).update(show_if={"question": "nope", "equals": "no"}), "$.sections[0].questions[1].show_if.question", 'no question "nope"'),
    ("skip logic with unknown choice", lambda d: q(d, 0, 1).update(show_if={"question": "tested", "equals": "maybe"}), "$.sections[0].questions[1].show_if.equals", '"maybe" is not a choice of "tested"'),
    ("unknown condition operator", lambda d: q(d, 0, 1).update(show_if={"question": "tested", "is": "no"}), "$.sections[0].questions[1].show_if.is", 'unknown condition key "is"'),
    ("empty all", lambda d: q(d, 0, 1).update(show_if={"all": []}), "$.sections[0].questions[1].show_if.all", "non-empty list"),
    ("at_least on a choice", lambda d: q(d, 0, 1).update(show_if={"question": "tested", "at_least": 1}), "$.sections[0].questions[1].show_if.at_least", "only on number"),
    ("equals on multiple choice", lambda d: q(d, 1, 2).update(show_if={"question": "services", "equals": "pep"}), "$.sections[1].questions[2].show_if.equals", 'use "includes"'),
    ("condition nested too deep", lambda d: q(d, 0, 1).update(show_if=_deep_not(14)), "$.sections[0].questions[1].show_if" + ".not" * 12, "nested more than 12"),
    ("min above max", lambda d: q(d, 0, 2).update(min=10, max=5), "$.sections[0].questions[2].min", "greater than max"),
    ("fractional integer bound", lambda d: q(d, 0, 2).update(max=5.5), "$.sections[0].questions[2].max", "whole number"),
    ("key for another type", lambda d: q(d, 0, 0).update(max=3), "$.sections[0].questions[0].max", "does not apply to a yes_no_dk"),
    ("rating scale backwards", lambda d: q(d, 1, 2).update(scale={"min": 5, "max": 1}), "$.sections[1].questions[2].scale", "must go up"),
    ("max_selected above choices", lambda d: q(d, 1, 1).update(max_selected=9), "$.sections[1].questions[1].max_selected", "more than the 3 choices"),
    ("text too long limit", lambda d: q(d, 1, 4).update(max_length=9000), "$.sections[1].questions[4].max_length", "at most 500"),
    ("constraint ignores its question", lambda d: q(d, 1, 5)["constraint"].update(condition={"question": "tested", "equals": "yes"}), "$.sections[1].questions[5].constraint.condition", "must look at the answer"),
    ("indicator on unknown question", lambda d: d["indicators"][0].update(numerator={"question": "ghost", "equals": "yes"}), "$.indicators[0].numerator.question", 'no question "ghost"'),
    ("indicator with unknown choice", lambda d: d["indicators"][1].update(numerator={"question": "attitude", "equals": "kind"}), "$.indicators[1].numerator.equals", '"kind" is not a choice'),
    ("proportion without denominator", lambda d: d["indicators"][0].pop("denominator"), "$.indicators[0]", 'needs a "denominator"'),
    ("mean of a text question", lambda d: d["indicators"][2].update(question="clinic_name_seen"), "$.indicators[2].question", "needs a number or rating"),
    ("proportion target above 100", lambda d: d["indicators"][0].update(target=150), "$.indicators[0].target", "percentage from 0 to 100"),
    ("target without direction", lambda d: d["indicators"][0].pop("better"), "$.indicators[0]", 'must say "better"'),
    ("duplicate indicator id", lambda d: d["indicators"][1].update(id="offered_test"), "$.indicators[1].id", "duplicate indicator id"),
    ("default language not declared", lambda d: d.update(default_language="de"), "$.default_language", '"de" is not one of'),
]


def _deep_not(levels: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"question": "tested", "equals": "no"}
    for _ in range(levels):
        condition = {"not": condition}
    return condition


@pytest.mark.parametrize(("name", "mutate", "path", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_mistake_is_reported_with_its_path(name: str, mutate: Mutation, path: str, words: str) -> None:
    document = copy.deepcopy(MINI)
    mutate(document)
    problems = problems_of(document)
    assert any(p == path and words in m for p, m in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    document = copy.deepcopy(MINI)
    document["version"] = 0  # structural
    q(document, 0, 0)["label"].pop("uk")  # translation
    q(document, 0, 1)["show_if"] = {"question": "wait", "equals": 3}  # looks forward
    document["indicators"][0]["target"] = 120
    paths = {p for p, _ in problems_of(document)}
    assert {"$.version", "$.sections[0].questions[0].label", "$.sections[0].questions[1].show_if.question", "$.indicators[0].target"} <= paths


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"{\"id\": ", "not valid JSON"),
        (b"[1, 2, 3]", "found a list"),
        (b"\"just text\"", "found text"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "levels deep"),
        (b"{\"pad\": \"" + b"x" * (1024 * 1024 + 10) + b"\"}", "at most 1,048,576 bytes"),
    ],
    ids=["empty", "blank", "invalid-json", "list", "string", "not-utf8", "deep", "huge"],
)
def test_unreadable_files_give_one_clear_problem(data: bytes, words: str) -> None:
    questionnaire, problems = check_bytes(data)
    assert questionnaire is None
    assert len(problems) == 1
    assert problems[0].path == "$"
    assert words in problems[0].message


def test_long_text_is_sensitive_by_default_and_others_are_not() -> None:
    questionnaire, _ = parse_document(copy.deepcopy(MINI))
    assert questionnaire is not None
    story, wait = questionnaire.question("story"), questionnaire.question("wait")
    assert story is not None and story.sensitive
    assert wait is not None and not wait.sensitive
    document = copy.deepcopy(MINI)
    q(document, 1, 5).update(sensitive=False, sensitive_reason="asks only for the name of a training module")
    relaxed, _ = parse_document(document)
    assert relaxed is not None and not relaxed.question("story").sensitive  # type: ignore[union-attr]


def test_disclosure_rule_is_sensitive_unless_a_questionnaire_says_standard() -> None:
    questionnaire, _ = parse_document(copy.deepcopy(MINI))
    assert questionnaire is not None and questionnaire.disclosure == "sensitive"
    assert load_questionnaire(ROOT / "surveys/training_evaluation.json").disclosure == "standard"
    assert load_questionnaire(ROOT / "surveys/clinic_exit.json").disclosure == "sensitive"
    document = copy.deepcopy(MINI)
    document["disclosure"] = "open"
    assert problems_of(document) == [("$.disclosure", '"open" is not allowed; use one of: sensitive, standard')]


def test_sampling_is_monitored_unless_a_questionnaire_says_sampled() -> None:
    questionnaire, _ = parse_document(copy.deepcopy(MINI))
    assert questionnaire is not None and questionnaire.sampling == "monitored"
    for path in SHIPPED:
        assert json.loads(path.read_text())["sampling"] == {"facilities": "monitored"}, path.name
    document = copy.deepcopy(MINI)
    document["sampling"] = {"facilities": "sampled"}
    sampled, _ = parse_document(document)
    assert sampled is not None and sampled.sampling == "sampled"
    document["sampling"] = {"facilities": "random"}
    assert problems_of(document) == [("$.sampling.facilities", '"random" is not allowed; use one of: monitored, sampled')]
    document["sampling"] = {"clients": "all"}
    assert problems_of(document)[0][0] == "$.sampling.clients"


def test_a_questionnaire_declares_what_a_response_belongs_to() -> None:
    questionnaire, _ = parse_document(copy.deepcopy(MINI))
    assert questionnaire is not None and questionnaire.subject == "facility" and questionnaire.at_facility
    subjects = {path.stem: load_questionnaire(path).subject for path in SHIPPED}
    assert subjects == {"clinic_exit": "facility", "incident_report": "region", "training_evaluation": "event"}
    places = {path.stem: load_questionnaire(path) for path in SHIPPED}
    assert places["incident_report"].version == 4 and places["training_evaluation"].version == 4
    for code, question_id in (("incident_report", "place_area"), ("training_evaluation", "event_place")):
        question = places[code].question(question_id)
        assert question is not None and question.type == "text" and question.sensitive  # sealed at rest, never exported to leads
    document = copy.deepcopy(MINI)
    document["subject"] = "region"
    region, _ = parse_document(document)
    assert region is not None and region.subject == "region" and not region.at_facility
    document["subject"] = "street"
    assert problems_of(document) == [("$.subject", '"street" is not allowed; use one of: facility, region, event')]
    document["subject"] = "event"
    document["sampling"] = {"facilities": "sampled"}
    assert problems_of(document) == [("$.sampling.facilities", "facilities are sampled as clusters only when responses belong to facilities, not to an event")]


def test_all_review_states_but_rejected_count_unless_a_questionnaire_says_otherwise() -> None:
    questionnaire, _ = parse_document(copy.deepcopy(MINI))
    assert questionnaire is not None and questionnaire.counted_states == ("received", "approved", "has_issues")
    document = copy.deepcopy(MINI)
    document["counted_states"] = ["approved", "received"]
    chosen, _ = parse_document(document)
    assert chosen is not None and chosen.counted_states == ("received", "approved")  # in the states' own order
    document["counted_states"] = ["checked"]
    assert problems_of(document)[0][0] == "$.counted_states[0]"
    document["counted_states"] = []
    assert problems_of(document)[0][0] == "$.counted_states"
