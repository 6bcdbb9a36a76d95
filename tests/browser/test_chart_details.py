"""Charts as a reader meets them: points at 0% and 100% drawn whole and clear of the labels,
no toolbar on a phone, and without JavaScript a box that says where the figures are."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cml.core.funnel import proportion_limits, size_grid
from cml.web import charts
from cml.web.charts import Point
from tests.browser.conftest import signed_in_page
from tests.browser.test_indicator_charts import transferred_on_first_visit
from tests.web.test_charts import NAMES

pytestmark = pytest.mark.browser
INDICATOR = f"/dashboard/indicator?survey=clinic_exit&indicator=hiv_test_offered&grain=year&period={date.today().year - 1}"


BOXES = """async ([figure, width]) => {
  const el = document.createElement("div");
  el.style.width = width + "px";
  document.body.prepend(el);
  await Plotly.newPlot(el, figure.data, figure.layout, {displayModeBar: false});
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const plot = el.querySelector(".draglayer .nsewdrag") || el.querySelector(".plot");
  const found = {plot: box(plot), unclipped: [...el.querySelectorAll(".scatterlayer .trace")].every(t => !t.querySelector(".point") || !t.closest("[clip-path]")), points: [...el.querySelectorAll(".scatterlayer .point")].map(box),
                 labels: [...el.querySelectorAll(".ytick text, .xtick text")].map(box)};
  el.remove();
  return found;
}"""


def overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [320, 900])
def test_points_at_0_and_100_percent_are_whole_and_clear_of_the_labels(browser, live_server, generated, width) -> None:
    page = signed_in_page(browser, live_server, "demo-lead", {"width": 360, "height": 800})
    page.goto(f"{live_server}{INDICATOR}")
    page.wait_for_function("window.Plotly && document.querySelectorAll('.chart .main-svg').length >= 3")
    ends = [Point("Clinic where nobody was offered a test", 0.0, 0.0, 0.12, 30), Point("Clinic where everybody was", 1.0, 0.88, 1.0, 30),
            Point("Halfway clinic", 0.5, 0.3, 0.7, 30)]
    figures = [charts.dot_whisker(ends, "t", "Percent", 0.8, True, NAMES), charts.trend(ends, "t", "Percent", 0.8, True, NAMES),
               charts.funnel(ends, [True, True, False], 0.5, [proportion_limits(0.5, size_grid(40), 0.95)], "t", "Percent", True, NAMES)]
    for figure in figures:
        drawn = page.evaluate(BOXES, [json.loads(figure), width])
        left, top, right, bottom = drawn["plot"]
        assert drawn["points"]
        for point in drawn["points"]:
            middle = ((point[0] + point[2]) / 2, (point[1] + point[3]) / 2)
            assert left <= middle[0] <= right and top <= middle[1] <= bottom, (point, drawn["plot"])
            assert drawn["unclipped"], "markers are cut at the plot's edge"
            assert not any(overlaps(point, label) for label in drawn["labels"])
    page.close()


def test_the_toolbar_is_hidden_on_a_phone_and_shown_on_a_desktop(browser, live_server, generated) -> None:
    for width, phone in ((360, True), (1280, False)):
        page = signed_in_page(browser, live_server, "demo-lead", {"width": width, "height": 800})
        page.goto(f"{live_server}{INDICATOR}")
        page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 3")
        assert (page.locator(".chart .modebar-btn").count() == 0) == phone
        page.close()


def test_without_javascript_a_charts_box_points_to_the_table(browser, live_server, generated) -> None:
    page = signed_in_page(browser, live_server, "demo-lead", {"width": 360, "height": 800}, java_script_enabled=False)
    page.goto(f"{live_server}{INDICATOR}")
    boxes = page.locator(".chart")
    assert boxes.count() == 3
    for index in range(3):
        assert "in the table below" in boxes.nth(index).inner_text()
    page.close()
    with_script = signed_in_page(browser, live_server, "demo-lead", {"width": 360, "height": 800})
    with_script.goto(f"{live_server}{INDICATOR}")
    with_script.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 3")
    assert "in the table below" not in with_script.locator(".chart").first.inner_text()
    with_script.close()


def test_the_basic_bundle_draws_every_chart_without_errors(browser, live_server, generated) -> None:
    """The basic distribution has the scatter traces, error bars, fills and shapes the charts use."""
    assert sum(transferred_on_first_visit(browser, live_server, INDICATOR).values()) < 700_000
