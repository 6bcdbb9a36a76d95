"""The council indicator table: one row per indicator x region x period (x facility where allowed),
with n, estimate, interval, method, design effect, target, verdict, suppression and change.

Aggregates-only tables (advocates, the command line by default) carry the national
figure of each period and withhold every cell that disclosure control suppresses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from cml.core.cells import Cell, safe_cell
from cml.core.periods import Grain, period_label
from cml.core.publication import Cube, Publication
from cml.core.tabulate import CellEstimate, Dimension
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region
from cml.models import Questionnaire as QuestionnaireRow
from cml.services.estimates import EstimateTable, estimate_cells, sharing_totals
from cml.services.publication import disclosure_cube

COLUMNS = (
    "questionnaire", "versions", "indicator", "label", "type", "region", "facility", "period",
    "numerator", "denominator", "estimate", "lower", "upper", "level", "method", "design_effect", "effective_n", "facilities",
    "target", "better", "verdict", "difference_clear", "reliability", "suppressed",
    "change_from", "change", "change_lower", "change_upper", "change_p_value", "change_p_adjusted", "change_method", "change_clear",
)
PERCENT_COLUMNS = ("estimate", "lower", "upper", "target", "change", "change_lower", "change_upper")


@dataclass(frozen=True)
class ExportRequest:
    code: str
    by: tuple[Dimension, ...] = ("region", "period")
    grain: Grain = "quarter"
    period_range: tuple[int, int] | None = None
    region_ids: set[int] | None = None
    aggregates_only: bool = True
    language: str = "en"
    k: int = 5
    level: float = 0.95


@dataclass(frozen=True)
class IndicatorTable:
    request: ExportRequest
    table: EstimateTable
    rows: list[dict[str, Cell]]
    kinds: list[str]
    """For each row, "proportion" or "mean": proportions are formatted as percentages."""
    versions: list[tuple[int, str, datetime]]
    generated_at: datetime
    region_ids: list[int | None] = field(default_factory=list)
    """For each row, the region's id (None for the nation or no breakdown by region), for exports keyed by code."""


def build(request: ExportRequest) -> IndicatorTable:
    """Compute the table; raises ValueError for a table that cannot be published as asked.

    Aggregates-only tables show each figure only when the disclosure gate publishes it
    (`cml.services.publication`), list every region and period of the protected cube
    (a region without respondents is a row with n = 0, never an absent row), and go no
    finer than quarters. A reader limited to some regions gets them region by region: a
    sum over a few regions is not a figure the gate protects.
    """
    if request.aggregates_only and "facility" in request.by:
        raise ValueError("aggregates-only tables cannot break down by facility")
    if request.aggregates_only and request.grain == "month":
        raise ValueError("published tables go no finer than quarters")
    if request.aggregates_only and request.region_ids is not None and "region" not in request.by:
        raise ValueError("a table limited to some regions must break down by region")
    common = {"grain": request.grain, "period_range": request.period_range, "level": request.level}
    gate: Cube | None = None
    with sharing_totals():  # the table, its national rows and its gate read the same sums once
        table = estimate_cells(request.code, by=request.by, region_ids=request.region_ids, **common)  # type: ignore[arg-type]
        cells: list[CellEstimate | EmptyCell] = list(table.rows)
        if request.aggregates_only:
            gate = disclosure_cube(request.code, request.k)
            if "region" in request.by and request.region_ids is None:
                national_by = tuple(d for d in request.by if d != "region")
                cells += estimate_cells(request.code, by=national_by, **common).rows  # type: ignore[arg-type]
            cells += _empty_cells(table, gate, request, cells)
    labels = _labels(request.language)
    facility_names = dict(db.session.execute(select(Facility.id, Facility.code)).all())
    rows, kinds, row_regions = [], [], []
    versions = _versions(request.code)
    version_text = ", ".join(str(v) for v, _, _ in versions)
    order = {indicator.id: index for index, indicator in enumerate(table.indicators)}
    for cell in sorted(cells, key=lambda c: (order.get(c.indicator, 0), c.period or 0, c.region_id is None, labels.get(c.region_id or 0, ""), c.facility_id or 0)):
        status = gate.status(cell.indicator, cell.region_id, request.grain, cell.period, request.period_range) if gate is not None else None
        change_ok = gate is None or gate.change_shown(cell.indicator, cell.region_id, request.grain, cell.period)
        rows.append(_row(cell, table, status, labels, facility_names, version_text, request, change_ok))
        kinds.append(cell.kind)
        row_regions.append(cell.region_id)
    return IndicatorTable(request, table, rows, kinds, versions, datetime.now(UTC), region_ids=row_regions)


