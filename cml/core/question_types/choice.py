"""Choice questions: one of a list, several of a list, yes / no / don't know."""

from __future__ import annotations

from cml.core.question_types.kind import QuestionKind

KINDS = (
    QuestionKind(
        "single_choice", frozenset({"choices", "choice_filter"}), "radio", answer="choice",
        operators=frozenset({"equals", "in", "answered"}), export="code", demo="weighted_choice", choices="list",
    ),
    QuestionKind(
        "multiple_choice", frozenset({"choices", "min_selected", "max_selected"}), "checkboxes", answer="choices",
        operators=frozenset({"includes", "in", "answered"}), export="codes", demo="several_choices", choices="list",
    ),
    QuestionKind(
        "yes_no_dk", frozenset(), "radio", answer="choice",
        operators=frozenset({"equals", "in", "answered"}), export="code", demo="weighted_choice", choices="yes_no_dk",
    ),
)
