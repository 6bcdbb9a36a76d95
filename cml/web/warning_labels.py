"""Translated words of community warnings: states, refusals, the kinds of identifying details found."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _


def warning_state_names() -> dict[str, str]:
    return {"draft": _("Draft"), "published": _("Published"), "expired": _("Expired"), "withdrawn": _("Withdrawn")}


def finding_names() -> dict[str, str]:
    """What the identifying-details check found, by kind (cml.core.warnings.identifying)."""
    return {"phone": _("a phone number"), "email": _("an e-mail address"), "handle": _("a messenger handle"), "link": _("a link"),
            "address": _("an address")}


def refusal_message(reason: str) -> str:
    """Why a warning could not be made or changed (cml.services.warnings.WarningRefused)."""
    messages = {
        "no_consent": _("The person did not consent to a warning, or withdrew their consent: nothing from this report may be shared."),
        "withdrawn": _("This warning was withdrawn. Start a new one from the report if it should be shared again."),
        "empty": _("Write what happened before publishing."),
        "too_long": _("A text is too long: please shorten it."),
        "past": _("The last day cannot be in the past."),
        "too_far": _("A warning is shown for at most a year: please choose an earlier last day."),
        "role": _("Only the region's leads write warnings."),
        "stale": _("The form was stale. Please try again."),
    }
    return str(messages.get(reason, _("This change could not be made.")))


def warning_field_names() -> dict[str, str]:
    return {"what_happened": _("what happened"), "area": _("area"), "happened_period": _("when"), "aggressor_description": _("aggressor"),
            "vehicle_description": _("vehicle")}


def _fields(values: Any) -> str:
    names = warning_field_names()
    return ", ".join(names.get(str(f), str(f)) for f in values or []) or "—"


def warning_audit_sentences() -> dict[str, Callable[[Mapping[str, Any], Any], str]]:
    """The audit log's sentences for warnings (cml.admin.audit_text): ids and field names, never the texts.
    Built when the module loads: every word is looked up when a sentence is told, in the reader's language."""
    return {
        "warning.draft": lambda d, n: _("Warning %(id)s drafted from case %(case)s (prefilled: %(fields)s).", id=d.get("warning_id", ""),
                                        case=d.get("case_id", ""), fields=_fields(d.get("fields"))),
        "warning.edit": lambda d, n: _("Warning %(id)s edited (%(fields)s).", id=d.get("warning_id", ""), fields=_fields(d.get("fields"))),
        "warning.publish": lambda d, n: _("Warning %(id)s published until %(day)s.", id=d.get("warning_id", ""), day=d.get("last_day", ""))
        if d.get("previous") != "published" else _("Warning %(id)s: last day changed to %(day)s.", id=d.get("warning_id", ""), day=d.get("last_day", "")),
        "warning.withdraw": lambda d, n: _("Warning %(id)s withdrawn (it was: %(state)s).", id=d.get("warning_id", ""),
                                           state=warning_state_names().get(str(d.get("previous")), str(d.get("previous", "")))),
        "export.warning_bulletin": lambda d, n: _("Warnings bulletin downloaded as PDF (%(region)s, %(count)s warnings, %(language)s).",
                                                  region=n.regions([d.get("region")]), count=d.get("warnings", ""), language=d.get("language", "")),
    }


def warning_audit_names() -> dict[str, str]:
    return {"warning.draft": _("Warning drafted"), "warning.edit": _("Warning edited"), "warning.publish": _("Warning published"),
            "warning.withdraw": _("Warning withdrawn"), "export.warning_bulletin": _("Warnings bulletin downloaded")}
