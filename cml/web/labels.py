"""Translated names of roles and facility kinds, for every template."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _


def role_names() -> dict[str, str]:
    return {"monitor": _("Peer monitor"), "lead": _("Regional lead"), "advocate": _("Advocate"), "admin": _("Administrator")}


def facility_kind_names() -> dict[str, str]:
    return {
        "clinic": _("Clinic"),
        "ngo_site": _("NGO site"),
        "drop_in_centre": _("Drop-in centre"),
        "aids_centre": _("AIDS centre"),
        "mobile_unit": _("Mobile unit"),
        "pharmacy": _("Pharmacy"),
        "other": _("Other"),
    }


def review_state_names() -> dict[str, str]:
    """The review states as readers see them, in the order a submission goes through them."""
    return {"received": _("Received"), "approved": _("Approved"), "has_issues": _("Has issues"), "rejected": _("Rejected")}


def init_app(app: Flask) -> None:
    @app.context_processor
    def _labels() -> dict[str, object]:
        return {"role_names": role_names(), "kind_names": facility_kind_names(), "review_state_names": review_state_names()}
