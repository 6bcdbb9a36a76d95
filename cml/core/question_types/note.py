"""A note: text shown to the monitor, never an answer (so never required, exported or looked at by a condition)."""

from __future__ import annotations

from cml.core.question_types.kind import QuestionKind

KINDS = (QuestionKind("note", frozenset(), "note"),)
