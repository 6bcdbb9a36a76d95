"""What a response belongs to: a facility, a region (incidents), or an event held in a region (trainings)."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility, Region, Response
from cml.services import surveys
from tests.conftest import FIXTURES


@pytest.fixture
def regional(app, world):
    """The mini questionnaire as one whose responses belong to a region, published; and the ids a monitor needs."""
    document = json.loads((FIXTURES / "mini.json").read_text())
    document = copy.deepcopy(document) | {"id": "mini_region", "subject": "region"}
    with app.app_context():
        published = surveys.publish(json.dumps(document).encode())
        db.session.commit()
        ids = {code: db.session.scalar(select(Region.id).where(Region.code == code)) for code in ("kyiv", "odesa")}
        facility = db.session.scalar(select(Facility.id).where(Facility.code == "kyiv-01"))
        return {"version": published.version.id, "facility": facility, **ids}


def _submit(client, regional, facility_id: int) -> object:
    return client.post("/collect/mini_region/submit", data={
        "submission_id": str(uuid.uuid4()), "version": str(regional["version"]), "facility": str(facility_id),
        "interview_date": date.today().isoformat(), "q_tested": "yes", "q_wait": "25", "q_attitude": "respectful",
    })


def test_a_facility_select_has_a_placeholder_and_nothing_chosen_by_default(client, as_role, world) -> None:
    as_role("monitor")
    page = client.get("/collect/clinic_exit/").get_data(as_text=True)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", page)
    assert options[0][1] == "Choose…" and 'value=""' in options[0][0] and len(options) > 2
    assert not any("selected" in attributes for attributes, _ in options[1:])
    refused = client.post("/collect/clinic_exit/", data={"submission_id": str(uuid.uuid4()), "facility": "", "interview_date": date.today().isoformat()})
    assert refused.status_code == 422 and "Please choose a facility." in refused.get_data(as_text=True)


def test_a_regional_questionnaire_asks_for_a_region_and_stores_at_its_stand_in(client, app, as_role, regional) -> None:
    as_role("monitor")
    page = client.get("/collect/mini_region/").get_data(as_text=True)
    assert 'name="region"' in page and 'name="facility"' not in page and "Kyiv" in page and "Odesa" not in page
    assert "kyiv-01" not in page and "(no facility)" not in page
    refused = client.post("/collect/mini_region/", data={"submission_id": str(uuid.uuid4()), "region": "", "interview_date": date.today().isoformat()})
    assert refused.status_code == 422 and "Please choose a region." in refused.get_data(as_text=True)
    elsewhere = client.post("/collect/mini_region/", data={"submission_id": str(uuid.uuid4()), "region": str(regional["odesa"]), "interview_date": date.today().isoformat()})
    assert elsewhere.status_code == 422 and "Please choose one of your regions." in elsewhere.get_data(as_text=True)
    sid = str(uuid.uuid4())
    started = client.post("/collect/mini_region/", data={"submission_id": sid, "region": str(regional["kyiv"]), "interview_date": date.today().isoformat()})
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/collect/d/{sid}/1")  # the interview's first page
    client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "25"})
    client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_attitude": "respectful"})
    review = client.get(f"/collect/d/{sid}/review").get_data(as_text=True)
    assert "Region" in review and "Kyiv" in review
    fields = dict(re.findall(r'<input type="hidden" name="(?!csrf|next)([^"]+)" value="([^"]*)">', review))
    sent = client.post("/collect/mini_region/submit", data=fields)
    assert sent.status_code == 303
    receipt = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "<dt>Region</dt><dd>Kyiv</dd>" in receipt and "(no facility)" not in receipt
    assert "(no facility)" not in client.get("/collect/mine").get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(Response).where(Response.submission_id == uuid.UUID(sid)))
        assert stored.region_id == regional["kyiv"]
        assert stored.facility.stands_for_region and stored.facility.region_id == regional["kyiv"]
        stand_in = stored.facility_id
        # The stand-in is never offered as a facility, nor listed among the region's facilities.
        assert all(not f.stands_for_region for f in db.session.get(Region, regional["kyiv"]).facilities)
    assert "(no facility)" not in client.get("/collect/clinic_exit/").get_data(as_text=True)
    # A clinic questionnaire refuses a stand-in, and a regional one a facility.
    wrong = _submit(client, regional, regional["facility"])
    assert wrong.status_code == 422 and "Please choose one of your regions." in wrong.get_data(as_text=True)
    refused = client.post("/collect/clinic_exit/submit", data={"submission_id": str(uuid.uuid4()), "version": "0", "facility": str(stand_in),
                                                              "interview_date": date.today().isoformat()})
    assert refused.status_code in (400, 422)
    assert _submit(client, regional, stand_in).status_code == 303


def test_an_event_questionnaire_asks_for_the_date_of_the_event(client, as_role, world) -> None:
    as_role("monitor")
    page = client.get("/collect/training_evaluation/").get_data(as_text=True)
    assert "Date of the event" in page and "The day the event was held." in page and 'name="region"' in page
    incident = client.get("/collect/incident_report/").get_data(as_text=True)
    assert 'name="region"' in incident and "Interview date" in incident


def test_regional_responses_are_figures_of_their_region_and_the_dashboard_names_no_facility(client, app, as_role, generated) -> None:
    from tests.web.generated import facility_sums
    as_role("lead")
    client.post("/language", data={"lang": "uk"})
    data = client.get("/dashboard/indicator.json?survey=incident_report&indicator=incidents_physical").get_json()
    assert data["unit"] == "facility" and data["units"]
    assert {row["label"] for row in data["units"]} == {"(без закладу)"}  # one per region of the lead, never a clinic
    with app.app_context():
        stand_ins = set(db.session.scalars(select(Facility.id).where(Facility.stands_for_region.is_(True))))
        regions = set(db.session.scalars(select(Response.region_id)))
        assert {r.facility_id for r in db.session.scalars(select(Response).join(Response.version)) if r.version.questionnaire.code == "incident_report"} <= stand_ins
        assert len(stand_ins) == len(regions)
        sums = facility_sums("incident_report", "incidents_physical")
    assert {facility for (_, _, facility) in sums} <= stand_ins
    shown_n = sorted(row["n"] for row in data["units"])
    assert shown_n and all(n > 0 for n in shown_n)
