"""Free text: a line or a longer box. Sensitive unless the questionnaire says why not."""

from __future__ import annotations

from cml.core.question_types.kind import QuestionKind

TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 4000
_TEXT = frozenset({"equals", "in", "answered"})

KINDS = (
    QuestionKind("text", frozenset({"max_length"}), "line", answer="text", operators=_TEXT, export="text", demo="free_text",
                 free_text=True, max_length=TEXT_MAX_LENGTH),
    QuestionKind("long_text", frozenset({"max_length"}), "box", answer="text", operators=_TEXT, export="text", demo="free_text",
                 free_text=True, max_length=LONG_TEXT_MAX_LENGTH),
)
