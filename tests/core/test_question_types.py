"""One place per question type: the registry, and every layer held to it.

A type lacking any of its parts fails here: schema keys, cleaning, condition operators,
export, demo data, the offline table. The web and offline forms are held to it in
tests/web/test_question_types_web.py and tests/browser/test_question_types_offline.py.
"""

from __future__ import annotations

import json
import random
import typing
from datetime import date
from pathlib import Path

import pytest

from cml.core.answer_cells import AnswerCells
from cml.core.answers import SINGLE_ANSWER_CHECKS, clean_answers
from cml.core.question_types import ALL_OPERATORS, QUESTION_KINDS, TYPE_SPECIFIC_KEYS, kind_of, offline_script
from cml.core.questionnaire import parse_document
from cml.core.questionnaire.model import QuestionType
from cml.core.questionnaire.sensitivity import FREE_TEXT_TYPES
from cml.core.synthetic import Generator, facility_profiles

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "cml/core/questionnaire/schema.json").read_text())
ALL_TYPES = json.loads((ROOT / "tests/fixtures/all_types.json").read_text())
TODAY = date(2026, 12, 2)


def all_types():
    questionnaire, problems = parse_document(ALL_TYPES)
    assert questionnaire is not None, problems
    return questionnaire


def test_the_schema_lists_exactly_the_registry_types_and_their_keys() -> None:
    question = SCHEMA["$defs"]["question"]["properties"]
    assert question["type"]["enum"] == list(QUESTION_KINDS)
    assert set(question) >= TYPE_SPECIFIC_KEYS  # every key a type accepts is in the schema


def test_the_model_literal_names_the_registry_types() -> None:
    assert typing.get_args(QuestionType) == tuple(QUESTION_KINDS)


@pytest.mark.parametrize("name", list(QUESTION_KINDS))
def test_every_type_is_complete(name: str) -> None:
    kind = kind_of(name)
    assert kind.widget
    if kind.answers:
        assert kind.answer in SINGLE_ANSWER_CHECKS  # cleaned
        assert "answered" in kind.operators and kind.operators <= ALL_OPERATORS  # conditions may look at it
        assert kind.export is not None and kind.demo is not None  # exported, drawn in demo data
    else:
        assert not kind.operators and kind.export is None and kind.demo is None
    assert (kind.max_length is not None) == kind.free_text
    assert (name in FREE_TEXT_TYPES) == kind.free_text


def test_the_fixture_has_every_type_and_is_valid() -> None:
    assert {q.type for q in all_types().questions} == set(QUESTION_KINDS)


def test_the_offline_table_is_generated_from_the_registry() -> None:
    written = (ROOT / "cml/static/offline/question_types.js").read_text()
    assert written == offline_script(), "run `python -m cml.core.question_types > cml/static/offline/question_types.js`"


def test_demo_data_answer_every_answering_type_and_pass_the_checks() -> None:
    questionnaire = all_types()
    generator = Generator(questionnaire, facility_profiles([(1, 1), (2, 1)], random.Random(3)), date(2025, 1, 1), TODAY, TODAY, "types")
    responses = generator.responses("types", 400)  # refused answers raise GenerationError
    seen = {qid for r in responses for qid in r.answers}
    free = {q.id for q in questionnaire.questions if kind_of(q.type).free_text}
    assert seen == {q.id for q in questionnaire.questions if q.answers} - free  # demo data never invent free text
    cities = {(r.answers["area"], r.answers["city"]) for r in responses}
    assert all(city in {"north": {"kyiv", "chernihiv", "elsewhere"}, "south": {"odesa", "kherson", "elsewhere"},
                        "east": {"kherson", "elsewhere"}}[area] for area, city in cities)
    assert all(":" in r.answers["arrived"] and "06:00" <= r.answers["arrived"] <= "22:00" for r in responses)


