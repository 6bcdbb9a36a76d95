"""The indicator table for the API: the same request, the same `indicator_export.build` and the same
disclosure gate as the download page (cml.reports.tables), turned into numbers rather than text.

An advocate's table (and every region or national table) is aggregates only: a cell the gate
withholds keeps its labels and `suppressed: true` and carries no figure. A region filter outside the
reader's regions is 404, as every page answers.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from cml.auth.capabilities import has_capability
from cml.config import suppression_threshold
from cml.core.cells import Cell
from cml.core.periods import Grain, periods_with_data, read_period
from cml.core.tabulate import Dimension
from cml.services import surveys
from cml.services.estimates import data_months
from cml.services.indicator_export import ExportRequest, IndicatorTable
from cml.services.scope import region_for, region_ids
from cml.web.i18n import current_language

from .methods import method_words

BY: dict[str, tuple[Dimension, ...]] = {"region": ("region", "period"), "national": ("period",), "facility": ("region", "facility", "period")}


class Unanswerable(Exception):
    """A table that cannot be made as asked (422), with the reason in the reader's language."""


def export_request(code: str, args: dict[str, Any]) -> ExportRequest:
    """The ExportRequest the download page would make for these query arguments; 404/403, or Unanswerable."""
    row = next((q for q in surveys.published_questionnaires() if q.code == code), None)
    if row is None:
        abort(404)
    breakdown: str = args["breakdown"]
    grain: Grain = args["grain"]  # one of the schema's GRAINS
    if breakdown == "facility" and not has_capability(current_user, "facility_figures"):
        abort(403)
    scope = region_ids(current_user)
    if breakdown == "national" and scope is not None:
        raise Unanswerable(_("A national table is for readers of every region: ask for breakdown=region."))
    if breakdown != "facility" and grain == "month":
        raise Unanswerable(_("Published tables go no finer than quarters: choose quarters or years."))
    if args.get("region") is not None:
        region = region_for(current_user, args["region"])
        if region is None:
            abort(404)
        if breakdown == "national":
            raise Unanswerable(_("A region's table breaks down by region: ask for breakdown=region."))
        scope = {region.id}
    return ExportRequest(code=code, by=BY[breakdown], grain=grain, period_range=_range(row.id, grain, args, scope),
                         region_ids=scope, aggregates_only=breakdown != "facility", language=current_language(), k=suppression_threshold())


def _range(questionnaire_id: int, grain: Grain, args: dict[str, Any], scope: set[int] | None) -> tuple[int, int] | None:
    first_text, last_text = (args.get("first") or "").strip(), (args.get("last") or "").strip()
    if not first_text and not last_text:
        return None
    periods = periods_with_data(data_months(questionnaire_id, scope), grain)
    ends = []
    for text, default in ((first_text, min(periods, default=None)), (last_text, max(periods, default=None))):
        period = read_period(text, grain, periods) if text else default
        if text and period is None:
            raise Unanswerable(_("Choose a period from the list (such as 2026Q3, 2026-07 or 2026)."))
        ends.append(period)
    first, last = ends
    if first is None or last is None:  # one end given, and no data to stand for the other
        first = last = first if first is not None else last
    if first is None or last is None:
        return None
    if first > last:
        raise Unanswerable(_("The last period comes before the first."))
    return (first, last)


def _int(value: Cell) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None


def _float(value: Cell) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _text(value: Cell) -> str | None:
    return value if isinstance(value, str) and value else None


def cells(result: IndicatorTable) -> list[dict[str, Any]]:
    """Each row of the table as numbers; a withheld row's figures are all null."""
    found = []
    for row in result.rows:
        suppressed = row["suppressed"] == "yes"
        figure = (lambda value: None) if suppressed else _float  # noqa: E731  (a withheld cell carries no number)
        whole = (lambda value: None) if suppressed else _int  # noqa: E731
        found.append({
            "indicator": str(row["indicator"]), "label": str(row["label"] or ""), "type": str(row["type"]),
            "region": str(row["region"] or ""), "facility": str(row["facility"] or ""), "period": str(row["period"] or ""),
            "suppressed": suppressed, "estimate": figure(row["estimate"]), "low": figure(row["lower"]), "high": figure(row["upper"]),
            "level": _float(row["level"]), "n": whole(row["denominator"]), "numerator": whole(row["numerator"]),
            "facilities": whole(row["facilities"]), "effective_n": figure(row["effective_n"]), "design_effect": figure(row["design_effect"]),
            "method": _text(row["method"]), "method_words": method_words(row["method"]), "target": _float(row["target"]),
            "better": _text(row["better"]), "verdict": _text(row["verdict"]),
            "reliability": str(row["reliability"]).split() if row["reliability"] else [],
        })
    return found
