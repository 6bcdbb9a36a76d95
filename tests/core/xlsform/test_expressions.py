"""XLSForm expressions to CML conditions and back: the supported subset, and exact inverses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cml.core.questionnaire import evaluate, parse_document
from cml.core.xlsform.expressions import ExpressionError, to_condition, to_expression

TYPES = {
    "reason": "single_choice",
    "tested": "yes_no_dk",
    "services": "multiple_choice",
    "age": "integer",
    "cost": "decimal",
    "score": "rating",
    "visit": "date",
    "arrived": "time",
    "name": "text",
    "intro": "note",
}
EVERY = frozenset(TYPES)


def read(text: str, own: str | None = None) -> dict[str, Any]:
    return to_condition(text, TYPES, EVERY, own)


@pytest.mark.parametrize(("text", "condition"), [
    ("${reason} = 'test'", {"question": "reason", "equals": "test"}),
    ("${reason}='test'", {"question": "reason", "equals": "test"}),
    ('${reason} = "test"', {"question": "reason", "equals": "test"}),
    ("${reason} != 'test'", {"not": {"question": "reason", "equals": "test"}}),
    ("${reason} = 'a' or ${reason} = 'b'", {"question": "reason", "in": ["a", "b"]}),
    ("selected(${services}, 'hiv')", {"question": "services", "includes": "hiv"}),
    ("selected(${tested}, 'yes')", {"question": "tested", "equals": "yes"}),
    ("selected(${services}, 'a') or selected(${services}, 'b')", {"question": "services", "in": ["a", "b"]}),
    ("${age} >= 18", {"question": "age", "at_least": 18}),
    ("18 <= ${age}", {"question": "age", "at_least": 18}),
    ("${age} > 17", {"question": "age", "at_least": 18}),
    ("${age} < 65", {"question": "age", "at_most": 64}),
    ("${cost} > 2.5", {"all": [{"question": "cost", "answered": True}, {"not": {"question": "cost", "at_most": 2.5}}]}),
    ("${visit} >= date('2026-01-01')", {"question": "visit", "at_least": "2026-01-01"}),
    ("${visit} > '2026-01-31'", {"question": "visit", "at_least": "2026-02-01"}),
    ("${arrived} >= '18:00'", {"question": "arrived", "at_least": "18:00"}),
    ("${arrived} < '18:00'", {"question": "arrived", "at_most": "17:59"}),
    ("${age} >= ${score}", {"question": "age", "at_least": {"question": "score"}}),
    ("${reason} != ''", {"question": "reason", "answered": True}),
    ("${reason} = ''", {"question": "reason", "answered": False}),
    ("string-length(${name}) > 0", {"question": "name", "answered": True}),
    ("count-selected(${services}) = 0", {"question": "services", "answered": False}),
    ("not(${reason} = 'a')", {"not": {"question": "reason", "equals": "a"}}),
    ("${age} >= 18 and (${reason} = 'a' or ${tested} = 'yes')",
     {"all": [{"question": "age", "at_least": 18}, {"any": [{"question": "reason", "equals": "a"}, {"question": "tested", "equals": "yes"}]}]}),
    ("${age} >= 18 and ${age} <= 60 or ${reason} = 'a'",
     {"any": [{"all": [{"question": "age", "at_least": 18}, {"question": "age", "at_most": 60}]}, {"question": "reason", "equals": "a"}]}),
    ("${name} = 'x'", {"question": "name", "equals": "x"}),
])
def test_supported_expressions(text: str, condition: dict[str, Any]) -> None:
    assert read(text) == condition


def test_dot_is_the_question_itself_in_a_constraint() -> None:
    assert read(". >= 0 and . <= 120", own="age") == {"all": [{"question": "age", "at_least": 0}, {"question": "age", "at_most": 120}]}
    with pytest.raises(ExpressionError, match="only be used in a constraint"):
        read(". >= 0")


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("${age} + 1 > 3", "arithmetic"),
    ("today() > ${visit}", "today() is not supported"),
    ("${services} = 'hiv'", "use selected(${services}, 'choice')"),
    ("${reason} >= 'a'", "works only on number, rating, date and time"),
    ("${age} = 'many'", "compare it with a number"),
    ("${visit} >= 'soon'", "date('YYYY-MM-DD')"),
    ("${arrived} >= '7:5'", "HH:MM"),
    ("${intro} = 'x'", "is a note"),
    ("${nobody} = 'x'", "there is no question ${nobody}"),
    ("${age} = ${score}", "only with >= or <="),
    ("string-length(${name}) > 5", "compared with 0 or 1"),
    ("(${age} > 3", "closing parenthesis"),
    ("${age} > 3)", "unexpected \")\""),
    ("${age}", "a comparison such as"),
    ("${age} > 3 and", "end of the expression"),
    ("not(" * 20 + "${age} > 3" + ")" * 20, "nested more than"),
    ("selected(${reason}, ${tested})", "choice name in quotes"),
])
def test_unsupported_expressions_say_why(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$").replace("{", r"\{")):
        read(text)


def test_only_earlier_questions_are_visible() -> None:
    with pytest.raises(ExpressionError, match="not an earlier question"):
        to_condition("${age} > 3", TYPES, frozenset({"reason"}))


@pytest.mark.parametrize(("condition", "text"), [
    ({"question": "reason", "in": ["a", "b"]}, "${reason} = 'a' or ${reason} = 'b'"),
    ({"question": "services", "in": ["a", "b"]}, "selected(${services}, 'a') or selected(${services}, 'b')"),
    ({"all": [{"question": "reason", "in": ["a", "b"]}, {"question": "age", "at_least": 3}]}, "(${reason} = 'a' or ${reason} = 'b') and ${age} >= 3"),
    ({"question": "visit", "at_most": "2026-01-01"}, "${visit} <= date('2026-01-01')"),
    ({"question": "cost", "equals": 2.5}, "${cost} = 2.5"),
    ({"question": "name", "equals": "it's"}, "${name} = \"it's\""),
])
def test_written_expressions(condition: dict[str, Any], text: str) -> None:
    assert to_expression(condition, TYPES) == text


# --- property: writing then reading keeps a condition's meaning ---------------------------------
QUESTIONS: dict[str, dict[str, Any]] = {
    "reason": {"type": "single_choice", "choices": [{"id": c, "label": {"en": c}} for c in ("a", "b", "c")]},
    "services": {"type": "multiple_choice", "choices": [{"id": c, "label": {"en": c}} for c in ("a", "b", "c")]},
    "age": {"type": "integer"},
    "cost": {"type": "decimal"},
    "visit": {"type": "date"},
    "arrived": {"type": "time"},
}
CHOICES = st.sampled_from(["a", "b", "c"])
ANSWERS = st.fixed_dictionaries({}, optional={
    "reason": CHOICES,
    "services": st.lists(CHOICES, unique=True, min_size=1),
    "age": st.integers(0, 6),
    "cost": st.sampled_from([0.5, 1.0, 2.5, 3.0]),
    "visit": st.sampled_from(["2026-01-01", "2026-01-02", "2026-01-03"]),
    "arrived": st.sampled_from(["07:59", "08:00", "08:01"]),
})


def comparisons() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda v: {"question": "reason", "equals": v}, CHOICES),
        st.builds(lambda v: {"question": "reason", "in": v}, st.lists(CHOICES, min_size=1, max_size=3, unique=True)),
        st.builds(lambda v: {"question": "services", "includes": v}, CHOICES),
        st.builds(lambda v: {"question": "services", "in": v}, st.lists(CHOICES, min_size=1, max_size=3, unique=True)),
        st.builds(lambda q, op, v: {"question": q, op: v}, st.sampled_from(["age"]), st.sampled_from(["at_least", "at_most", "equals"]), st.integers(0, 6)),
        st.builds(lambda op, v: {"question": "cost", op: v}, st.sampled_from(["at_least", "at_most", "equals"]), st.sampled_from([1.0, 2.5])),
        st.builds(lambda op, v: {"question": "visit", op: v}, st.sampled_from(["at_least", "at_most", "equals"]), st.sampled_from(["2026-01-02"])),
        st.builds(lambda op, v: {"question": "arrived", op: v}, st.sampled_from(["at_least", "at_most", "equals"]), st.sampled_from(["08:00"])),
        st.builds(lambda op: {"question": "age", op: {"question": "cost"}}, st.sampled_from(["at_least", "at_most"])),
        st.builds(lambda q, v: {"question": q, "answered": v}, st.sampled_from(list(QUESTIONS)), st.booleans()),
    )


CONDITIONS = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda c: {"not": c}, inner),
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)


def compiled(condition: dict[str, Any]) -> Any:
    questions = [{"id": qid, "label": {"en": qid}, **spec} for qid, spec in QUESTIONS.items()]
    questions.append({"id": "last", "type": "integer", "label": {"en": "last"}, "show_if": condition})
    document = {"id": "p", "version": 1, "languages": ["en"], "title": {"en": "p"}, "sections": [{"id": "s", "title": {"en": "s"}, "questions": questions}]}
    questionnaire, problems = parse_document(document)
    assert problems == [], problems
    assert questionnaire is not None
    return questionnaire.question("last").show_if  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(condition=CONDITIONS, answers=st.lists(ANSWERS, min_size=5, max_size=5))
def test_written_then_read_condition_means_the_same(condition: dict[str, Any], answers: list[dict[str, Any]]) -> None:
    types = {qid: spec["type"] for qid, spec in QUESTIONS.items()}
    text = to_expression(condition, types)
    again = to_condition(text, types, frozenset(types))
    original, read_back = compiled(condition), compiled(again)
    for given_answers in answers:
        assert evaluate(original, given_answers) == evaluate(read_back, given_answers), (text, given_answers)
