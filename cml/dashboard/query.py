"""Dashboard filters from the query string, checked against what the user may see.

Every view reads its filters here, so bookmarks and shared links work, and a region
outside the user's scope is refused in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cml.auth.capabilities import has_capability
from cml.core.periods import GRAINS, Grain, period_label, period_of, periods_with_data, previous_period, read_period
from cml.extensions import db
from cml.models import Facility, Region
from cml.services import surveys
from cml.services.estimates import data_months
from cml.services.scope import load_region, region_ids

DEFAULT_PERIODS = 8
PUBLISHED_GRAINS: tuple[Grain, ...] = ("quarter", "year")


@dataclass(frozen=True)
class Filters:
    code: str
    questionnaire_id: int
    grain: Grain
    period: int
    """The period the overview and unit charts show."""
    first: int
    """First period of the trend."""
    region: Region | None
    """One region chosen, or None for every region in scope."""
    scope: set[int] | None
    """Region ids whose facts count: the chosen region, the user's regions, or None for all."""
    facility_level: bool
    """Whether this user may see figures by facility (not advocates)."""
    aggregates_only: bool
    indicator: str | None = None
    choices: dict[str, object] = field(default_factory=dict)
    periods: tuple[int, ...] = ()
    """The periods with data at this grain, latest first: the period fields' choices."""
    notices: dict[str, str] = field(default_factory=dict)
    """A message per field whose value could not be read and was replaced."""

    def args(self, **changes: object) -> dict[str, Any]:  # Any: url_for's **values
        """Query-string arguments for a link to a view with these filters (and some changed)."""
        values: dict[str, Any] = {
            "survey": self.code,
            "grain": self.grain,
            "period": period_label(self.period, self.grain),
            "from": period_label(self.first, self.grain),
        }
        if self.region is not None:
            values["region"] = self.region.code
        if self.indicator:
            values["indicator"] = self.indicator
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def read_filters() -> Filters:
    """The filters of this request; 404 for a questionnaire, region or period that is not there or not the user's."""
    published = surveys.published_questionnaires()
    if not published:
        abort(404)
    code = request.args.get("survey") or published[0].code
    row = next((q for q in published if q.code == code), None) or abort(404)
    aggregates_only = has_capability(current_user, "advocate_outputs")
    grain_text = request.args.get("grain", "quarter")
    grain: Grain = grain_text if grain_text in grains_for(aggregates_only) else "quarter"
    allowed = region_ids(current_user)
    region = load_region(current_user, request.args["region"]) if request.args.get("region") else None
    scope = {region.id} if region is not None else allowed
    # Published figures' choices come from the reader's whole scope: a period listed for one region alone
    # would tell that someone there was interviewed even where every figure is withheld.
    periods = periods_with_data(data_months(row.id, allowed if aggregates_only else scope), grain)
    notices: dict[str, str] = {}
    period = _period_arg("period", grain, periods, notices)
    if period is None:
        period = periods[0] if periods else _today_period(grain)
    if period not in periods:  # a chosen period without data stays a choice, with its empty figures
        periods = sorted({*periods, period}, reverse=True)
    first = _period_arg("from", grain, periods, notices)
    if first is None or first > period:
        first = period
        for _ in range(DEFAULT_PERIODS - 1):
            first = previous_period(first, grain)
    indicator = request.args.get("indicator") or None
    return Filters(
        code=row.code,
        questionnaire_id=row.id,
        grain=grain,
        period=period,
        first=first,
        region=region,
        scope=scope,
        facility_level=has_capability(current_user, "facility_figures"),
        aggregates_only=aggregates_only,
        indicator=indicator,
        choices={"questionnaires": published},
        periods=tuple(sorted({*periods, first}, reverse=True)),
        notices=notices,
    )


def grains_for(aggregates_only: bool) -> tuple[Grain, ...]:
    """The period grains a reader may choose: published figures go no finer than quarters
    (months are finer than the protected cube, `cml.core.publication`)."""
    return PUBLISHED_GRAINS if aggregates_only else GRAINS


def _period_arg(name: str, grain: Grain, periods: list[int], notices: dict[str, str]) -> int | None:
    """The period a link names, at this grain (another grain's is converted); None, with a notice, if it does not parse."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    period = read_period(text, grain, periods)
    if period is None:
        notices[name] = _("“%(text)s” is not a period such as 2026Q3, 2026-07 or 2026: another period is shown.", text=text[:20])
    return period


def _today_period(grain: Grain) -> int:
    return period_of(date.today(), grain)


def facility_names(ids: set[int], language: str) -> dict[int, str]:
    """Facility id -> name in the reader's language; a region's stand-in (responses of a region or an event) is "(no facility)"."""
    if not ids:
        return {}
    facilities = db.session.scalars(select(Facility).where(Facility.id.in_(ids)))
    return {f.id: _("(no facility)") if f.stands_for_region else f.label(language) for f in facilities}


def region_labels(language: str) -> dict[int, str]:
    return {r.id: r.label(language) for r in db.session.scalars(select(Region))}

