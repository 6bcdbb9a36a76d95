"""The brief's section "Documented incidents": incident reports of the brief's quarter counted by kind of violence
and by perpetrator, per region (the nation's brief: every region and the total; a region's brief: that region).

Every count passes the published gate whoever prints the brief: the documented-incidents cube
(`cml.services.incident_counts.incident_cube`), and for a count the incident report's own indicators
also publish (`cml.core.incident_counts.MIRRORS`), that indicator's cell in the questionnaire's cube too.
Rows are regions, never facilities: incident reports belong to a region.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from cml.core.incident_counts import KINDS, MIRRORS, PERPETRATORS, REPORTS
from cml.core.publication import Cube
from cml.extensions import db
from cml.models import Region
from cml.services.incident_counts import INCIDENT_CODE, incident_cube
from cml.services.publication import disclosure_cube


@dataclass(frozen=True)
class IncidentTable:
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    """(region name, or "All regions" for the total row; the count of each column, or "withheld")."""


@dataclass(frozen=True)
class DocumentedIncidents:
    tables: list[IncidentTable]
    empty_notice: str
    """Said instead of the tables when no report of the quarter was counted in the brief's regions."""


def _kind_labels() -> dict[str, str]:
    return {"physical": _("Physical"), "sexual": _("Sexual, coerced sex"), "economic": _("Unpaid, theft, extortion"),
            "verbal": _("Threats, insults"), "documents": _("Documents taken")}


def _perpetrator_labels() -> dict[str, str]:
    return {"client": _("Clients"), "police": _("Police"), "third_party": _("Third parties"), "partner": _("Partners"),
            "medical_staff": _("Medical staff"), "other": _("Others")}


class _Gate:
    """Whether a count may be shown: published in the incidents cube, and in the questionnaire's cube when mirrored."""

    def __init__(self, cube: Cube, indicators: Cube | None) -> None:
        self.cube, self.indicators = cube, indicators
        self.mirrored = {key[0] for key in indicators.published} if indicators is not None else set()

    def text(self, name: str, region_id: int | None, period: int) -> str:
        shown = self.cube.status(name, region_id, "quarter", period).published
        mirror = MIRRORS.get(name)
        if shown and mirror in self.mirrored and self.indicators is not None:
            shown = self.indicators.status(mirror, region_id, "quarter", period).published
        if not shown:
            return str(_("withheld"))
        n, x = self.cube.counts[(name, region_id, "quarter", period)]
        return str(n if x is None else x)


def documented_incidents(region: Region | None, period: int, language: str, k: int) -> DocumentedIncidents | None:
    """The section for a region's brief (or the nation's, `region` None) of quarter `period`; None when incident
    reports are not collected here (the questionnaire is not published)."""
    cube = incident_cube(k)
    if cube is None:
        return None
    try:
        indicators: Cube | None = disclosure_cube(INCIDENT_CODE, k)
    except LookupError:
        indicators = None
    if period not in cube.quarters or (region is not None and region.id not in cube.regions):
        return DocumentedIncidents([], _("No incident report of this quarter was counted."))
    gate = _Gate(cube, indicators)
    if region is None:
        names = {r.id: r.label(language) for r in db.session.scalars(select(Region).where(Region.id.in_(cube.regions)))}
        units: list[tuple[str, int | None]] = sorted(((names.get(r, "?"), r) for r in cube.regions), key=lambda unit: unit[0])
        units.append((_("All regions"), None))
    else:
        units = [(region.label(language), region.id)]
    kinds, perpetrators = _kind_labels(), _perpetrator_labels()
    by_kind = [REPORTS, *(kind for kind, _question, _values in KINDS)]
    by_perpetrator = [f"by_{who}" for who in PERPETRATORS]
    return DocumentedIncidents([
        IncidentTable(_("Reports by kind of violence (a report may be of several kinds)"),
                      [_("Reports"), *(kinds[name] for name in by_kind[1:])],
                      [(label, [gate.text(name, unit, period) for name in by_kind]) for label, unit in units]),
        IncidentTable(_("Reports by perpetrator (a report may name several)"),
                      [perpetrators[who] for who in PERPETRATORS],
                      [(label, [gate.text(name, unit, period) for name in by_perpetrator]) for label, unit in units]),
    ], "")
