"""The indicator charts: valid Plotly figures, exactly as graph_objects would build them, with every n."""

from __future__ import annotations

import json
import math
import random

import plotly.graph_objects as go
import pytest

from cml.core.funnel import proportion_limits, size_grid
from cml.web import charts
from cml.web.charts import Point

NAMES = {"estimate": "Estimate", "interval": "95% interval", "target": "Target", "limits": "{level}% limits", "centre": "Overall",
         "units": "Facilities", "n_axis": "People asked", "separators": ",."}


def points(rng: random.Random, count: int) -> list[Point]:
    made = []
    for i in range(count):
        estimate = rng.random()
        made.append(Point(f"Clinic “{i}” <b>&'" + "x" * rng.randint(0, 30), estimate, max(0.0, estimate - 0.1), min(1.0, estimate + 0.12), rng.randint(1, 400)))
    return made


def figures(seed: int) -> list[str]:
    rng = random.Random(seed)
    shown = points(rng, rng.randint(0, 12))
    percent, target = rng.random() < 0.5, rng.choice([None, 0.8, 0.0])
    targets = [rng.choice([None, 0.5, 0.9]) for _ in shown] if rng.random() < 0.4 else None
    limits = [proportion_limits(0.6, size_grid(400), level) for level in (0.95, 0.998)] if rng.random() < 0.8 else []
    return [
        charts.dot_whisker(shown, "t", "Percent", target, percent, NAMES, targets=targets, keep_order=rng.random() < 0.5),
        charts.trend(shown, "t", "Percent", target, percent, NAMES),
        charts.funnel(shown, [rng.random() < 0.3 for _ in shown], 0.6, limits, "t", "Percent", percent, NAMES),
    ]


@pytest.mark.parametrize("seed", range(25))
def test_each_figure_is_what_graph_objects_makes_of_it(seed: int) -> None:
    """graph_objects validates every property name and value (it raises on a misspelt one)
    and adds its defaults; the figure sent to the page must already be exactly that."""
    for figure in figures(seed):
        sent = json.loads(figure)
        assert json.loads(go.Figure(sent).to_json()) == sent
        assert sent["layout"]["template"]["layout"]["colorway"]  # plotly's default look, as before


def test_dot_whisker_carries_estimates_intervals_n_and_the_target() -> None:
    shown = [Point("A", 0.5, 0.4, 0.62, 31), Point("B", 0.25, 0.1, 0.4, 12)]
    figure = json.loads(charts.dot_whisker(shown, "t", "Percent", 0.8, True, NAMES))
    units = figure["data"][0]
    assert units["y"] == ["B", "A"]  # sorted by estimate
    assert units["x"] == pytest.approx([25, 50])
    assert units["error_x"]["array"] == pytest.approx([15, 12]) and units["error_x"]["arrayminus"] == pytest.approx([15, 10])
    assert [row[0] for row in units["customdata"]] == [12, 31]
    assert "n = %{customdata[0]}" in units["hovertemplate"]
    assert figure["layout"]["shapes"] == [{"type": "line", "x0": 80.0, "x1": 80.0, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
                                           "line": {"color": charts.VERMILLION, "dash": "dash", "width": 2}}]
    assert figure["layout"]["xaxis"]["range"] == [-5, 105] and figure["layout"]["xaxis"]["tickvals"][::5] == [0, 100]


@pytest.mark.parametrize("kind", ["dot_whisker", "trend", "funnel"])
def test_percent_axes_leave_room_beyond_0_and_100_so_no_point_is_clipped(kind) -> None:
    from cml.core.funnel import proportion_limits, size_grid

    ends = [Point("none", 0.0, 0.0, 0.1, 40), Point("all", 1.0, 0.9, 1.0, 40)]
    made = {
        "dot_whisker": lambda: charts.dot_whisker(ends, "t", "Percent", None, True, NAMES),
        "trend": lambda: charts.trend(ends, "t", "Percent", None, True, NAMES),
        "funnel": lambda: charts.funnel(ends, [True, True], 0.5, [proportion_limits(0.5, size_grid(50), 0.95)], "t", "Percent", True, NAMES),
    }[kind]
    layout = json.loads(made())["layout"]
    low, high = layout["xaxis" if kind == "dot_whisker" else "yaxis"]["range"]
    assert low < 0 and high > 100
    marked = [trace for trace in json.loads(made())["data"] if "markers" in trace.get("mode", "")]
    assert marked and all(trace["cliponaxis"] is False for trace in marked)  # drawn whole even at the edge


def test_a_missing_value_reaches_the_page_as_null_not_nan() -> None:
    figure = charts.trend([Point("2026Q1", math.nan, math.nan, math.nan, 0)], "t", "Average", None, False, NAMES)
    assert "NaN" not in figure
    assert json.loads(figure)["data"][2]["y"] == [None]
