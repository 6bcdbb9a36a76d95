"""axe-core over every main page of every role, in Chromium: no serious or critical violation.

axe-core comes from the npm registry (`.ci/run` installs it: `npm install --prefix .npm-tools
axe-core@4.14.1`); CML_AXE_JS names another copy of axe.min.js. Without it the tests are
skipped, unless CML_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("CML_AXE_JS") or ROOT / ".npm-tools" / "node_modules" / "axe-core" / "axe.min.js")
BLOCKING = ("serious", "critical")
YEAR = date.today().year - 1
INDICATOR = f"/dashboard/indicator?survey=clinic_exit&indicator=hiv_test_offered&grain=year&period={YEAR}"

# The main pages of each role; "{form}" is the first page of an interview the test starts,
# "{review}" its review page, "{user}" and "{facility}" an account's and a facility's page.
PAGES = {
    "stranger": ["/login"],
    "monitor": ["/", "/collect/clinic_exit/", "{form}", "{review}", "/collect/incident_report/", "/collect/training_evaluation/",
                "/collect/mine", "/account/password", "/account/sessions", "/collect/app/"],
    "lead": ["/", "/collect/mine", "/collect/import", "/dashboard/", INDICATOR, "/reports/indicators", "/reports/brief", "/reports/raw",
             "/review/", "{submission}"],
    "advocate": ["/", "/dashboard/", INDICATOR, "/reports/indicators", "/reports/brief"],
    "admin": ["/", "/admin/", "/admin/users", "{user}", "/admin/regions", "{facility}", "/admin/questionnaires", "/admin/audit"],
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        if os.environ.get("CML_REQUIRE_BROWSER") == "1":
            pytest.fail(f"axe-core is required (CML_REQUIRE_BROWSER=1) but {AXE_JS} is missing: npm install --prefix .npm-tools axe-core@4.14.1")
        pytest.skip(f"axe-core is not installed ({AXE_JS}): npm install --prefix .npm-tools axe-core@4.14.1")
    return AXE_JS.read_text(encoding="utf-8")


def violations(page: Any, axe: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=axe)
    return list(page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""))


def _ids(app: Any) -> dict[str, str]:
    from sqlalchemy import select

    from cml.extensions import db
    from cml.models import Facility
    from cml.services import users

    with app.app_context():
        return {"{user}": f"/admin/users/{users.find_user('demo-monitor').id}",
                "{facility}": f"/admin/facilities/{db.session.scalar(select(Facility.id).order_by(Facility.code))}"}


def _a_submission(app: Any) -> dict[str, str]:
    """The review page of a generated submission in the lead's region (Kyiv)."""
    from sqlalchemy import select

    from cml.extensions import db
    from cml.models import Response
    from cml.services.regions import region_by_code

    with app.app_context():
        kyiv = region_by_code("kyiv")
        return {"{submission}": f"/review/{db.session.scalar(select(Response.submission_id).where(Response.region_id == kyiv.id).limit(1))}"}


def _started_form(page: Any, base: str) -> dict[str, str]:
    page.goto(f"{base}/collect/clinic_exit/")
    page.select_option("form.card select", index=1)  # past the "Choose…" placeholder
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/collect/d/[^/]+/\d+$"))
    first = page.url.removeprefix(base)
    return {"{form}": first, "{review}": re.sub(r"/\d+$", "/review", first)}


def _record(name: str, counts: dict[str, Any]) -> None:
    """Counts per page into screenshots/axe-<role>-<language>.json, for the record of what was fixed."""
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"axe-{name}.json").write_text(json.dumps(counts, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("role", list(PAGES))
def test_no_serious_or_critical_accessibility_violation(browser, live_server, generated, make_app, axe_source, role, language) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe goes in as an inline script
    page = context.new_page()
    places: dict[str, str] = {}
    if role == "stranger":
        page.goto(f"{live_server}/login")
    else:
        sign_in(page, live_server, f"demo-{role}")
    page.click(f'form.lang button[value="{language}"]')  # the switcher in the header (saved for a signed-in user)
    page.wait_for_load_state()
    if role == "admin":
        places = _ids(make_app())
    elif role == "monitor":
        places = _started_form(page, live_server)
    elif role == "lead":
        places = _a_submission(make_app())
    counts: dict[str, Any] = {}
    blocking = []
    for path in PAGES[role]:
        path = places.get(path, path)
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        if path == "/collect/app/":  # the offline app draws its first screen once it knows who is signed in
            page.wait_for_selector("#screen h1")
        assert page.get_attribute("html", "lang") == language, path
        found = violations(page, axe_source)
        counts[path] = {impact: sum(1 for v in found if v["impact"] == impact) for impact in ("critical", "serious", "moderate", "minor")}
        counts[path]["rules"] = sorted(f"{v['impact']}:{v['id']}" for v in found)
        blocking += [(path, v["id"], v["impact"], v["help"], v["targets"]) for v in found if v["impact"] in BLOCKING]
    _record(f"{role}-{language}", counts)
    context.close()
    assert blocking == []
