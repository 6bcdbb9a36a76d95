"""An action as a meeting page, the brief and the register show it: its words, its figures, its re-check.

Figures pass through the disclosure gate before they get here: `recheck` (cml.services.actions)
gates them for the reader, and `published_recheck` gates them for an output made to leave the
platform (the brief), whoever prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from cml.actions.units import unit_words
from cml.config import suppression_threshold
from cml.core.action_check import Recheck, withheld
from cml.models import Action, User
from cml.services import surveys
from cml.services.publication import disclosure_cube
from cml.web.action_labels import action_state_names, change_text, duty_bearer_kind_names, figure_text, verdict_text
from cml.web.formatting import fmt_period


@dataclass(frozen=True)
class ActionLine:
    """One action ready for a page row, a brief paragraph or a register row."""

    action: Action
    check: Recheck
    indicator: str
    unit: str
    percent: bool
    baseline: str
    current: str
    change: str
    verdict: str
    target: str
    state: str
    duty_bearer_kind: str
    due: str
    commitment_on: str

    @property
    def verdict_key(self) -> str:
        return "withheld" if self.check.withheld else self.check.verdict


def published_recheck(action: Action, check: Recheck) -> Recheck:
    """The re-check as an output made to leave the platform may show it: never a facility's figure, never a
    withheld cell of the disclosure cube, and no change (nor verdict) that would give a withheld figure away."""
    if action.facility_id is not None:
        return withheld(check, baseline_too=True)
    cube = disclosure_cube(action.questionnaire_code, suppression_threshold())
    if not cube.status(action.indicator_id, action.region_id, "quarter", action.baseline_period).published:
        return withheld(check, baseline_too=True)
    if check.current is not None and not cube.status(action.indicator_id, action.region_id, "quarter", check.current.period).published:
        return withheld(check)
    return check


def indicator_label(action: Action, language: str) -> str:
    version = surveys.latest_version(action.questionnaire_code)
    if version is None:
        return action.indicator_id
    questionnaire = surveys.model_of(version)
    indicator = next((i for i in questionnaire.indicators if i.id == action.indicator_id), None)
    return questionnaire.text(indicator.label, language) if indicator is not None else action.indicator_id


def unit_name(action: Action, language: str, user: User, published: bool) -> str:
    """Where the action is, as this reader may read it (ACTIONS' `unit_words`); in a published output a
    facility is never named, whoever prints it."""
    if published and action.facility is not None and action.region is not None:
        return _("a facility in %(region)s", region=action.region.label(language))
    return unit_words(action, user, language)


def target_text(check: Recheck) -> str:
    if check.meets_target is None or check.current is None:
        return ""
    return _("meets the target") if check.meets_target else _("misses the target")


def line(action: Action, check: Recheck, language: str, user: User, published: bool = False) -> ActionLine:
    """`published`: for an output made to leave the platform (the brief), with `check` from `published_recheck`."""
    percent = (action.baseline or {}).get("kind", "proportion") == "proportion"
    withheld_words = _("withheld")
    baseline = figure_text(check.baseline, percent, language) if check.baseline is not None else withheld_words
    if check.withheld:
        current = withheld_words
    elif check.current is None:
        current = _("no data yet")
    else:
        current = figure_text(check.current, percent, language)
    verdict = verdict_text(check)
    if check.provisional and not check.withheld and check.current is not None:
        verdict = _("%(verdict)s (so far: the due quarter has no data yet)", verdict=verdict)
    return ActionLine(
        action=action, check=check, indicator=indicator_label(action, language), unit=unit_name(action, language, user, published), percent=percent,
        baseline=baseline, current=current, change=change_text(check, percent, language), verdict=verdict, target=target_text(check),
        state=action_state_names().get(action.state, action.state), duty_bearer_kind=duty_bearer_kind_names().get(action.duty_bearer_kind, action.duty_bearer_kind),
        due=fmt_period(action.due_period, "quarter", language), commitment_on=_day(action.commitment_on),
    )


def _day(day: date | None) -> str:
    return format_date(day, "medium") if day is not None else ""


def register_values(item: ActionLine) -> dict[str, Any]:
    """The raw values of a register row (numbers as numbers), figures absent where withheld."""
    check, action = item.check, item.action
    base, now = check.baseline, check.current
    return {
        "id": action.id, "state": item.state, "questionnaire": action.questionnaire_code, "indicator": item.indicator, "unit": item.unit,
        "problem": action.problem, "duty_bearer_kind": item.duty_bearer_kind, "duty_bearer": action.duty_bearer, "asked": action.asked,
        "commitment": action.commitment, "commitment_where": action.commitment_where, "commitment_on": action.commitment_on,
        "owner": action.owner, "due": item.due,
        "baseline_period": fmt_period(action.baseline_period, "quarter"), "baseline_estimate": base.estimate if base else None,
        "baseline_low": base.low if base else None, "baseline_high": base.high if base else None, "baseline_n": base.n if base else None,
        "verdict": item.verdict, "current_period": fmt_period(now.period, "quarter") if now else None,
        "current_estimate": now.estimate if now else None, "current_low": now.low if now else None, "current_high": now.high if now else None,
        "current_n": now.n if now else None, "change": check.change, "change_low": check.change_low, "change_high": check.change_high,
        "p_value": check.p_value, "target": item.target, "withheld": _("yes") if check.withheld or base is None else "",
    }