def test_every_answering_type_survives_the_export() -> None:
    questionnaire = all_types()
    answers = {"area": "south", "city": "odesa", "arrived": "07:05", "seen": "=07:30", "district": "arcadia", "evening_open": "yes",
               "services": ["test", "prep"], "wait": 12, "cost": 1.5, "respect": 4, "visit_date": "2026-11-30", "staff": "+nurse", "story": "ok"}
    exported = [q for q in questionnaire.questions if q.answers]
    assert [q.id for q in exported] == [q.id for q in questionnaire.questions if q.type != "note"]
    codes = AnswerCells(exported, questionnaire, None).cells(answers)
    assert dict(zip([q.id for q in exported], codes, strict=True)) == {
        "area": "south", "city": "odesa", "arrived": "07:05", "seen": "'=07:30", "district": "arcadia", "evening_open": "yes",
        "services": "test|prep", "wait": 12, "cost": 1.5, "respect": 4, "visit_date": "2026-11-30", "staff": "'+nurse", "story": "ok"}
    labels = AnswerCells(exported, questionnaire, "uk").cells(answers)
    assert labels[1] == "Одеса" and labels[2] == "07:05" and labels[6] == "Тест; ДКП"


# --- note ------------------------------------------------------------------------------

def test_a_note_takes_no_answer_is_never_required_and_a_key_for_it_is_unknown() -> None:
    questionnaire = all_types()
    note = questionnaire.question("intro")
    assert note is not None and not note.answers and not note.required
    cleaned = clean_answers(questionnaire, {"intro": "hello", "area": "north", "city": "kyiv", "arrived": "09:00"}, TODAY)
    assert "intro" not in cleaned.answers and "intro" not in cleaned.errors
    assert cleaned.unknown == ("intro",)


def _with(change) -> list[tuple[str, str]]:
    document = json.loads(json.dumps(ALL_TYPES))
    change(document)
    questionnaire, problems = parse_document(document)
    assert questionnaire is None
    return [(p.path, p.message) for p in problems]


def test_a_note_referenced_by_a_condition_or_indicator_or_required_is_a_problem() -> None:
    def look_at_note(d):
        d["sections"][1]["questions"][2]["show_if"] = {"question": "intro", "answered": True}
        d["indicators"].append({"id": "n", "type": "mean", "question": "intro", "label": {"en": "n", "uk": "n", "ru": "n"}})
        d["sections"][0]["questions"][0]["required"] = True

    problems = _with(look_at_note)
    assert ("$.sections[1].questions[2].show_if.question", "\"intro\" is a note: it has no answer to look at") in problems
    assert ("$.indicators[2].question", "\"intro\" is a note question; a mean needs a number or rating") in problems
    assert ("$.sections[0].questions[0].required", "a note has no answer, so it cannot have \"required\"") in problems


def test_type_keys_that_do_not_apply_are_problems() -> None:
    problems = _with(lambda d: d["sections"][0]["questions"][0].update({"choices": "x", "min": 1}))
    assert ("$.sections[0].questions[0].choices", "\"choices\" does not apply to a note question") in problems
    assert ("$.sections[0].questions[0].min", "\"min\" does not apply to a note question") in problems


# --- time ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value", "code"), [
    ("07:05", "07:05", None), ("7:05", "07:05", None), (" 21:59 ", "21:59", None), ("22:00", "22:00", None),
    ("05:59", None, "below_min"), ("22:01", None, "above_max"), ("24:00", None, "not_a_time"), ("12:60", None, "not_a_time"),
    ("0930", None, "not_a_time"), ("09:30:00", None, "not_a_time"), ("\uff10\uff19:30", None, "not_a_time"), ("noon", None, "not_a_time"),
])
def test_a_time_is_cleaned_to_hh_mm_within_its_bounds(raw: str, value: str | None, code: str | None) -> None:
    cleaned = clean_answers(all_types(), {"area": "north", "city": "kyiv", "arrived": raw}, TODAY)
    assert cleaned.answers.get("arrived") == value
    assert (cleaned.errors["arrived"].code if "arrived" in cleaned.errors else None) == code
    if code == "below_min":
        assert cleaned.errors["arrived"].params == {"min": "06:00"}


def test_time_conditions_compare_times_and_another_time_answer() -> None:
    questionnaire = all_types()
    late = clean_answers(questionnaire, {"area": "north", "city": "kyiv", "arrived": "18:30", "seen": "18:00", "evening_open": "yes"}, TODAY)
    assert late.errors["seen"].code == "constraint"  # seen before arriving
    assert late.answers["evening_open"] == "yes"  # shown: arrived at_least 18:00
    early = clean_answers(questionnaire, {"area": "north", "city": "kyiv", "arrived": "09:00", "seen": "09:10", "evening_open": "yes"}, TODAY)
    assert "evening_open" not in early.answers and early.answers["seen"] == "09:10"