@dataclass(frozen=True)
class EmptyCell:
    """A region and period of the protected cube without respondents: shown as n = 0, not left out."""

    indicator: str
    kind: str
    region_id: int | None
    period: int | None
    period_label: str | None
    facility_id: None = None
    target: float | None = None
    better: str | None = None
    level: float = 0.95


def _empty_cells(table: EstimateTable, gate: Cube, request: ExportRequest, cells: Sequence[CellEstimate | EmptyCell]) -> list[EmptyCell]:
    """The cube's regions and periods in this table that have no respondents."""
    present = {(c.indicator, c.region_id, c.period) for c in cells}
    if "period" in request.by:
        keys = sorted({q if request.grain == "quarter" else q // 10 for q in gate.quarters})
        periods: list[int | None] = [p for p in keys if request.period_range is None or request.period_range[0] <= p <= request.period_range[1]]
    else:
        periods = [None]
    regions: list[int | None] = [None]
    if "region" in request.by:
        regions = [r for r in gate.regions if request.region_ids is None or r in request.region_ids]
        regions += [None] if request.region_ids is None else []
    empty = []
    for indicator in table.indicators:
        spec = table.questionnaire.indicator(indicator.id)
        kind = "proportion" if spec is not None and spec.type == "proportion" else "mean"
        target = None if indicator.target is None else (indicator.target / 100 if kind == "proportion" else indicator.target)
        for region in regions:
            for period in periods:
                if (indicator.id, region, period) not in present:
                    label = None if period is None else period_label(period, request.grain)
                    empty.append(EmptyCell(indicator.id, kind, region, period, label, None, target, indicator.better, request.level))
    return empty


def _labels(language: str) -> dict[int, str]:
    return {r.id: r.label(language) for r in db.session.scalars(select(Region))}


def _versions(code: str) -> list[tuple[int, str, datetime]]:
    query = (
        select(QuestionnaireVersion.version, QuestionnaireVersion.content_hash, QuestionnaireVersion.published_at)
        .join(QuestionnaireRow)
        .where(QuestionnaireRow.code == code)
        .order_by(QuestionnaireVersion.version)
    )
    return [(v, h, at) for v, h, at in db.session.execute(query).all()]


def _row(cell: CellEstimate | EmptyCell, table: EstimateTable, status: Publication | None, labels: dict[int, str], facilities: dict[int, str],
         versions: str, request: ExportRequest, previous_ok: bool = True) -> dict[str, Cell]:
    indicator = table.questionnaire.indicator(cell.indicator)
    label = table.questionnaire.text(indicator.label, request.language) if indicator else cell.indicator
    suppressed = status is not None and not status.published
    region = labels.get(cell.region_id, "") if cell.region_id is not None else ("ALL" if "region" in request.by else "")
    row: dict[str, Cell] = {
        "questionnaire": request.code, "versions": versions, "indicator": cell.indicator, "label": label, "type": cell.kind,
        "region": region, "facility": facilities.get(cell.facility_id, "") if cell.facility_id is not None else "",
        "period": cell.period_label or "", "level": cell.level, "target": cell.target, "better": cell.better,
        "suppressed": "yes" if suppressed else "no",
    }
    if isinstance(cell, EmptyCell):
        row.update({"numerator": 0 if cell.kind == "proportion" else None, "denominator": 0, "facilities": 0} if not suppressed else {})
        return {k: safe_cell(row.get(k)) for k in COLUMNS}
    if suppressed:
        return {k: safe_cell(row.get(k)) for k in COLUMNS}
    change = cell.change
    row.update({
        "numerator": cell.x if cell.kind == "proportion" else None, "denominator": cell.n, "estimate": cell.estimate,
        "lower": cell.lower, "upper": cell.upper, "method": cell.method, "design_effect": cell.design_effect,
        "effective_n": round(cell.effective_n, 2), "facilities": cell.facilities, "verdict": cell.verdict,
        "difference_clear": "yes" if cell.clear else "no", "reliability": " ".join(cell.flags),
    })
    if change is not None and previous_ok:
        row.update({
            "change_from": period_label(change.previous_period, request.grain), "change": change.estimate, "change_lower": change.lower,
            "change_upper": change.upper, "change_p_value": change.p_value, "change_p_adjusted": change.p_adjusted,
            "change_method": change.method, "change_clear": "yes" if change.clear else "no",
        })
    return {k: safe_cell(row.get(k)) for k in COLUMNS}


def csv_lines(result: IndicatorTable) -> Iterator[list[Cell]]:
    yield list(COLUMNS)
    for row in result.rows:
        yield [row[c] for c in COLUMNS]


def _design_lines(sampling: str) -> list[tuple[str, str]]:
    """The Method sheet's lines on the questionnaire's sampling design and the intervals it gives."""
    if sampling == "sampled":
        return [
            (_("Sampling design"), _("sampled at random (the questionnaire's sampling): each facility is a cluster, and a figure over several "
                                "regions takes the regions as strata; degrees of freedom = facilities - regions (facilities - 1 within a region)")),
            (_("Shares"), _("ratio estimate, Taylor-linearised variance between facilities, Korn-Graubard interval (Clopper-Pearson on the "
                            "effective n, never above the number of people; NCHS 2017); one facility: Wilson score interval (Wilson 1927)")),
            (_("Means"), _("ratio mean with linearised variance between facilities and a t interval on the design's degrees of freedom, "
                           "never narrower than for a simple random sample of the same people, clipped to the scale")),
        ]
    return [
        (_("Sampling design"), _("monitored, not drawn at random (the questionnaire's sampling): the figures describe the clients of the "
                            "monitored facilities; each facility is a stratum and each client a sampled unit; degrees of freedom = "
                            "people - facilities")),
        (_("Shares"), _("share of all people asked, variance within facilities, Korn-Graubard interval (Clopper-Pearson on the effective "
                        "n, never above the number of people; NCHS 2017); a facility with one person is centred at the overall figure; "
                        "one person in all: Wilson score interval")),
        (_("Means"), _("mean of all answers, variance within facilities, t interval on the design's degrees of freedom, never narrower "
                       "than for a simple random sample of the same people, clipped to the scale; 'no_variation' when every answer is the same")),
    ]


def method_lines(result: IndicatorTable, generated_by: str) -> Sequence[tuple[str, str]]:
    """The Method sheet: what the figures are, so a council secretary can check them."""
    request = result.request
    if request.period_range:
        period = f"{period_label(request.period_range[0], request.grain)} – {period_label(request.period_range[1], request.grain)}"
    else:
        period = _("all periods")
    versions = "; ".join(_("v%(version)s (sha256 %(hash)s, published %(day)s)", version=v, hash=h[:12], day=f"{at:%Y-%m-%d}") for v, h, at in result.versions)
    title = result.table.questionnaire.text(result.table.questionnaire.title, request.language)
    if request.aggregates_only:
        if result.table.questionnaire.disclosure == "standard":
            primary = _("cells with fewer than %(k)s respondents are withheld", k=request.k)
        else:
            primary = _("cells with fewer than %(k)s respondents, or 1 to %(k1)s people on either side of a proportion, are withheld", k=request.k, k1=request.k - 1)
        suppression = primary + "; " + _(
            "every table an advocate can download (regions and the nation by quarter and year, with every indicator that reads "
            "the same question) is protected together, so that no combination of downloads narrows a withheld figure to fewer "
            "than %(k)s possible values; months are not published; a region or period without respondents is shown with n = 0", k=request.k,
        )
    else:
        suppression = _("none: an internal facility-level table, not for publication")
    return [
        (_("Questionnaire"), f"{request.code}: {title}"),
        (_("Questionnaire versions"), versions),
        (_("Breakdown"), ", ".join(request.by) or _("national")),
        (_("Periods"), f"{period} ({request.grain})"),
        (_("Confidence level"), f"{request.level:.0%}"),
        *_design_lines(result.table.questionnaire.sampling),
        (_("Change between periods"), _(
            "the two periods compared as independent samples, whatever facilities they share: Newcombe's square-and-add on each "
            "period's interval (shares) or a t interval (means), with a t-test on the design's degrees of freedom; the p-values "
            "(change_p_value) are adjusted with Benjamini-Hochberg within each indicator across the regions, facilities and "
            "periods of this table (change_p_adjusted); a change is clear when the adjusted p-value is at most 1 - the confidence "
            "level and its interval excludes 0")),
        (_("Verdict"), _("meets or misses by the estimate; the difference is clear when the whole interval is on one side of the target")),
        (_("Disclosure control"), suppression),
        (_("Reliability flags"), _("low_effective_n: effective n under 30; wide_interval: wider than 30 points; few_df: fewer than 8 degrees of freedom; no_variation: every answer the same")),
        (_("Generated"), _("%(when)s UTC by %(who)s", when=f"{result.generated_at:%Y-%m-%d %H:%M}", who=generated_by)),
    ]
