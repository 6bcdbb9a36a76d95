"""The DHIS2 file on the web: advocates and admins get every region and the nation as published,
a lead only their own regions, a monitor nothing; a tampered form gets 422, never a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sqlalchemy import select

from cml.core.dhis2 import datavalueset_schema
from cml.extensions import db
from cml.models import AuditEvent, Region

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "dhis2_mapping.example.json"


@pytest.fixture
def mapped(make_app, tmp_path):
    """An app with the example mapping installed, and a broken one beside it."""
    folder = tmp_path / "dhis2"
    folder.mkdir()
    (folder / "national.json").write_text(EXAMPLE.read_text())
    (folder / "broken.json").write_text('{"questionnaire": "clinic_exit"}')
    return make_app(DHIS2_MAPPINGS_DIR=str(folder))


@pytest.fixture
def web(mapped):
    return mapped.test_client()


def sign_in(client, role: str) -> None:
    from tests.conftest import login

    assert login(client, f"demo-{role}").status_code == 302


def download(client, **fields):
    return client.post("/dhis2/", data={"mapping": "national", "first": "", "last": "", "action": "download", **fields})


def test_who_gets_what(mapped, web, generated) -> None:
    example = json.loads(EXAMPLE.read_text())
    regions = example["orgUnits"]["regions"]
    validator = Draft202012Validator(datavalueset_schema())

    sign_in(web, "advocate")
    page = web.get("/dhis2/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "national: clinic_exit to data set kASAOsE1nYE, quarterly" in text and "broken" in text
    response = download(web)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="cml-clinic_exit-dhis2-')
    payload = response.get_json()
    assert list(validator.iter_errors(payload)) == []
    org_units = {v["orgUnit"] for v in payload["dataValues"]}
    assert example["orgUnits"]["national"] in org_units and regions["odesa"] in org_units and regions["kyiv"] in org_units
    checked = web.post("/dhis2/", data={"mapping": "national", "first": "", "last": "", "action": "check"})
    assert checked.status_code == 200
    assert f"{len(payload['dataValues'])} data values for DHIS2." in checked.get_data(as_text=True)
    assert "Indicator overall_rating is not in the mapping" in checked.get_data(as_text=True)

    web = mapped.test_client()
    sign_in(web, "lead")  # kyiv only: region by region, never the nation
    payload = download(web).get_json()
    assert {v["orgUnit"] for v in payload["dataValues"]} == {regions["kyiv"]}
    periods = sorted({v["period"] for v in payload["dataValues"]})
    narrowed = download(web, first=periods[-1], last=periods[-1]).get_json()
    assert narrowed["dataValues"] and {v["period"] for v in narrowed["dataValues"]} == {periods[-1]}

    web = mapped.test_client()
    sign_in(web, "monitor")
    assert web.get("/dhis2/").status_code == 403 and download(web).status_code == 403
    with mapped.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.dhis2").order_by(AuditEvent.id)).all()
        kyiv = db.session.scalar(select(Region.id).where(Region.code == "kyiv"))
        assert [(e.actor_username, e.details["regions"]) for e in events] == [("demo-advocate", "all"), ("demo-lead", [kyiv]), ("demo-lead", [kyiv])]


@pytest.mark.parametrize("fields", [
    {"mapping": "broken"}, {"mapping": "../../etc/passwd"}, {"mapping": ""},
    {"first": "yesterday"}, {"first": "2026Q3", "last": "2025Q1"}, {"last": "\x00"},
])
def test_tampered_forms_get_422_and_no_file(web, world, fields) -> None:
    sign_in(web, "admin")
    response = download(web, **fields)
    # A NUL is refused before any view (cml.web.hostile: 400); the rest by the form, beside its field.
    assert response.status_code == (400 if "\x00" in fields.get("last", "") else 422) and response.mimetype == "text/html"


def test_without_a_mapping_the_page_says_what_to_do(client, as_role) -> None:
    as_role("admin")
    text = client.get("/dhis2/").get_data(as_text=True)
    assert "No DHIS2 mapping is installed" in text and "dhis2" in text
    refused = client.post("/dhis2/", data={"mapping": "x", "action": "download"})
    assert refused.status_code == 422 and refused.mimetype == "text/html" and "Content-Disposition" not in refused.headers


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mapping=st.sampled_from(["national", "broken", ""]) | TEXT, first=st.sampled_from(["", "2026Q1", "2026", "2026-07"]) | TEXT,
       last=st.sampled_from(["", "2026Q4", "1899Q1"]) | TEXT, action=st.sampled_from(["download", "check", ""]) | TEXT)
def test_any_form_gets_a_page_or_a_valid_file_never_a_500(web, world, mapping, first, last, action) -> None:
    sign_in(web, "advocate")
    response = web.post("/dhis2/", data={"mapping": mapping, "first": first, "last": last, "action": action})
    assert response.status_code in (200, 400, 422), (mapping, first, last, action)
    if response.mimetype == "application/json":
        assert list(Draft202012Validator(datavalueset_schema()).iter_errors(response.get_json())) == []