def test_time_problems_are_reported() -> None:
    def spoil(d):
        arrived = d["sections"][0]["questions"][3]
        arrived["min"], arrived["max"] = "6:00", 22
        d["sections"][1]["questions"][2]["show_if"] = {"question": "arrived", "at_least": "6pm"}
        d["sections"][1]["questions"][5]["show_if"] = {"question": "wait", "at_least": {"question": "arrived"}}

    problems = _with(spoil)
    assert ("$.sections[0].questions[3].min", "must be a time written \"HH:MM\" (24-hour) for a time question, found '6:00'") in problems
    assert ("$.sections[1].questions[2].show_if.at_least",
            "must be a time written HH:MM (24-hour, e.g. \"07:05\"), as \"arrived\" is a time question") in problems
    assert ("$.sections[1].questions[5].show_if.at_least", "cannot compare integer \"wait\" with time \"arrived\"") in problems


# --- choice filter ---------------------------------------------------------------------

def test_only_the_choices_the_earlier_answer_offers_are_accepted() -> None:
    questionnaire = all_types()
    base = {"arrived": "09:00"}
    assert clean_answers(questionnaire, {**base, "area": "east", "city": "kherson"}, TODAY).answers["city"] == "kherson"
    assert clean_answers(questionnaire, {**base, "area": "east", "city": "elsewhere"}, TODAY).answers["city"] == "elsewhere"
    refused = clean_answers(questionnaire, {**base, "area": "east", "city": "kyiv"}, TODAY)
    assert refused.errors["city"].code == "not_a_choice" and "city" not in refused.answers
    # A filter answered on an earlier page, and one left unanswered (skipped): only unfiltered choices.
    assert clean_answers(questionnaire, {**base, "area": "north", "city": "kyiv", "district": "podil"}, TODAY).answers["district"] == "podil"
    assert clean_answers(questionnaire, {**base, "area": "north", "city": "elsewhere", "district": "podil"}, TODAY).errors["district"].code == "not_a_choice"
    city = questionnaire.question("city")
    assert city is not None and [c.id for c in city.offered({"area": "south"})] == ["odesa", "kherson", "elsewhere"]
    assert [c.id for c in city.offered({})] == ["elsewhere"]


def test_choice_filter_problems_are_reported() -> None:
    def spoil(d):
        d["sections"][0]["questions"][2]["choice_filter"] = "district"  # later
        d["sections"][1]["questions"][0]["choices"][0]["filter"] = ["kyiv", "lviv"]
        d["sections"][1]["questions"][4]["choice_filter"] = "nowhere"
        d["sections"][1]["questions"][6]["choice_filter"] = "services"
        d["sections"][1]["questions"][3]["choices"][0]["filter"] = "north"  # multiple choice has no filter

    problems = _with(spoil)
    assert ("$.sections[0].questions[2].choice_filter", "\"district\" is not an earlier question; a choice filter can only look back") in problems
    assert ("$.sections[1].questions[0].choices[0].filter", "\"lviv\" is not a choice of \"city\" (choices: kyiv, chernihiv, odesa, kherson, elsewhere)") in problems
    assert ("$.sections[1].questions[4].choice_filter", "\"choice_filter\" does not apply to a integer question") in problems
    assert ("$.sections[1].questions[3].choices[0].filter", "a choice's \"filter\" needs the question's \"choice_filter\"") in problems


def test_a_choice_filter_on_a_multiple_choice_question_is_a_problem() -> None:
    def spoil(d):
        d["sections"][1]["questions"][2]["type"] = "single_choice"  # evening_open, moved after services
        d["sections"][1]["questions"].append(d["sections"][1]["questions"].pop(2))
        d["sections"][1]["questions"][-1]["choices"] = [{"id": "a", "label": {"en": "a", "uk": "a", "ru": "a"}}]
        d["sections"][1]["questions"][-1]["choice_filter"] = "services"

    problems = _with(spoil)
    assert problems == [("$.sections[1].questions[9].choice_filter",
                         "\"services\" is a multiple_choice question; a choice filter needs a single_choice or yes_no_dk question")]
