"""Translated words of community warnings: states, refusals, the kinds of identifying details found."""

from __future__ import annotations

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
    return messages.get(reason, _("This change could not be made."))
