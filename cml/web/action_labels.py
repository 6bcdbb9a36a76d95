"""Translated words of actions: states, kinds of duty bearer, the re-check's verdict and its figures."""

from __future__ import annotations

from flask_babel import gettext as _

from cml.core.action_check import Figure, Recheck
from cml.web.formatting import fmt_period
from cml.web.present import fmt, fmt_points


def action_state_names() -> dict[str, str]:
    """The states in the order an action usually goes through them."""
    return {"open": _("Open"), "committed": _("Committed"), "in_progress": _("In progress"),
            "resolved": _("Resolved"), "not_resolved": _("Not resolved")}


def duty_bearer_kind_names() -> dict[str, str]:
    return {"facility_head": _("Facility head"), "regional_health_department": _("Regional health department"),
            "police_department": _("Police department"), "council": _("Council"), "other": _("Other")}


def verdict_names() -> dict[str, str]:
    return {"improved_clear": _("improved (clear)"), "no_clear_change": _("no clear change"), "worse_clear": _("worse (clear)"),
            "not_enough_data": _("not enough data"), "not_due": _("not due yet")}


VERDICT_CLASSES = {"improved_clear": "good", "no_clear_change": "muted", "worse_clear": "bad", "not_enough_data": "muted", "not_due": "muted"}


def verdict_text(recheck: Recheck) -> str:
    """What the data say, in the reader's language: "improved (clear)", "no clear change", …"""
    if recheck.withheld and recheck.verdict != "not_due":
        return _("withheld")
    return verdict_names()[recheck.verdict]


def figure_text(figure: Figure, percent: bool, language: str) -> str:
    """One figure as a sentence: "38.2% (95% interval 30.1% – 46.9%), n = 120, 2026Q3"."""
    return _("%(estimate)s (95%% interval %(low)s – %(high)s), n = %(n)s, %(period)s",
             estimate=fmt(figure.estimate, percent, language), low=fmt(figure.low, percent, language),
             high=fmt(figure.high, percent, language), n=figure.n, period=fmt_period(figure.period, "quarter", language))


def change_text(recheck: Recheck, percent: bool, language: str) -> str:
    """The change from the baseline with its interval, or "" when there is none to show."""
    if recheck.change is None or recheck.change_low is None or recheck.change_high is None:
        return ""
    return _("%(change)s (95%% interval %(low)s to %(high)s)", change=fmt_points(recheck.change, percent, language),
             low=fmt_points(recheck.change_low, percent, language), high=fmt_points(recheck.change_high, percent, language))
