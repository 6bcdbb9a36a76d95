"""Skip logic evaluation and answer cleaning, for every question type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cml.core.answers import clean_answers, clean_one
from cml.core.indicators import contributions
from cml.core.questionnaire import evaluate, load_questionnaire
from cml.core.questionnaire.conditions import All, AnyOf, Compare, Not, QuestionRef

MINI = load_questionnaire(Path(__file__).resolve().parents[1] / "fixtures" / "mini.json")
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (Compare("a", "equals", "yes"), {"a": "yes"}, True),
        (Compare("a", "equals", "yes"), {"a": "no"}, False),
        (Compare("a", "equals", "yes"), {}, False),
        (Not(Compare("a", "equals", "yes")), {}, True),
        (Compare("a", "in", ("x", "y")), {"a": "y"}, True),
        (Compare("m", "in", ("x", "y")), {"m": ["z", "x"]}, True),
        (Compare("m", "in", ("x", "y")), {"m": ["z"]}, False),
        (Compare("m", "includes", "z"), {"m": ["z"]}, True),
        (Compare("n", "at_least", 3), {"n": 3}, True),
        (Compare("n", "at_least", 3), {"n": 2.5}, False),
        (Compare("n", "at_most", 3), {"n": 3}, True),
        (Compare("n", "at_most", QuestionRef("k")), {"n": 3, "k": 2}, False),
        (Compare("n", "at_most", QuestionRef("k")), {"n": 3}, False),
        (Compare("d", "at_least", "2026-01-01"), {"d": "2026-03-01"}, True),
        (Compare("a", "answered", True), {"a": ""}, False),
        (Compare("a", "answered", False), {}, True),
        (Compare("n", "equals", 1), {"n": True}, False),
        (All((Compare("a", "equals", "yes"), Compare("n", "at_least", 1))), {"a": "yes", "n": 0}, False),
        (AnyOf((Compare("a", "equals", "yes"), Compare("n", "at_least", 1))), {"a": "no", "n": 1}, True),
    ],
)
def test_condition_evaluation(condition, answers, expected) -> None:
    assert evaluate(condition, answers) is expected


def question(question_id: str):
    found = MINI.question(question_id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("question_id", "raw", "value", "error"),
    [
        ("tested", "yes", "yes", None),
        ("tested", "perhaps", None, "not_a_choice"),
        ("tested", ["yes", "no"], None, "not_applicable_list"),
        ("attitude", "rude", "rude", None),
        ("attitude", "Грубое", None, "not_a_choice"),
        ("services", ["pep", "condoms"], ["condoms", "pep"], None),
        ("services", ["pep", "condoms", "syringes"], None, "too_many_choices"),
        ("services", ["pep", "magic"], None, "not_a_choice"),
        ("wait", "45", 45, None),
        ("wait", "4.5", None, "not_an_integer"),
        ("wait", "-1", None, "below_min"),
        ("wait", "601", None, "above_max"),
        ("wait", "lots", None, "not_an_integer"),
        ("wait", "1" * 40, None, "not_a_number"),
        ("cost", "12,50", 12.5, None),
        ("cost", "NaN", None, "not_a_number"),
        ("cost", "Infinity", None, "not_a_number"),
        ("cost", "-3", None, "below_min"),
        ("rating", "5", 5, None),
        ("rating", "6", None, "above_max"),
        ("rating", "0", None, "below_min"),
        ("visit_date", "2026-11-01", "2026-11-01", None),
        ("visit_date", "2026-11-23", None, "future_date"),
        ("visit_date", "01.11.2026", None, "not_a_date"),
        ("clinic_name_seen", "Clinic 5", "Clinic 5", None),
        ("clinic_name_seen", "x" * 101, None, "too_long"),
        ("story", "  ", None, None),
        ("story", "y" * 4001, None, "too_long"),
    ],
)
def test_every_question_type_valid_and_invalid(question_id, raw, value, error) -> None:
    cleaned, problem = clean_one(question(question_id), raw, TODAY)
    assert cleaned == value
    assert (problem.code if problem else None) == error


def test_labels_are_accepted_in_any_language_for_paper_import() -> None:
    assert clean_one(question("attitude"), "Грубое", TODAY, accept_labels=True)[0] == "rude"
    assert clean_one(question("tested"), "так", TODAY, accept_labels=True)[0] == "yes"


def test_skipped_answers_are_dropped_and_never_required() -> None:
    result = clean_answers(MINI, {"tested": "yes", "why_not": "refused"}, TODAY)
    assert result.ok
    assert "why_not" not in result.answers
    missing = clean_answers(MINI, {"tested": "no"}, TODAY)
    assert missing.errors["why_not"].code == "required"


def test_section_skip_logic_drops_the_whole_page() -> None:
    result = clean_answers(MINI, {"tested": "dont_know", "attitude": "rude", "rating": "3"}, TODAY)
    assert result.ok
    assert result.answers == {"tested": "dont_know"}


def test_constraint_uses_the_questionnaires_message() -> None:
    result = clean_answers(MINI, {"tested": "yes", "story": "x"}, TODAY)
    assert result.errors["story"].code == "constraint"
    assert result.errors["story"].message is not None
    assert "story" not in result.answers


def test_unknown_fields_are_reported() -> None:
    result = clean_answers(MINI, {"tested": "yes", "name": "Olena"}, TODAY)
    assert result.unknown == ("name",)
    assert not result.ok


def test_contributions_follow_the_indicator_definitions() -> None:
    answers = clean_answers(MINI, {"tested": "no", "why_not": "no_kits", "wait": "40", "attitude": "respectful"}, TODAY).answers
    parts = {c.indicator_id: c for c in contributions(MINI, answers)}
    assert (parts["offered_test"].numerator, parts["offered_test"].denominator) == (0.0, 1.0)
    assert (parts["respect"].numerator, parts["respect"].denominator) == (1.0, 1.0)
    assert (parts["mean_wait"].numerator, parts["mean_wait"].numerator_squared) == (40.0, 1600.0)
    none = contributions(MINI, {"tested": "dont_know"})
    assert [c.indicator_id for c in none] == []


def test_a_questionnaire_in_use_still_pickles_for_worker_processes() -> None:
    import pickle

    answers = clean_answers(MINI, {"tested": "yes", "attitude": "rude"}, TODAY).answers  # builds the conditions' tests
    copy = pickle.loads(pickle.dumps(MINI))
    assert copy == MINI
    assert clean_answers(copy, {"tested": "yes", "attitude": "rude"}, TODAY).answers == answers
    assert [c.indicator_id for c in contributions(copy, answers)] == [c.indicator_id for c in contributions(MINI, answers)]


def test_labels_match_in_any_language_and_case_and_the_first_choice_wins() -> None:
    result = clean_answers(MINI, {"tested": "ТАК", "attitude": " грубе ", "services": ["ПКП", "condoms", "pep"]}, TODAY, accept_labels=True)
    assert result.ok
    assert result.answers == {"tested": "yes", "attitude": "rude", "services": ["condoms", "pep"]}
    refused = clean_answers(MINI, {"tested": "ТАК"}, TODAY)
    assert refused.errors["tested"].code == "not_a_choice"
