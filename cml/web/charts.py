"""Plotly figures for indicators: dot-and-whisker, trend with band and target, funnel.

Built in Python as plain figure dicts in Plotly's JSON schema, with plotly's default
template; the page draws them with plotly.js served from the package. Plain dicts, not
`plotly.graph_objects`: validating every property through graph_objects cost ~150 ms per
indicator page, and a test holds each figure equal to what graph_objects makes of it.
Colours are Okabe & Ito's colour-blind-safe palette, and every figure is accompanied on
the page by a table with the same numbers.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cml.core.funnel import FunnelLimits

BLUE, ORANGE, VERMILLION, GREY, INK = "#0072B2", "#E69F00", "#D55E00", "#6b6b6b", "#1d2433"
FONT = dict(family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif", size=13, color="#1d2433")


@dataclass(frozen=True)
class Point:
    label: str
    estimate: float
    lower: float
    upper: float
    n: int


LABEL_CHARACTERS = 24


def short(label: str) -> str:
    """A unit's name cut for a chart axis, so a phone keeps room for the plot; tables give it whole."""
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def shown(text: str) -> str:
    """Text as Plotly draws it literally: Plotly renders some HTML (<b>, <a href>, <br>) in
    labels and hover text, and decodes entities, so a facility's name is escaped."""
    return html.escape(text, quote=False)


def _scatter(**properties: Any) -> dict[str, Any]:
    # Markers drawn whole at the plot's edge (a share of 0% or 100%) rather than cut in half by it.
    return {**properties, "type": "scatter", "cliponaxis": False} if "markers" in properties.get("mode", "") else {**properties, "type": "scatter"}


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    """Plotly's default template, as graph_objects puts it in every figure (made once per process)."""
    import plotly.io as pio

    return dict(pio.templates[pio.templates.default].to_plotly_json())


