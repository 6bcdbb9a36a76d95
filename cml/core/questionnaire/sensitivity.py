"""Which answers are sensitive: free text always, unless the questionnaire says why not.

Free text can name a person, a clinic worker or a place, whatever the question asks, so
it is sensitive (kept out of leads' raw exports and encrypted at rest) by default. A
question may opt out with `"sensitive": false` and a `"sensitive_reason"`; an opt-out
without a reason is refused by the check and, in a version published before the rule,
not honoured.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cml.core.question_types import names_where
from cml.core.questionnaire.problems import Problem, child

FREE_TEXT_TYPES = names_where(free_text=True)


def is_sensitive(raw: dict[str, Any]) -> bool:
    """A question's sensitivity from its JSON: its own `sensitive`, free text unless it opts out with a reason."""
    free_text = raw.get("type") in FREE_TEXT_TYPES
    sensitive = raw.get("sensitive", free_text)
    return bool(sensitive) or (free_text and not _reason(raw))


def opt_out_problems(document: Any) -> list[Problem]:
    """Errors: a free-text question that opts out of being sensitive without saying why."""
    return [Problem(child(path, "sensitive"), "free text is sensitive: to opt out, say in \"sensitive_reason\" why its answers "
                    "cannot identify or endanger anyone")
            for path, raw in _free_text_opt_outs(document) if not _reason(raw)]


def opt_out_warnings(document: Any) -> list[Problem]:
    """Warnings: free-text questions that opt out with a reason (their answers go unencrypted to leads' exports)."""
    return [Problem(child(path, "sensitive"), f"warning: free text marked not sensitive ({_reason(raw)}): its answers are stored "
                    "unencrypted and exported to regional leads")
            for path, raw in _free_text_opt_outs(document) if _reason(raw)]


def _reason(raw: dict[str, Any]) -> str:
    reason = raw.get("sensitive_reason")
    return reason.strip() if isinstance(reason, str) else ""


def _free_text_opt_outs(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, question) of every free-text question with `"sensitive": false`, tolerating a broken structure."""
    sections = document.get("sections") if isinstance(document, dict) else None
    for s, section in enumerate(sections if isinstance(sections, list) else []):
        questions = section.get("questions") if isinstance(section, dict) else None
        for q, raw in enumerate(questions if isinstance(questions, list) else []):
            if isinstance(raw, dict) and raw.get("type") in FREE_TEXT_TYPES and raw.get("sensitive") is False:
                yield f"$.sections[{s}].questions[{q}]", raw
