"""Translated words of cases: states, kinds and outcomes of steps, the uses consented to."""

from __future__ import annotations

from flask_babel import gettext as _


def case_state_names() -> dict[str, str]:
    return {"open": _("Open"), "closed": _("Closed")}


def step_kind_names() -> dict[str, str]:
    return {"legal_aid": _("Referred to legal aid"), "medical": _("Referred to medical care"), "pep": _("Referred for PEP"),
            "crisis_service": _("Referred to a crisis service"), "psychologist": _("Referred to a psychologist"),
            "police_report": _("Police report filed"), "none_wanted": _("The person wants no follow-up"), "other": _("Other step")}


def step_outcome_names() -> dict[str, str]:
    return {"helped": _("Helped"), "partly": _("Helped a little"), "nothing": _("Nothing came of it"), "refused": _("Refused"),
            "harmed": _("Made it worse"), "pending": _("Waiting for the outcome")}


def consent_names() -> dict[str, str]:
    return {"count": _("Counted in the statistics"), "warning": _("Shared as a warning to the community"),
            "referral": _("Referred to services")}
