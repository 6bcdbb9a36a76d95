"""Indicator cells as the dashboard shows them: formatted figures, verdicts, change, suppression."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import gettext as _

from cml.core.publication import Publication
from cml.core.questionnaire import Indicator, Questionnaire
from cml.core.tabulate import MEETS, MISSES, NOT_ENOUGH_DATA, CellEstimate
from cml.web.charts import Point
from cml.web.formatting import fmt_number, fmt_percent


def fmt(value: float, percent: bool, language: str) -> str:
    """A figure in the reader's locale: 38.2% (en), 38,2 % (ru), or 4.1 for a mean."""
    return fmt_percent(value, 1, language) if percent else fmt_number(value, 1, language)


def fmt_points(difference: float, percent: bool, language: str) -> str:
    """A change: percentage points for proportions, units for means, always signed."""
    scaled = difference * 100 if percent else difference
    text = fmt_number(abs(scaled), 1, language)
    sign = "+" if scaled > 0 else "−" if scaled < 0 else "±"
    return _("%(sign)s%(value)s pp", sign=sign, value=text) if percent else f"{sign}{text}"


@dataclass(frozen=True)
class Shown:
    """One indicator figure ready for a table row."""

    label: str
    n: int | None
    """None when the figure is withheld: a small n is itself what suppression hides."""
    estimate: str
    interval: str
    target: str
    verdict: str
    verdict_class: str
    change: str
    change_class: str
    badges: tuple[str, ...]
    suppressed: str | None
    """"withheld" (in the reader's language) when the figure may not be shown, else None.
    Nothing more is said: a reason ("fewer than 5") would narrow what is hidden."""
    key: str | None = None
    """A machine-readable key of the row, e.g. the period label "2026Q1" beside the words."""


def shown(cell: CellEstimate, indicator: Indicator, questionnaire: Questionnaire, language: str, label: str | None = None,
          publication: Publication | None = None, previous_published: bool = True) -> Shown:
    percent = cell.kind == "proportion"
    label = label if label is not None else questionnaire.text(indicator.label, language)
    if publication is not None and not publication.published:
        return Shown(label, None, "", "", _target(cell, language), "", "muted", "", "", (), _("withheld"))
    verdict, verdict_class = _verdict(cell)
    change, change_class = _change(cell, language) if previous_published else ("", "")
    badges = tuple(_badge(flag) for flag in cell.flags)
    return Shown(
        label=label,
        n=cell.n,
        estimate=fmt(cell.estimate, percent, language),
        interval=f"{fmt(cell.lower, percent, language)} – {fmt(cell.upper, percent, language)}",
        target=_target(cell, language),
        verdict=verdict,
        verdict_class=verdict_class,
        change=change,
        change_class=change_class,
        badges=badges,
        suppressed=None,
    )


def empty(label: str, withheld: bool, key: str | None = None) -> Shown:
    """A unit or period without a figure: "withheld" when the gate withholds it (even an empty
    cell, when a linked indicator's figure there is withheld), else no respondents (n = 0)."""
    if withheld:
        return Shown(label, None, "", "", "", "", "muted", "", "", (), _("withheld"), key)
    return Shown(label, 0, "", "", "", "", "muted", "", "", (), None, key)


def _target(cell: CellEstimate, language: str) -> str:
    if cell.target is None:
        return ""
    sign = "≥" if cell.better == "higher" else "≤"
    return f"{sign} {fmt(cell.target, cell.kind == 'proportion', language)}"


def _verdict(cell: CellEstimate) -> tuple[str, str]:
    if cell.verdict == MEETS:
        return (_("Meets target") if cell.clear else _("Meets target, within the margin of error")), ("good" if cell.clear else "warn")
    if cell.verdict == MISSES:
        return (_("Misses target") if cell.clear else _("Misses target, within the margin of error")), ("bad" if cell.clear else "warn")
    if cell.verdict == NOT_ENOUGH_DATA:
        return _("Not enough data"), "muted"
    return "", ""


def _change(cell: CellEstimate, language: str) -> tuple[str, str]:
    change = cell.change
    if change is None:
        return "", ""
    if not change.clear:
        return _("no clear change (%(value)s)", value=fmt_points(change.estimate, cell.kind == "proportion", language)), "muted"
    arrow = "▲" if change.estimate > 0 else "▼"
    text = f"{arrow} {fmt_points(change.estimate, cell.kind == 'proportion', language)}"
    return text, {"better": "good", "worse": "bad"}.get(change.direction or "", "")


def _badge(flag: str) -> str:
    return {
        "low_effective_n": _("few people"),
        "wide_interval": _("wide interval"),
        "few_df": _("few facilities"),
        "no_variation": _("no variation"),
    }.get(flag, flag)


def design_note(sampling: str) -> str:
    """One sentence on the questionnaire's sampling design, for every method note a reader meets."""
    if sampling == "sampled":
        return _("Facilities were drawn at random: each interval treats them as clusters (with regions as strata for figures over "
                 "several regions), so it speaks for facilities nobody visited and is wide when few were drawn.")
    return _("Facilities are monitored, not drawn at random: each figure describes the clients of the monitored facilities, "
             "each facility is a stratum, and the interval reflects how many clients were interviewed.")


def point(cell: CellEstimate, label: str) -> Point:
    return Point(label=label, estimate=cell.estimate, lower=cell.lower, upper=cell.upper, n=cell.n)


def chart_names(language: str = "en") -> dict[str, str]:
    """Translated legend texts, and the locale's decimal and group separators for Plotly."""
    return {
        "separators": get_decimal_symbol(language) + get_group_symbol(language).replace("\u202f", "\u00a0"),
        "estimate": _("Estimate"),
        "interval": _("Confidence interval (95%)"),
        "target": _("Target"),
        "limits": _("Control limits ({level}%)"),
        "centre": _("Overall figure"),
        "units": _("Facilities or regions"),
        "n_axis": _("Number of people asked (n)"),
    }
