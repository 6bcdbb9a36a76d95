"""One scope check: every feature asks `cml.services.scope` for the region or facility it was given,
and a region or facility that is not the reader's is answered as one that does not exist (404)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import cml
from cml.extensions import db
from cml.models import Facility
from cml.services.regions import region_by_code

PAGES = ["/dashboard/?region={region}", "/review/?region={region}", "/actions/?region={region}", "/reports/brief?region={region}",
         "/actions/new?survey=clinic_exit&indicator=offered_test&region={region}"]


@pytest.mark.parametrize("page", PAGES)
def test_another_regions_page_is_a_404_as_a_region_that_is_not_there(client, as_role, page) -> None:
    as_role("lead")  # the demo lead is Kyiv's
    own, other, absent = (client.get(page.format(region=code)) for code in ("kyiv", "odesa", "atlantis"))
    assert own.status_code in (200, 302, 422), own.status_code  # the own region passes the scope (a form may still want a period)
    assert other.status_code == absent.status_code == 404
    assert same_page(other.data, "odesa") == same_page(absent.data, "atlantis")  # nothing tells the two apart


def same_page(page: bytes, code: str) -> str:
    """The page without its CSRF token and the asked-for code (the language links repeat the URL)."""
    return re.sub(r'value="[^"]{40,}"', "", page.decode()).replace(code, "CODE")


def test_another_regions_facility_is_a_404_in_review_and_actions(client, app, as_role) -> None:
    with app.app_context():
        odesa = region_by_code("odesa")
        facility = db.session.scalar(select(Facility).where(Facility.region_id == odesa.id))  # type: ignore[union-attr]
        kyiv_facility = db.session.scalar(select(Facility).where(Facility.region_id == region_by_code("kyiv").id))  # type: ignore[union-attr]
        assert facility is not None and kyiv_facility is not None
        theirs, ours, their_name = facility.id, kyiv_facility.id, facility.name
    as_role("lead")
    own = client.get(f"/review/?facility={ours}")
    assert own.status_code == 200 and f'<option value="{ours}" selected>' in own.get_data(as_text=True)
    for page in (f"/review/?facility={theirs}", f"/actions/new?survey=clinic_exit&indicator=offered_test&facility={theirs}",
                 "/review/?facility=999999999"):
        refused = client.get(page)
        assert refused.status_code == 404 and their_name not in refused.get_data(as_text=True), page


def test_no_feature_checks_a_region_against_the_scope_by_hand() -> None:
    """The hand-made check (`region.id not in allowed` then abort) lives only in cml/services/scope.py."""
    found = []
    for path in Path(cml.__file__).parent.rglob("*.py"):
        if path.name == "scope.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.NotIn) for op in node.ops):
                text = ast.unparse(node)
                if "region" in text and ("allowed" in text or "scope" in text):
                    found.append(f"{path.relative_to(Path(cml.__file__).parent)}: {text}")
    assert found == []
