"""Cases: an incident report followed up in its region, within the person's consent.

Who sees a case (the region's lead, an admin, the monitor who filed it; nobody else), what a
missing or withdrawn consent stops (referrals, warnings, being counted), the audit sentences,
and bad input (unknown ids, tampered posts) answered without a 500 and without a write.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cml.core.answers import clean_answers
from cml.extensions import db
from cml.models import AuditEvent, Case, CaseStep, IndicatorFact, Response, User, Warning
from cml.services import cases, surveys, trash
from cml.services.regions import region_by_code
from cml.services.responses import store_response
from cml.services.scope import stand_in
from tests.conftest import FIXTURES, login

CODE = "incident_report"


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def answers(**changes: Any) -> dict[str, Any]:
    """A complete v4 incident report (raw, as a form posts it), with `changes`."""
    raw: dict[str, Any] = {
        "incident_date": "2026-11-20", "violence_types": ["physical", "theft"], "perpetrator": ["client"], "place": "street",
        "place_area": "Near the market", "documents_confiscated": "no", "injured": "yes", "reported_to": ["nobody"],
        "why_not_reported": ["fear_police"], "help_needed": ["medical"], "help_received": ["medical"],
        "consent_count": "yes", "consent_warning": "yes", "consent_referral": "yes",
        "aggressor_description": "Tall man, grey jacket, dark blue sedan",
    }  # fmt: skip
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


def file_report(username: str, region: str = "kyiv", version_number: int | None = None, **changes: Any) -> int:
    """Store an incident report sent by `username`; its response id."""
    version = surveys.version_of(CODE, version_number) if version_number else surveys.latest_version(CODE)
    assert version is not None
    model = surveys.model_of(version)
    cleaned = clean_answers(model, answers(**changes), today=date(2026, 12, 2))
    assert cleaned.ok, cleaned.errors
    place = region_by_code(region)
    assert place is not None
    stored = store_response(uuid.uuid4(), version, stand_in(place), date(2026, 11, 25), cleaned.answers, user(username))
    db.session.commit()
    return int(stored.response.id)


@pytest.fixture
def reports(app, world) -> dict[str, int]:
    with app.app_context():
        return {
            "mine": file_report("demo-monitor"),
            "no_referral": file_report("demo-monitor", consent_referral="no", consent_warning="no", aggressor_description=None),
            "odesa": file_report("odesa-monitor", region="odesa"),
        }


def case_id_of(app, report_id: int) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.submission_id == report_id))


def test_the_lead_opens_a_report_as_a_case_with_its_consent_and_details(client, as_role, app, reports) -> None:
    as_role("lead")
    listed = client.get("/cases/")
    assert listed.status_code == 200
    text = listed.get_data(as_text=True)
    assert f"/cases/report/{reports['mine']}" in text and f"/cases/report/{reports['odesa']}" not in text
    opened = client.get(f"/cases/report/{reports['mine']}")
    assert opened.status_code == 303
    case_id = case_id_of(app, reports["mine"])
    assert case_id is not None and opened.headers["Location"].endswith(f"/cases/{case_id}")
    again = client.get(f"/cases/report/{reports['mine']}")
    assert again.headers["Location"].endswith(f"/cases/{case_id}")  # made once
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Near the market" in page and "Tall man, grey jacket" in page  # sealed answers opened for the follow-up
    assert "Physical violence" in page and "Referred to legal aid" in page
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and (case.consent_count, case.consent_warning, case.consent_referral) == (True, True, True)
        assert case.region_id == region_by_code("kyiv").id and case.facility_id is None and case.filed_by_id == user("demo-monitor").id
        opened_events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.open_sealed")))
        assert opened_events and opened_events[-1].details["fields"] == ["aggressor_description", "place_area"]
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("case.%"))):
            assert "Tall man" not in str(event.details) and "market" not in str(event.details)


def test_steps_dates_outcomes_close_and_reopen(client, as_role, app, reports) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    added = client.post(f"/cases/{case_id}/steps", data={"kind": "pep", "happened_on": "2026-11-21", "outcome": "helped", "note": "Got PEP in time"})
    assert added.status_code == 303
    client.post(f"/cases/{case_id}/steps", data={"kind": "police_report", "happened_on": "2026-11-22", "outcome": "refused"})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Referred for PEP" in page and "Got PEP in time" in page and "Police report filed" in page
    assert client.post(f"/cases/{case_id}/state", data={"state": "closed"}).status_code == 303
    refused = client.post(f"/cases/{case_id}/steps", data={"kind": "other", "happened_on": "2026-11-23", "outcome": "pending"})
    assert refused.status_code == 422 and "Reopen it" in refused.get_data(as_text=True)
    listed = client.get("/cases/?state=closed").get_data(as_text=True)
    assert f"/cases/report/{reports['mine']}" in listed and f"/cases/report/{reports['no_referral']}" not in listed
    open_list = client.get("/cases/?state=open").get_data(as_text=True)
    assert f"/cases/report/{reports['mine']}" not in open_list and f"/cases/report/{reports['no_referral']}" in open_list
    client.post(f"/cases/{case_id}/state", data={"state": "open"})
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.state == "open" and case.closed_at is None
        assert [(s.kind, s.happened_on, s.outcome) for s in case.steps] == [("pep", date(2026, 11, 21), "helped"),
                                                                            ("police_report", date(2026, 11, 22), "refused")]
        steps = cases.visible_cases(user("demo-lead"))
        assert next(v for v in steps if v.report_id == reports["mine"]).steps == 2


def test_no_consent_to_referral_refuses_referral_steps(client, as_role, app, reports) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['no_referral']}")
    case_id = case_id_of(app, reports["no_referral"])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'value="legal_aid"' not in page and 'value="police_report"' in page  # referrals are not offered
    for kind in ("legal_aid", "medical", "pep", "crisis_service", "psychologist"):  # a tampered post
        refused = client.post(f"/cases/{case_id}/steps", data={"kind": kind, "happened_on": "2026-11-21", "outcome": "helped"})
        assert refused.status_code == 422
    assert client.post(f"/cases/{case_id}/steps", data={"kind": "none_wanted", "happened_on": "2026-11-21", "outcome": "pending"}).status_code == 303
    with app.app_context():
        assert [s.kind for s in db.session.scalars(select(CaseStep).where(CaseStep.case_id == case_id))] == ["none_wanted"]
        case = db.session.get(Case, case_id)
        with pytest.raises(cases.CaseRefused, match="no_referral_consent"):
            cases.add_step(user("demo-lead"), case, kind="medical", happened_on=date(2026, 11, 21), outcome="helped")
        assert not cases.may_warn(case)


def test_withdrawn_consent_is_recorded_never_regranted_and_takes_warnings_off(client, as_role, app, reports) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    with app.app_context():
        case = db.session.get(Case, case_id)
        published = Warning(case_id=case.id, region_id=case.region_id, state="published", what_happened="x", expires_at=None)
        db.session.add(published)
        db.session.commit()
        warning_id = published.id
        assert cases.may_warn(case)
    unconfirmed = client.post(f"/cases/{case_id}/consent", data={"use": "warning"})
    assert unconfirmed.status_code == 422
    assert client.post(f"/cases/{case_id}/consent", data={"use": "warning", "confirm": "y"}).status_code == 303
    assert client.post(f"/cases/{case_id}/consent", data={"use": "referral", "confirm": "y"}).status_code == 303
    assert client.post(f"/cases/{case_id}/consent", data={"use": "everything", "confirm": "y"}).status_code == 422
    refused = client.post(f"/cases/{case_id}/steps", data={"kind": "legal_aid", "happened_on": "2026-11-21", "outcome": "helped"})
    assert refused.status_code == 422
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.warning_withdrawn_at is not None and case.referral_withdrawn_at is not None and case.count_withdrawn_at is None
        assert case.consent_warning is True  # what the person said stays on record; the withdrawal is beside it
        assert not cases.may_warn(case) and not case.consented("referral") and case.consented("count")
        warning = db.session.get(Warning, warning_id)
        assert warning.state == "withdrawn" and warning.withdrawn_at is not None
        assert not cases.withdraw_consent(user("demo-lead"), case, "warning")  # nothing to withdraw twice
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.consent_withdrawn").order_by(AuditEvent.id)))
        assert [e.details["consent"] for e in events] == ["warning", "referral"] and events[0].details["warnings_withdrawn"] == [warning_id]
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert page.count("withdrawn on") == 2


def test_the_monitor_sees_only_the_cases_they_filed_and_cannot_manage_them(client, as_role, app, reports) -> None:
    with app.app_context():
        other = file_report("demo-lead")  # same region, filed by someone else
    as_role("monitor")
    listed = client.get("/cases/").get_data(as_text=True)
    assert f"/cases/report/{reports['mine']}" in listed and f"/cases/report/{other}" not in listed
    assert client.get(f"/cases/report/{other}").status_code == 404
    assert client.get(f"/cases/report/{reports['odesa']}").status_code == 404
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    own = client.get(f"/cases/{case_id}")
    assert own.status_code == 200 and b"Incident of" in own.data
    assert client.post(f"/cases/{case_id}/steps", data={"kind": "medical", "happened_on": "2026-11-21", "outcome": "partly"}).status_code == 303
    assert client.post(f"/cases/{case_id}/state", data={"state": "closed"}).status_code == 403
    assert client.post(f"/cases/{case_id}/consent", data={"use": "count", "confirm": "y"}).status_code == 403
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "open" and case.count_withdrawn_at is None and len(case.steps) == 1


def test_another_region_or_role_gets_not_found(client, as_role, app, reports) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    kyiv_case = case_id_of(app, reports["mine"])
    client.post("/logout")
    as_role("odesa")
    assert client.get(f"/cases/{kyiv_case}").status_code == 404
    assert client.post(f"/cases/{kyiv_case}/steps", data={"kind": "other", "happened_on": "2026-11-21", "outcome": "pending"}).status_code == 404
    assert f"/cases/report/{reports['odesa']}" in client.get("/cases/").get_data(as_text=True)
    client.post("/logout")
    as_role("advocate")
    assert client.get("/cases/").status_code == 403 and client.get(f"/cases/{kyiv_case}").status_code == 403
    with app.app_context():
        assert cases.visible_cases(user("demo-advocate")) == []
        odesa_lead_view = cases.visible_cases(user("odesa-monitor"))
        assert [v.report_id for v in odesa_lead_view] == [reports["odesa"]]


def test_a_withdrawn_report_has_no_case(client, as_role, app, reports) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    with app.app_context():
        response = db.session.get(Response, reports["mine"])
        trash.withdraw(response, user("demo-lead"), "withdrawn")
        db.session.commit()
        assert reports["mine"] not in {v.report_id for v in cases.visible_cases(user("demo-lead"))}
        assert reports["mine"] not in {v.report_id for v in cases.visible_cases(user("demo-monitor"))}
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert client.get(f"/cases/report/{reports['mine']}").status_code == 404
    with app.app_context():
        trash.purge(timedelta(days=-1), user=user("demo-admin"))
        db.session.commit()
        assert db.session.get(Case, case_id) is None  # purged with its report


@pytest.mark.parametrize("path", ["/cases/0", "/cases/abc", "/cases/99999999999999999999999", "/cases/report/-1", "/cases/report/x",
                                  "/cases/report/99999"])
def test_unknown_ids_are_not_found(client, as_role, reports, path) -> None:
    as_role("lead")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("data", [
    {"kind": "teleport", "happened_on": "2026-11-21", "outcome": "helped"},
    {"kind": "other", "happened_on": "2026-11-21", "outcome": "magic"},
    {"kind": "other", "happened_on": "2999-01-01", "outcome": "helped"},
    {"kind": "other", "happened_on": "21.11.2026", "outcome": "helped"},
    {"kind": "other", "happened_on": "2026-11-21", "outcome": "helped", "note": "x" * 501},
    {"kind": "other", "happened_on": "1999-12-31", "outcome": "helped"},
    {},
])
def test_tampered_step_posts_store_nothing(client, as_role, app, reports, data) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    assert client.post(f"/cases/{case_id}/steps", data=data).status_code == 422
    assert client.post(f"/cases/{case_id}/state", data={"state": "archived"}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseStep)) == 0
        assert db.session.get(Case, case_id).state == "open"


def test_the_audit_log_tells_case_events_as_sentences(client, as_role, app, reports) -> None:
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    client.post(f"/cases/{case_id}/steps", data={"kind": "pep", "happened_on": "2026-11-21", "outcome": "helped", "note": "Secret words"})
    client.post(f"/cases/{case_id}/state", data={"state": "closed"})
    client.post(f"/cases/{case_id}/consent", data={"use": "count", "confirm": "y"})
    client.get(f"/cases/{case_id}")
    from cml.admin.audit_text import Names, describe

    with app.test_request_context():  # the sentences the audit page shows, in English
        log = "\n".join(describe(event, Names("en")) for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert f"Case {case_id} opened from an incident report (Kyiv); the person consented to: counted in the statistics, referred to services, shared as a warning to the community." in log
    assert f"Step added to case {case_id}: Referred for PEP, Helped (with a note)." in log
    assert f"Case {case_id}: Open → Closed." in log
    assert f"Case {case_id}: the person withdrew their consent to be counted in the statistics." in log
    assert f"Sealed answers of case {case_id} opened: aggressor_description, place_area." in log
    assert "Secret words" not in log and "Tall man" not in log


def test_a_monitors_receipt_and_submissions_link_their_incident_case(client, as_role, app, reports) -> None:
    as_role("monitor")
    with app.app_context():
        submission = db.session.get(Response, reports["mine"]).submission_id
    assert f"/cases/report/{reports['mine']}" in client.get(f"/collect/receipt/{submission}").get_data(as_text=True)
    assert f"/cases/report/{reports['mine']}" in client.get("/collect/mine").get_data(as_text=True)
    client.post("/logout")
    as_role("lead")
    assert 'href="/cases/"' in client.get("/").get_data(as_text=True)  # the lead's navigation


def test_without_consent_to_be_counted_a_report_is_in_no_indicator(app, generated) -> None:
    """The shipped indicators on generated data equal a direct count of the reports that consented."""
    with app.app_context():
        version = surveys.latest_version(CODE)
        model = surveys.model_of(version)
        rows = list(db.session.scalars(select(Response).where(Response.questionnaire_version_id == version.id)))
        consenting = [r for r in rows if r.answers.get("consent_count") == "yes"]
        assert 0 < len(consenting) < len(rows)  # the test could fail
        refused_ids = {r.id for r in rows} - {r.id for r in consenting}
        facts = list(db.session.scalars(select(IndicatorFact).where(IndicatorFact.questionnaire_version_id == version.id)))
        assert facts and not {f.response_id for f in facts} & refused_ids
        by_indicator: dict[str, tuple[float, float]] = {}
        for fact in facts:
            num, den = by_indicator.get(fact.indicator, (0.0, 0.0))
            by_indicator[fact.indicator] = (num + fact.numerator, den + fact.denominator)
        physical = [r for r in consenting if r.answers.get("violence_types")]
        assert by_indicator["incidents_physical"] == (sum("physical" in r.answers["violence_types"] for r in physical), len(physical))
        documents = [r for r in consenting if r.answers.get("documents_confiscated") in ("yes", "no")]
        assert by_indicator["documents_confiscated"] == (sum(r.answers["documents_confiscated"] == "yes" for r in documents), len(documents))
        counted_12m = [r.answers["incidents_12m"] for r in consenting if isinstance(r.answers.get("incidents_12m"), int)]
        assert by_indicator["incidents_per_person_12m"] == (sum(counted_12m), len(counted_12m))
        assert {i.id for i in model.indicators} == set(by_indicator)


@pytest.fixture
def version_3_first(app) -> None:
    """Version 3 published before the shipped version 4, as on a server that collected with it."""
    with app.app_context():
        surveys.publish((FIXTURES / "incident_report_v3.json").read_bytes())
        db.session.commit()


@pytest.mark.world_loaded_in_test  # version 3 is published before the world's version 4
def test_version_3_reports_count_as_before_and_their_warning_answer_is_the_consent(app, version_3_first, world, client) -> None:
    with app.app_context():
        v3 = {k: v for k, v in answers(consent_count=None, consent_warning=None, consent_referral=None).items()}
        warned = file_report("demo-monitor", version_number=3, **{**{k: None for k in ("consent_count", "consent_warning", "consent_referral")},
                                                                     "add_to_warning_list": "yes"})
        silent = file_report("demo-monitor", version_number=3, **{**{k: None for k in ("consent_count", "consent_warning", "consent_referral")},
                                                                     "add_to_warning_list": "no", "aggressor_description": None})
        assert v3 and surveys.latest_version(CODE).version == 4
        counted = set(db.session.scalars(select(IndicatorFact.response_id).where(IndicatorFact.indicator == "incidents_physical")))
        assert {warned, silent} <= counted  # collected under a form that said reports are counted
        lead = user("demo-lead")
        first, second = cases.case_for_submission(lead, warned), cases.case_for_submission(lead, silent)
        assert (first.consent_count, first.consent_warning, first.consent_referral) == (True, True, False)
        assert (second.consent_count, second.consent_warning, second.consent_referral) == (True, False, False)
        assert cases.asked_consent(first) == {"warning"}
        first_id = first.id
    login(client, "demo-lead")
    page = client.get(f"/cases/{first_id}").get_data(as_text=True)
    assert "not asked in this version of the form" in page


def test_withdrawn_consent_to_be_counted_takes_the_report_out_of_every_indicator_and_a_rebuild_keeps_it_out(client, as_role, app, reports) -> None:
    from cml.models import IndicatorSum
    from cml.services import indicators

    def physical_total() -> tuple[float, float]:
        row = db.session.execute(select(func.sum(IndicatorSum.numerator), func.sum(IndicatorSum.denominator))
                                 .where(IndicatorSum.indicator == "incidents_physical")).one()
        return float(row[0] or 0), float(row[1] or 0)

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id == reports["mine"])) == 8  # the indicators whose denominators it meets
        before = physical_total()
    as_role("lead")
    client.get(f"/cases/report/{reports['mine']}")
    case_id = case_id_of(app, reports["mine"])
    assert client.post(f"/cases/{case_id}/consent", data={"use": "count", "confirm": "y"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id == reports["mine"])) == 0
        assert physical_total() == (before[0] - 1, before[1] - 1)
        for _ in indicators.rebuild(indicators.rebuild_plan(CODE)):
            db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id == reports["mine"])) == 0
        assert physical_total() == (before[0] - 1, before[1] - 1)
        assert cases.count_withdrawn_report_ids() == {reports["mine"]}
