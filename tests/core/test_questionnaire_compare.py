"""The comparison of a new questionnaire version with the published one, and what a rebuild recomputes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cml.core.questionnaire import Questionnaire, parse_document
from cml.core.questionnaire.compare import compare
from tests.conftest import FIXTURES


def mini(change: Callable[[dict], None] = lambda d: None) -> Questionnaire:
    document = json.loads((FIXTURES / "mini.json").read_text())
    change(document)
    questionnaire, problems = parse_document(document)
    assert questionnaire is not None, problems
    return questionnaire


def version(number: int, change: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(d: dict) -> None:
        d["version"] = number
        change(d)

    return apply


def questions(d: dict) -> list[dict]:
    return [q for s in d["sections"] for q in s["questions"]]


def question(d: dict, qid: str) -> dict:
    return next(q for q in questions(d) if q["id"] == qid)


def test_the_same_content_is_unchanged_and_recounts_nothing() -> None:
    old = mini()
    result = compare(old, mini(version(2, lambda d: None)), [(old, 40)])
    assert result.unchanged
    assert result.recounts[0].indicators == () and result.recounted_responses == 0


def test_questions_added_removed_and_changed_name_what_changed() -> None:
    def edit(d: dict) -> None:
        d["sections"][0]["questions"] = [q for q in d["sections"][0]["questions"] if q["id"] != "cost"]
        d["sections"][0]["questions"].append({"id": "tips", "type": "integer", "label": {"en": "Tips", "uk": "Чайові", "ru": "Чаевые"}})
        question(d, "wait")["label"]["uk"] = "Скільки чекали"
        question(d, "wait")["max"] = 300
        question(d, "why_not")["show_if"] = {"question": "tested", "equals": "dont_know"}
        question(d, "why_not")["choices"].append({"id": "busy", "label": {"en": "Busy", "uk": "Зайняті", "ru": "Заняты"}})
        question(d, "why_not")["choices"][0]["label"]["en"] = "No test kits"
        question(d, "attitude")["required"] = True
        question(d, "story")["constraint"]["message"]["en"] = "Not the letter x"

    result = compare(mini(), mini(version(2, edit)))
    by_id = {c.id: c for c in result.questions}
    assert by_id["tips"].kind == "added" and by_id["cost"].kind == "removed"
    assert by_id["wait"].aspects == ("label", "limits")
    assert by_id["why_not"].aspects == ("show_if", "choices")
    assert [c.id for c in by_id["why_not"].choices_added] == ["busy"]
    assert [(c.id, c.label["en"]) for c in by_id["why_not"].choices_relabelled] == [("no_kits", "No test kits")]
    assert by_id["attitude"].aspects == ("required",)
    assert by_id["story"].aspects == ("constraint",)
    assert set(by_id) == {"tips", "cost", "wait", "why_not", "attitude", "story"}
    assert result.indicators == () and not result.unchanged


def test_a_changed_type_and_a_removed_choice() -> None:
    def edit(d: dict) -> None:
        question(d, "wait")["type"] = "decimal"
        question(d, "services")["choices"].pop()

    by_id = {c.id: c for c in compare(mini(), mini(version(2, edit))).questions}
    assert by_id["wait"].aspects == ("type",)
    assert [c.id for c in by_id["services"].choices_removed] == ["syringes"]


def test_a_changed_numerator_is_recounted_for_every_version_that_can_answer_it() -> None:
    v1 = mini()
    v2 = mini(version(2, lambda d: None))

    def edit(d: dict) -> None:
        d["indicators"][0]["numerator"] = {"question": "tested", "equals": "no"}
        d["indicators"][0]["target"] = 80

    v3 = mini(version(3, edit))
    result = compare(v2, v3, [(v1, 10), (v2, 5)])
    change = next(i for i in result.indicators if i.id == "offered_test")
    assert change.aspects == ("numerator", "target") and change.meaning_changed
    assert [(r.version, r.responses, r.indicators) for r in result.recounts] == [(1, 10, ("offered_test",)), (2, 5, ("offered_test",))]
    assert result.recounted_indicators == ("offered_test",) and result.recounted_responses == 15


def test_a_changed_target_alone_recounts_nothing() -> None:
    v1 = mini()

    def edit(d: dict) -> None:
        d["indicators"][0]["target"] = 75
        d["indicators"][0]["label"]["en"] = "Offered an HIV test"

    result = compare(v1, mini(version(2, edit)), [(v1, 12)])
    change = result.indicators[0]
    assert change.aspects == ("label", "target") and not change.meaning_changed
    assert result.recounted_indicators == () and result.recounted_responses == 0


def test_a_version_without_the_new_question_keeps_its_definition_and_is_not_recounted() -> None:
    v1 = mini()

    def add_question(d: dict) -> None:
        d["sections"][0]["questions"].append({"id": "kits", "type": "yes_no_dk", "label": {"en": "Kits?", "uk": "Тести?", "ru": "Тесты?"}})

    v2 = mini(version(2, add_question))

    def edit(d: dict) -> None:
        add_question(d)
        d["indicators"][0]["numerator"] = {"question": "kits", "equals": "yes"}

    result = compare(v2, mini(version(3, edit)), [(v1, 7), (v2, 3)])
    assert [(r.version, r.indicators) for r in result.recounts] == [(1, ()), (2, ("offered_test",))]
    assert result.recounted_responses == 3


def test_new_counted_states_recount_every_indicator() -> None:
    v1 = mini()
    result = compare(v1, mini(version(2, lambda d: d.update(counted_states=["approved"]))), [(v1, 4)])
    assert result.settings == ("counted_states",)
    assert result.recounted_indicators == tuple(sorted(i.id for i in v1.indicators))


def test_an_added_and_a_removed_indicator() -> None:
    v1 = mini()

    def edit(d: dict) -> None:
        d["indicators"] = [
            {**d["indicators"][0], "id": "offered_any", "label": {"en": "Offered", "uk": "Запропоновано", "ru": "Предложено"}},
            *d["indicators"][1:],
        ]

    result = compare(v1, mini(version(2, edit)), [(v1, 2)])
    assert {(i.id, i.kind) for i in result.indicators} == {("offered_any", "added"), ("offered_test", "removed")}
    # The old version's own definition of the removed one is kept; the new one is computed for its answers.
    assert result.recounts[0].indicators == ("offered_any",)


def test_nothing_published_means_everything_is_added() -> None:
    result = compare(None, mini())
    assert {c.kind for c in result.questions} == {"added"} and len(result.questions) == len(mini().questions)
    assert result.published_version is None and result.recounts == ()


def test_different_questionnaires_are_refused() -> None:
    with pytest.raises(ValueError, match="different questionnaires"):
        compare(mini(), mini(lambda d: d.update(id="other")))
