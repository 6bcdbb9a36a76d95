"""Actions: who sees and manages them, the figure one is opened from, and its re-check by the data.

Scope: leads see and manage the actions of their regions; advocates and admins all. A
figure is frozen as the dashboard shows it to the user opening the action (an advocate only
a published one, never a facility's). The re-check is computed from the current sums each
time it is read, so it follows new submissions, corrections, withdrawals and rebuilds; the
baseline never changes. Other features (council meetings, exports) call these functions and
never query actions themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from cml.auth.capabilities import has_capability
from cml.config import suppression_threshold
from cml.core.action_check import GRAIN, Better, Recheck, baseline_json, estimate_of, next_quarter, thawed_sums, withheld
from cml.core.action_check import recheck as check
from cml.core.bounds import parse_id
from cml.core.periods import month_range, period_label
from cml.core.questionnaire import Indicator, Questionnaire
from cml.core.tabulate import CellEstimate, FacilityTotals, IndicatorSpec, indicator_spec
from cml.extensions import db
from cml.models import ACTION_STATES, Action, AuditEvent, Facility, Region, User
from cml.services import audit, surveys
from cml.services.estimates import facility_totals
from cml.services.publication import disclosure_cube
from cml.services.scope import not_yours, region_ids, restrict_to_user_regions

LEVEL = 0.95
MIN_N = 5
"""The dashboard's defaults (`estimate_cells`): a figure frozen or re-checked here is the one it shows."""
LAST_MONTH = 299912


def visible_actions(user: User, *, region_id: int | None = None, state: str | None = None) -> list[Action]:
    """The actions this user may see, newest first: leads their regions', advocates and admins all."""
    if not has_capability(user, "view_actions"):
        return []
    query = select(Action).order_by(Action.created_at.desc(), Action.id.desc())
    query = restrict_to_user_regions(query, user, Action.region_id)
    if region_id is not None:
        query = query.where(Action.region_id == region_id)
    if state is not None:
        query = query.where(Action.state == state)
    return list(db.session.scalars(query))


def action_for(user: User, action_id: object) -> Action:
    """The action with this id if the user may see it; 404 otherwise (also for a malformed id)."""
    wanted = parse_id(action_id)
    if wanted is None or not has_capability(user, "view_actions"):
        not_yours()
    query = restrict_to_user_regions(select(Action).where(Action.id == wanted), user, Action.region_id)
    found: Action | None = db.session.scalar(query)
    return found or not_yours()


def may_manage(user: User, action: Action) -> bool:
    """Leads of the action's region, advocates and admins may edit it and change its state."""
    if not has_capability(user, "manage_actions"):
        return False
    allowed = region_ids(user)
    return allowed is None or (action.region_id is not None and action.region_id in allowed)


def shows_facility_figures(user: User, action: Action) -> bool:
    """Whether this reader may see the figures of the action's unit: a facility's only with facility figures."""
    return action.facility_id is None or has_capability(user, "facility_figures")


@dataclass(frozen=True)
class Unit:
    """The unit of a figure: the nation (region None), a region, or a facility in its region."""

    region: Region | None
    facility: Facility | None

    @property
    def region_id(self) -> int | None:
        return self.region.id if self.region is not None else None

    @property
    def facility_id(self) -> int | None:
        return self.facility.id if self.facility is not None else None


@dataclass(frozen=True)
class FrozenFigure:
    """A figure as the dashboard shows it to this user, ready to be frozen into an action."""

    code: str
    questionnaire: Questionnaire
    indicator: Indicator
    unit: Unit
    period: int
    cell: CellEstimate
    rows: tuple[FacilityTotals, ...]
    better: Better
    published: bool | None
    """For an advocate, whether the gate publishes it (only a published one may be frozen); None for others."""


class NotAFigure(LookupError):
    """The link names no figure this user may freeze (the message says why, for the page)."""


def figure_for(user: User, code: str, indicator_id: str, unit: Unit, period: int) -> FrozenFigure:
    """The figure of one indicator, unit and quarter as this user sees it on the dashboard.

    Raises NotAFigure when there is none (no respondents, an unknown indicator, no direction) or
    when this user may not see it (a facility for an advocate, a withheld figure).
    """
    version = surveys.latest_version(code)
    if version is None:
        raise NotAFigure("questionnaire")
    questionnaire = surveys.model_of(version)
    indicator = questionnaire.indicator(indicator_id)
    if indicator is None:
        raise NotAFigure("indicator")
    if indicator.better not in ("higher", "lower"):
        raise NotAFigure("direction")
    if unit.facility is not None and not has_capability(user, "facility_figures"):
        raise NotAFigure("facility")
    spec = indicator_spec(questionnaire, indicator)
    rows = unit_rows(version.questionnaire_id, indicator.id, unit, period, period)
    cell = estimate_of(spec, rows, period, LEVEL, MIN_N)
    if cell is None:
        raise NotAFigure("empty")
    published = None
    if has_capability(user, "advocate_outputs"):
        gate = disclosure_cube(code, suppression_threshold())
        published = gate.status(indicator.id, unit.region_id, GRAIN, period).published
        if not published:
            raise NotAFigure("withheld")
    return FrozenFigure(code, questionnaire, indicator, unit, period, cell, tuple(rows), indicator.better, published)


