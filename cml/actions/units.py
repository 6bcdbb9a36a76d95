"""The unit of an action (the nation, a region or a facility) from a link, and in words for a reader."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import SelectChoice

from cml.auth.capabilities import has_capability
from cml.core.action_check import next_quarter
from cml.extensions import db
from cml.models import Action, Region, User
from cml.services.actions import FrozenFigure, Unit
from cml.services.scope import load_facility, load_region, not_yours, region_ids
from cml.web.formatting import fmt_period

DUE_CHOICES = 8
"""How many quarters after the baseline may be chosen as the due quarter (two years)."""


def unit_from_args(user: User, region_code: str | None, facility_id: str | None) -> Unit:
    """The unit a dashboard link names; 404 for a region or facility that is not there or not the user's."""
    allowed = region_ids(user)
    region = load_region(user, region_code) if region_code else None
    if facility_id:
        facility = load_facility(user, facility_id)
        if region is not None and facility.region_id != region.id:
            not_yours()
        return Unit(facility.region, facility)
    if region is None and allowed is not None:
        if len(allowed) != 1:
            not_yours()  # a lead's several regions pooled are no unit an action can follow
        region = db.session.get(Region, next(iter(allowed)))
    return Unit(region, None)


def unit_words(action: Action | None, user: User, language: str, unit: Unit | None = None) -> str:
    """"Kyiv", "Clinic 3 · Kyiv", "a facility in Kyiv" (a facility's name is not published to advocates) or "national"."""
    region = action.region if action is not None else unit.region if unit is not None else None
    facility = action.facility if action is not None else unit.facility if unit is not None else None
    if region is None:
        return _("National (all regions)")
    if facility is None:
        return region.label(language)
    if not has_capability(user, "facility_figures"):
        return _("a facility in %(region)s", region=region.label(language))
    name = _("(no facility)") if facility.stands_for_region else facility.label(language)
    return f"{name} · {region.label(language)}"


def quarter_choices(baseline: int, language: str) -> list[SelectChoice]:
    """The quarters after the baseline's, as choices of the due quarter."""
    choices, key = [], baseline
    for _index in range(DUE_CHOICES):
        key = next_quarter(key)
        choices.append(SelectChoice(str(key), fmt_period(key, "quarter", language)))
    return choices


def figure_fingerprint(figure: FrozenFigure) -> str:
    """What identifies the figure a page showed: if the data change before it is saved, this changes."""
    cell = figure.cell
    return f"{cell.n}:{cell.x}:{cell.estimate:.12g}:{cell.lower:.12g}:{cell.upper:.12g}"


