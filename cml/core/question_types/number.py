"""Number questions: whole numbers, decimals and rating scales."""

from __future__ import annotations

from cml.core.question_types.kind import QuestionKind

ORDERED = frozenset({"equals", "in", "at_least", "at_most", "answered"})

KINDS = (
    QuestionKind("integer", frozenset({"min", "max", "unit"}), "number", answer="whole", operators=ORDERED, export="number", demo="number"),
    QuestionKind("decimal", frozenset({"min", "max", "unit"}), "number", answer="decimal", operators=ORDERED, export="number", demo="number"),
    QuestionKind(
        "rating", frozenset({"scale", "min_label", "max_label"}), "scale", answer="whole", operators=ORDERED, export="number",
        demo="rating", choices="scale",
    ),
)