def _to_json(data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    # plotly's encoder: NaN and infinities become null, which JSON.parse on the page accepts.
    from plotly.io.json import to_json_plotly

    return str(to_json_plotly({"data": data, "layout": {**layout, "template": _template()}}))


PERCENT_AXIS = dict(range=[-5, 105], tickvals=[0, 20, 40, 60, 80, 100], ticksuffix="%")
"""A little room beyond 0% and 100%, so a point there is drawn whole and clear of the axis labels."""


def _scale(percent: bool) -> float:
    return 100.0 if percent else 1.0


def _layout(title: str, height: int, names: dict[str, str], x_title: str = "", y_title: str = "") -> dict[str, object]:
    """Common layout. `title` is not drawn: the page shows it as a heading above the chart,
    where it neither collides with the legend on a phone nor hides from screen readers."""
    del title
    return dict(
        height=height,
        margin=dict(l=10, r=10, t=40, b=40),
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=True,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(title=dict(text=shown(x_title)), gridcolor="#e5e7eb", zeroline=False, automargin=True),
        yaxis=dict(title=dict(text=shown(y_title)), gridcolor="#e5e7eb", zeroline=False, automargin=True),
        hoverlabel=dict(font=FONT),
        separators=names.get("separators", ".,"),
    )


def dot_whisker(
    points: Sequence[Point], title: str, axis_title: str, target: float | None, percent: bool, names: dict[str, str],
    targets: Sequence[float | None] | None = None, keep_order: bool = False,
) -> str:
    """Estimates with their intervals, one row each, sorted by estimate unless `keep_order`;
    one common `target` line, or a target mark per row (`targets`)."""
    factor = _scale(percent)
    order = list(range(len(points))) if keep_order else sorted(range(len(points)), key=lambda i: points[i].estimate)
    ordered = [points[i] for i in order]
    data: list[dict[str, Any]] = []
    data.append(
        _scatter(
            x=[p.estimate * factor for p in ordered],
            y=[shown(short(p.label)) for p in ordered],
            mode="markers",
            marker=dict(color=BLUE, size=10),
            error_x=dict(
                type="data",
                symmetric=False,
                array=[(p.upper - p.estimate) * factor for p in ordered],
                arrayminus=[(p.estimate - p.lower) * factor for p in ordered],
                color=BLUE,
                thickness=2,
                width=4,
            ),
            name=names["estimate"],
            customdata=[[p.n, p.lower * factor, p.upper * factor] for p in ordered],
            hovertemplate="%{y}: %{x:.1f}<br>" + names["interval"] + " %{customdata[1]:.1f}–%{customdata[2]:.1f}<br>n = %{customdata[0]}<extra></extra>",
        )
    )
    shapes = []
    if target is not None:
        shapes.append(dict(type="line", x0=target * factor, x1=target * factor, xref="x", y0=0, y1=1, yref="y domain",
                       line=dict(color=VERMILLION, dash="dash", width=2)))
        data.append(_scatter(x=[None], y=[None], mode="lines", line=dict(color=VERMILLION, dash="dash"), name=names["target"]))
    if targets is not None:
        marks = [(target_i, short(points[i].label)) for i in order if (target_i := targets[i]) is not None]
        data.append(_scatter(x=[t * factor for t, _ in marks], y=[label for _, label in marks], mode="markers",
                             marker=dict(symbol="line-ns-open", size=18, color=VERMILLION, line=dict(width=3)), name=names["target"],
                             hovertemplate="%{y}: " + names["target"] + " %{x:.1f}<extra></extra>"))
    layout = _layout(title, 120 + 34 * max(len(ordered), 1), names, axis_title)
    if shapes:
        layout["shapes"] = shapes
    if percent:
        layout["xaxis"] = {**layout["xaxis"], **PERCENT_AXIS}  # type: ignore[dict-item]
    return _to_json(data, layout)


def trend(points: Sequence[Point], title: str, axis_title: str, target: float | None, percent: bool, names: dict[str, str]) -> str:
    """Estimate by period with its interval as a band, and the target as a line."""
    factor = _scale(percent)
    labels = [shown(p.label) for p in points]
    data: list[dict[str, Any]] = []
    data.append(_scatter(x=labels, y=[p.upper * factor for p in points], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"))
    data.append(
        _scatter(x=labels, y=[p.lower * factor for p in points], mode="lines", line=dict(width=0), fill="tonexty",
                   fillcolor="rgba(86,180,233,0.30)", name=names["interval"], hoverinfo="skip")
    )
    data.append(
        _scatter(
            x=labels, y=[p.estimate * factor for p in points], mode="lines+markers", line=dict(color=BLUE, width=2), marker=dict(size=8),
            name=names["estimate"], customdata=[[p.n] for p in points],
            hovertemplate="%{x}: %{y:.1f}<br>n = %{customdata[0]}<extra></extra>",
        )
    )
    if target is not None:
        data.append(_scatter(x=labels, y=[target * factor] * len(labels), mode="lines", line=dict(color=VERMILLION, dash="dash", width=2), name=names["target"]))
    layout = _layout(title, 360, names, "", axis_title)
    layout["xaxis"] = {**layout["xaxis"], "type": "category"}  # type: ignore[dict-item]
    if percent:
        layout["yaxis"] = {**layout["yaxis"], **PERCENT_AXIS}  # type: ignore[dict-item]
    return _to_json(data, layout)


def funnel(
    points: Sequence[Point], outside: Sequence[bool], centre: float, limits: Sequence[FunnelLimits], title: str, axis_title: str, percent: bool, names: dict[str, str]
) -> str:
    """Units against their n, with control limits around the common figure: outside the
    funnel is unlikely to be chance; inside, a ranking would be noise."""
    factor = _scale(percent)
    data: list[dict[str, Any]] = []
    for band, dash in zip(limits, ("dash", "dot"), strict=False):
        label = names["limits"].format(level=round(band.level * 100, 1))
        data.append(_scatter(x=band.n, y=[v * factor for v in band.upper], mode="lines", line=dict(color=GREY, dash=dash), name=label, hoverinfo="skip"))
        data.append(_scatter(x=band.n, y=[v * factor for v in band.lower], mode="lines", line=dict(color=GREY, dash=dash), showlegend=False, hoverinfo="skip"))
    if limits:
        data.append(_scatter(x=[limits[0].n[0], limits[0].n[-1]], y=[centre * factor] * 2, mode="lines", line=dict(color=INK, width=1), name=names["centre"]))
    data.append(
        _scatter(
            x=[p.n for p in points], y=[p.estimate * factor for p in points], mode="markers",
            marker=dict(color=[ORANGE if o else BLUE for o in outside], size=10, symbol=["diamond" if o else "circle" for o in outside], line=dict(width=1, color="white")),
            text=[shown(p.label) for p in points], name=names["units"],
            hovertemplate="%{text}: %{y:.1f}<br>n = %{x}<extra></extra>",
        )
    )
    layout = _layout(title, 400, names, names["n_axis"], axis_title)
    if percent:
        layout["yaxis"] = {**layout["yaxis"], **PERCENT_AXIS}  # type: ignore[dict-item]
    return _to_json(data, layout)

