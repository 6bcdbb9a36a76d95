"""What the dashboard shows of monitored facilities (facilities as strata), in Chromium.

A region with 3 monitored facilities and 60 clients at about 50% shows an interval of
about +/-13 points (as clusters it was about 0-100%), and a fall from 87.5% to 15.1% in
three facilities is marked as a clear change (as clusters: "no clear change").
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility
from cml.services.bulk import NewResponse, store_many
from cml.services.regions import region_by_code
from tests.browser.conftest import screenshot, sign_in
from tests.fixtures.mini_survey import Mini

pytestmark = pytest.mark.browser


def answers(yes: int, n: int) -> list[dict[str, Any]]:
    return [{"tested": "yes"} if i < yes else {"tested": "no", "why_not": "refused"} for i in range(n)]


@pytest.fixture
def monitored(app: Any, mini: Mini) -> None:
    """Mini questionnaire (monitored by default): Dnipro at 30 of 60 in 2025Q4; Lviv from 21 of 24 in 2025Q3 to 8 of 53."""
    plan = {
        ("dnipro", date(2025, 11, 5)): [(10, 20), (11, 20), (9, 20)],
        ("lviv", date(2025, 8, 5)): [(6, 8), (8, 8), (7, 8)],
        ("lviv", date(2025, 11, 5)): [(3, 18), (3, 18), (2, 17)],
    }
    with app.app_context():
        version = mini.questionnaire_version()
        items = []
        for (code, day), counts in plan.items():
            region = region_by_code(code)
            assert region is not None
            facilities = db.session.scalars(select(Facility).where(Facility.region_id == region.id).order_by(Facility.code)).all()[:3]
            assert len(facilities) == 3
            for facility, (yes, n) in zip(facilities, counts, strict=True):
                items += [NewResponse(uuid.uuid4(), facility.id, region.id, day, a) for a in answers(yes, n)]
        assert store_many(version, items, source="import").stored == len(items)
        db.session.commit()


def percents(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"(\d+(?:\.\d+)?)%", text)]


def test_monitored_region_intervals_and_a_clear_fall(browser, live_server, monitored) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "demo-admin")

    page.goto(f"{live_server}/dashboard/?survey=mini&grain=quarter&period=2025Q4&region=dnipro")
    row = page.locator("table.indicators tbody tr", has_text="Offered a test")
    cells = row.locator("td")
    assert cells.nth(0).inner_text().strip() == "60"
    assert percents(cells.nth(1).inner_text()) == [50.0]
    lower, upper = percents(cells.nth(2).inner_text())
    assert 11.0 <= 50.0 - lower <= 15.0 and 11.0 <= upper - 50.0 <= 15.0  # about +/-13 points
    assert "monitored" in page.locator(".design-note").first.inner_text()
    screenshot(page, "design-dnipro-3-facilities")

    page.goto(f"{live_server}/dashboard/?survey=mini&grain=quarter&period=2025Q4&region=lviv")
    row = page.locator("table.indicators tbody tr", has_text="Offered a test")
    cells = row.locator("td")
    assert cells.nth(0).inner_text().strip() == "53"
    assert percents(cells.nth(1).inner_text()) == [15.1]
    change = cells.nth(5)
    assert "▼" in change.inner_text() and "72.4" in change.inner_text() and "no clear change" not in change.inner_text()
    assert "bad" in (change.get_attribute("class") or "")
    screenshot(page, "design-lviv-clear-fall")

    page.goto(f"{live_server}/dashboard/indicator?survey=mini&indicator=offered_test&grain=quarter&period=2025Q4&region=lviv")
    page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 2")
    trend = page.locator("table", has_text="Figures by period")
    assert "▼" in trend.inner_text()
    screenshot(page, "design-lviv-indicator")
    assert errors == []
    page.close()
