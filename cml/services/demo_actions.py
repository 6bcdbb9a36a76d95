"""A few demo actions on real figures of the demo data, so a newcomer meets the feature.

Each rests on a clearly missed target of the clinic exit interview, two quarters before the
latest with data (so the quarter after it, the due one, already has data and the re-check
says something): Kyiv's region and one of its facilities (opened by the demo lead), two
other regions and the nation (opened by the demo advocate, on published figures only). Made
once: nothing is added while any action exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import func, select

from cml.core.action_check import next_quarter
from cml.core.periods import periods_with_data
from cml.core.tabulate import MISSES
from cml.extensions import db
from cml.models import Action, Facility, Region, User
from cml.services import actions, fact_sums, surveys, users

SURVEY = "clinic_exit"
MIN_N = 8
"""Fewer people than this make a poor demo of a re-check."""
STATES = ("committed", "in_progress", "open", "committed", "not_resolved")


def _figures(user: User, unit: actions.Unit, period: int) -> Iterator[actions.FrozenFigure]:
    """The unit's figures that miss their target, clear misses first, in the questionnaire's order."""
    version = surveys.latest_version(SURVEY)
    if version is None:
        return
    missed = []
    for indicator in surveys.model_of(version).indicators:
        try:
            figure = actions.figure_for(user, SURVEY, indicator.id, unit, period)
        except actions.NotAFigure:
            continue
        if figure.cell.verdict == MISSES and figure.cell.n >= MIN_N:
            missed.append(figure)
    yield from sorted(missed, key=lambda figure: not figure.cell.clear)


def _units() -> list[tuple[str, actions.Unit, str]]:
    """(opening account, unit, kind of duty bearer) of each demo action."""
    regions = list(db.session.scalars(select(Region).order_by(Region.code)))
    by_code = {r.code: r for r in regions}
    kyiv = by_code.get("kyiv")
    chosen: list[tuple[str, actions.Unit, str]] = []
    if kyiv is not None:
        chosen.append(("demo-lead", actions.Unit(kyiv, None), "regional_health_department"))
        facility = db.session.scalar(select(Facility).where(Facility.region_id == kyiv.id, Facility.stands_for_region.is_(False))
                                     .order_by(Facility.code).limit(1))
        if facility is not None:
            chosen.append(("demo-lead", actions.Unit(kyiv, facility), "facility_head"))
    for code in ("kharkiv", "odesa"):
        if code in by_code:
            chosen.append(("demo-advocate", actions.Unit(by_code[code], None), "regional_health_department"))
    chosen.append(("demo-advocate", actions.Unit(None, None), "council"))
    return chosen


def ensure_demo_actions() -> int:
    """Open the demo actions (added and flushed; the caller commits); how many were opened."""
    if db.session.scalar(select(func.count()).select_from(Action)):
        return 0
    row = next((q for q in surveys.published_questionnaires() if q.code == SURVEY), None)
    if row is None:
        return 0
    periods = sorted(periods_with_data(fact_sums.data_months(row.id), "quarter"))
    if len(periods) < 2:
        return 0
    baseline = periods[-3] if len(periods) >= 3 else periods[-2]
    opened = 0
    for username, unit, kind in _units():
        user = users.find_user(username)
        if user is None:
            continue
        figure = next(_figures(user, unit, baseline), None)
        if figure is None:
            continue
        state = STATES[opened % len(STATES)]
        place = (unit.facility.label("en") if unit.facility else unit.region.label("en") if unit.region else "the country")
        label = figure.questionnaire.text(figure.indicator.label, "en")
        committed = state != "open"
        actions.new_action(
            user, figure, {}, state=state,
            problem=f"{label}: {'clearly ' if figure.cell.clear else ''}below the target in {place}.",
            duty_bearer_kind=kind, duty_bearer=_duty_bearer(kind, place),
            asked=f"Find out why and put it right within a quarter (indicator: {label}).",
            commitment="Agreed to review it with staff and report back at the next meeting." if committed else "",
            commitment_where="Regional council meeting" if committed else "",
            commitment_on=date.today() - timedelta(days=60) if committed else None,
            owner="Legalife Ukraine" if unit.region is None else f"Community monitors of {unit.region.label('en')}",
            due_period=next_quarter(baseline),
        )  # fmt: skip
        opened += 1
    return opened


def _duty_bearer(kind: str, place: str) -> str:
    return {
        "facility_head": f"Head of {place}",
        "regional_health_department": f"{place} regional health department",
        "council": "National HIV/TB council",
    }.get(kind, place)