def unit_rows(questionnaire_id: int, indicator: str, unit: Unit, first: int, last: int | None) -> list[FacilityTotals]:
    """The per-facility quarterly sums of one unit from quarter `first` to `last` (None: the latest)."""
    months = (month_range(first, GRAIN)[0], month_range(last, GRAIN)[1] if last is not None else LAST_MONTH)
    return facility_totals(
        questionnaire_id, [indicator], GRAIN, months,
        None if unit.region is None else {unit.region.id},
        None if unit.facility is None else {unit.facility.id},
    )  # fmt: skip


def new_action(user: User, figure: FrozenFigure, shown: dict[str, str], **fields: Any) -> Action:
    """An action on a frozen figure, in the audit log (added and flushed; the caller commits)."""
    action = Action(
        questionnaire_code=figure.code, indicator_id=figure.indicator.id, region_id=figure.unit.region_id,
        facility_id=figure.unit.facility_id, grain=GRAIN, baseline_period=figure.period,
        baseline=baseline_json(figure.cell, figure.rows, figure.better, shown, figure.published),
        created_by_id=user.id, **fields,
    )  # fmt: skip
    db.session.add(action)
    db.session.flush()
    audit.record("action.create", user, target=f"action:{action.id}", action_id=action.id, questionnaire=figure.code,
                 indicator=figure.indicator.id, region_id=action.region_id, facility_id=action.facility_id,
                 period=period_label(figure.period, GRAIN), state=action.state)
    return action


def edit(action: Action, user: User, fields: dict[str, Any]) -> list[str]:
    """Change what an action says (never its figure); the names of the fields changed, audited without their words."""
    changed = sorted(name for name, value in fields.items() if getattr(action, name) != value)
    for name in changed:
        setattr(action, name, fields[name])
    if changed:
        audit.record("action.edit", user, target=f"action:{action.id}", action_id=action.id, fields=changed)
    return changed


def set_state(action: Action, user: User, state: str) -> bool:
    """A person's decision on the action's state, audited; whether it changed."""
    if state not in ACTION_STATES:
        raise ValueError(f"unknown state {state!r}")
    if state == action.state:
        return False
    audit.record("action.state", user, target=f"action:{action.id}", action_id=action.id, previous=action.state, state=state)
    action.state = state
    return True


def _spec(action: Action) -> tuple[int, IndicatorSpec] | None:
    version = surveys.latest_version(action.questionnaire_code)
    if version is None:
        return None
    questionnaire = surveys.model_of(version)
    indicator = questionnaire.indicator(action.indicator_id)
    if indicator is None:
        return None
    return version.questionnaire_id, indicator_spec(questionnaire, indicator)


def compared_period(periods: Sequence[int], baseline_period: int, due_period: int) -> int | None:
    """The quarter a re-check compares: the due quarter when it has data, else the latest with data after the baseline."""
    if due_period in periods:
        return due_period
    later = [p for p in periods if p > baseline_period]
    return max(later) if later else None


def recheck(action: Action, user: User) -> Recheck:
    """The action's baseline beside the same unit's figure now, as this reader may see it."""
    better: Better = action.baseline.get("better", "higher")
    target = action.baseline.get("target")
    baseline_rows = thawed_sums(action.indicator_id, action.baseline_period, action.baseline.get("sums", []))
    found = _spec(action)
    if found is None:  # the indicator left the questionnaire: nothing to compare with
        spec = IndicatorSpec(action.indicator_id, action.baseline.get("kind", "proportion"))
        result = check(spec, better, action.baseline_period, baseline_rows, action.due_period, None, [], target, LEVEL, MIN_N)
        return _gated(action, user, result)
    questionnaire_id, spec = found
    unit = Unit(action.region, action.facility)
    later = unit_rows(questionnaire_id, action.indicator_id, unit, next_quarter(action.baseline_period), None)
    periods = sorted({row.period for row in later})
    period = compared_period(periods, action.baseline_period, action.due_period)
    current = [row for row in later if row.period == period]
    result = check(spec, better, action.baseline_period, baseline_rows, action.due_period, period, current, target, LEVEL, MIN_N)
    return _gated(action, user, result)


def _gated(action: Action, user: User, result: Recheck) -> Recheck:
    """For advocates: only what the dashboard's gate publishes (never a facility's figures)."""
    if not has_capability(user, "advocate_outputs"):
        return result
    if action.facility_id is not None:  # not even whether the facility has data since
        return replace(withheld(result, baseline_too=True), verdict="not_enough_data")
    try:
        gate = disclosure_cube(action.questionnaire_code, suppression_threshold())
    except LookupError:  # no published version to decide by: the gate fails closed
        return withheld(result, baseline_too=True)
    baseline_shown = gate.status(action.indicator_id, action.region_id, GRAIN, action.baseline_period).published
    if result.current is None:
        return result if baseline_shown else withheld(result, baseline_too=True)
    if not gate.status(action.indicator_id, action.region_id, GRAIN, result.current.period).published or not baseline_shown:
        return withheld(result, baseline_too=not baseline_shown)
    return result


def history(action: Action) -> list[AuditEvent]:
    """The action's opening, edits and changes of state, oldest first (from the audit log, which records each)."""
    query = select(AuditEvent).where(AuditEvent.target == f"action:{action.id}").order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def indicator_label(action: Action, language: str) -> str | None:
    """The indicator's label in the latest published version (None if it left the questionnaire)."""
    version = surveys.latest_version(action.questionnaire_code)
    if version is None:
        return None
    questionnaire = surveys.model_of(version)
    indicator = questionnaire.indicator(action.indicator_id)
    return None if indicator is None else questionnaire.text(indicator.label, language)
