"""Reviewing submissions on the web: the list, one page each, the state buttons, and what the monitor sees."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility, Response, User
from cml.services.responses import store_response
from tests.conftest import PASSWORD, login
from tests.services.test_counting import _facts, _rebuilt
from tests.services.test_fact_sums import summed

ANSWERS = {"tested": "no", "why_not": "refused", "wait": 45, "attitude": "rude", "story": "guard-Oksana-shouted"}


@pytest.fixture
def sent(app, mini) -> dict[str, uuid.UUID]:
    """The mini questionnaire with one interview sent by the demo monitor in Kyiv and one by the Odesa monitor."""
    with app.app_context():
        version = mini.questionnaire_version()
        sent = {}
        for username, facility_code in (("demo-monitor", "kyiv-01"), ("odesa-monitor", "odesa-01")):
            user = db.session.scalars(select(User).where(User.username == username)).one()
            facility = db.session.scalars(select(Facility).where(Facility.code == facility_code)).one()
            sent[facility_code.split("-")[0]] = sid = uuid.uuid4()
            store_response(sid, version, facility, date(2026, 10, 5), ANSWERS, user)
        db.session.commit()
    return sent


def test_a_lead_lists_and_opens_only_their_regions_submissions(client, as_role, sent) -> None:
    as_role("lead")
    page = client.get("/review/").get_data(as_text=True)
    assert str(sent["kyiv"])[:8] in page and str(sent["odesa"])[:8] not in page
    assert f'/review/{sent["kyiv"]}' in page  # the row links to its page
    own = client.get(f"/review/{sent['kyiv']}").get_data(as_text=True)
    assert str(sent["kyiv"]) in own and "City AIDS Centre · Kyiv" in own
    with client.application.app_context():
        odesa_facility = db.session.scalars(select(Facility).where(Facility.code == "odesa-01")).one()
        odesa_id, odesa_name = odesa_facility.id, odesa_facility.name
    for method, path in (("GET", f"/review/{sent['odesa']}"), ("POST", f"/review/{sent['odesa']}"), ("GET", "/review/?region=odesa"),
                         ("GET", f"/review/?facility={odesa_id}")):
        refused = client.open(path, method=method, data={"state": "rejected"})
        assert refused.status_code == 404 and odesa_name not in refused.get_data(as_text=True), path  # (its id is in the URL the page repeats)


def test_an_admin_sees_every_region(client, as_role, sent) -> None:
    as_role("admin")
    page = client.get("/review/").get_data(as_text=True)
    assert str(sent["kyiv"])[:8] in page and str(sent["odesa"])[:8] in page
    theirs = client.get(f"/review/{sent['odesa']}")
    assert theirs.status_code == 200 and str(sent["odesa"]) in theirs.get_data(as_text=True)


# An unreadable filter is left out (the received Kyiv submission is listed); a readable one that excludes it, or a page
# beyond the last, lists nothing.
@pytest.mark.parametrize(("query", "listed"), [
    ("state=approved", False), ("state=bogus", True), ("month=2026-10", True), ("month=2026-13", True), ("month=2026-1x", True),
    ("facility=abc", True), ("questionnaire=mini", True), ("page=-3", True), ("page=99999999999999999999", False),
    ("region=kyiv&state=received&month=2026-10", True)])
def test_filters_never_fail(client, as_role, sent, query, listed) -> None:
    as_role("lead")
    page = client.get(f"/review/?{query}")
    assert page.status_code == 200
    assert (str(sent["kyiv"])[:8] in page.get_data(as_text=True)) is listed


def test_filters_narrow_the_list(client, as_role, sent) -> None:
    as_role("admin")
    assert str(sent["kyiv"])[:8] in client.get("/review/?month=2026-10&state=received&region=kyiv").get_data(as_text=True)
    for narrowed in ("month=2026-09", "state=approved", "region=odesa", "questionnaire=clinic_exit"):
        assert str(sent["kyiv"])[:8] not in client.get(f"/review/?{narrowed}").get_data(as_text=True), narrowed


def test_sensitive_answers_only_for_those_who_may_open_them(client, as_role, sent) -> None:
    as_role("lead")
    page = client.get(f"/review/{sent['kyiv']}").get_data(as_text=True)
    assert "guard-Oksana-shouted" not in page and "only administrators" in page and "Refused" in page
    client.post("/logout")
    as_role("admin")
    assert "guard-Oksana-shouted" in client.get(f"/review/{sent['kyiv']}").get_data(as_text=True)


def test_flag_then_approve_moves_the_figures_as_a_rebuild(client, as_role, sent, app) -> None:
    as_role("lead")
    url = f"/review/{sent['kyiv']}"
    refused = client.post(url, data={"state": "has_issues", "comment": "   "})
    assert refused.status_code == 422 and "what needs fixing" in refused.get_data(as_text=True)
    assert client.post(url, data={"state": "rejected"}).status_code == 303
    with app.app_context():
        after = (summed(), _facts())
        assert not any(row for row in after[1] if row[0] == _id(sent["kyiv"]))
        assert _rebuilt() == after
    done = client.post(url, data={"state": "has_issues", "comment": "The wait looks wrong: was it 4.5?"}, follow_redirects=True)
    assert "Saved: Has issues" in done.get_data(as_text=True)
    with app.app_context():
        response = db.session.scalars(select(Response).where(Response.submission_id == sent["kyiv"])).one()
        assert (response.review_state, response.review_comment) == ("has_issues", "The wait looks wrong: was it 4.5?")
        assert any(row[0] == response.id for row in _facts())  # has_issues counts by default
        assert _rebuilt() == (summed(), _facts())


def test_the_monitor_reads_the_comment_on_their_own_submission(client, as_role, sent, app) -> None:
    as_role("lead")
    client.post(f"/review/{sent['kyiv']}", data={"state": "has_issues", "comment": "Please check the waiting time"})
    client.post("/logout")
    as_role("monitor")
    mine = client.get("/collect/mine").get_data(as_text=True)
    assert "Has issues" in mine and "Please check the waiting time" in mine
    receipt = client.get(f"/collect/receipt/{sent['kyiv']}").get_data(as_text=True)
    assert "Your regional lead found issues" in receipt and "Please check the waiting time" in receipt
    assert client.get("/review/").status_code == 403
    other = app.test_client()
    login(other, "odesa-monitor", PASSWORD)
    assert "Please check the waiting time" not in other.get("/collect/mine").get_data(as_text=True)
    assert other.get(f"/collect/receipt/{sent['kyiv']}").status_code == 404


def test_the_overview_counts_submissions_by_state_for_reviewers_only(client, as_role, sent) -> None:
    as_role("lead")
    client.post(f"/review/{sent['kyiv']}", data={"state": "approved"})
    page = client.get("/dashboard/?survey=mini&grain=month&period=2026-10").get_data(as_text=True)
    assert "Submissions by review state" in page and "review/?questionnaire=mini" in page
    client.post("/logout")
    as_role("advocate")
    assert "Submissions by review state" not in client.get("/dashboard/?survey=mini").get_data(as_text=True)


def test_state_buttons_are_plain_buttons_with_access_keys(client, as_role, sent) -> None:
    as_role("lead")
    page = client.get(f"/review/{sent['kyiv']}").get_data(as_text=True)
    for state, key in (("approved", "a"), ("has_issues", "i"), ("rejected", "r")):
        assert f'name="state" value="{state}" accesskey="{key}"' in page
    assert '<label for="comment">' in page


def _id(submission_id: uuid.UUID) -> int:
    return db.session.scalar(select(Response.id).where(Response.submission_id == submission_id))


def test_the_monitor_is_led_to_the_correction_page(client, as_role, sent, app) -> None:
    as_role("lead")
    client.post(f"/review/{sent['kyiv']}", data={"state": "has_issues", "comment": "Please check the waiting time"})
    with app.app_context():
        response_id = _id(sent["kyiv"])
    assert f"/collect/submissions/{response_id}/correct" in client.get(f"/review/{sent['kyiv']}").get_data(as_text=True)
    client.post("/logout")
    as_role("monitor")
    link = f"/collect/submissions/{response_id}/correct"
    assert link in client.get("/collect/mine").get_data(as_text=True)
    assert link in client.get(f"/collect/receipt/{sent['kyiv']}").get_data(as_text=True)
    correction = client.get(link)
    assert correction.status_code == 200 and b'name="q_wait"' in correction.data and b'value="45"' in correction.data  # the stored answer, to fix
