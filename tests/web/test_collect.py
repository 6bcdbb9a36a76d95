"""Filling questionnaires: pages and drafts, skip logic, tampering, exactly-once submission."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Draft, IndicatorFact, QuestionnaireVersion, Response
from cml.services import surveys
from tests.conftest import FIXTURES, login
from tests.fixtures.mini_survey import count, submission


def test_the_whole_form_flow_with_pages_review_and_receipt(client, app, as_role, mini) -> None:
    as_role("monitor")
    start = client.get("/collect/mini/")
    assert start.status_code == 200
    page = start.get_data(as_text=True)
    assert "Kyiv" in page and "Odesa" not in page  # only facilities of the monitor's regions
    sid = str(uuid.uuid4())
    response = client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    assert response.headers["Location"].endswith(f"/collect/d/{sid}/1")
    # Page 1: a required question left empty is refused beside the field, and nothing is lost.
    response = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "no", "q_wait": "30"})
    assert response.status_code == 422
    assert "Please answer this question." in response.get_data(as_text=True)
    assert 'value="30"' in response.get_data(as_text=True)
    response = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "no", "q_why_not": "no_kits", "q_wait": "30"})
    assert response.headers["Location"].endswith(f"/collect/d/{sid}/2")
    # Page 2, then back to page 1: the answers are still there.
    client.post(f"/collect/d/{sid}/2", data={"action": "back", "q_attitude": "rude", "q_rating": "2"})
    again = client.get(f"/collect/d/{sid}/2").get_data(as_text=True)
    import re as regex

    assert regex.search(r'<input checked[^>]*name="q_attitude"[^>]*value="rude"', again)
    assert not regex.search(r'<input checked[^>]*value="respectful"', again)
    response = client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_attitude": "rude", "q_rating": "2", "q_services": ["pep"]})
    assert response.headers["Location"].endswith(f"/collect/d/{sid}/review")
    review = client.get(f"/collect/d/{sid}/review").get_data(as_text=True)
    assert "No kits" in review and "Rude" in review
    # The review page carries everything; sending it stores once and shows the receipt.
    import re

    fields = dict(re.findall(r'<input type="hidden" name="(?!csrf|next)([^"]+)" value="([^"]*)">', review))
    fields["q_services"] = "pep"
    response = client.post("/collect/mini/submit", data=fields)
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert sid in receipt and "version 1" in receipt
    assert count(app) == 1 and count(app, Draft) == 0
    with app.app_context():
        stored = db.session.scalar(select(Response))
        assert stored.answers == {"tested": "no", "why_not": "no_kits", "wait": 30, "attitude": "rude", "services": ["pep"], "rating": 2}
        facts = {f.indicator: (f.numerator, f.denominator) for f in db.session.scalars(select(IndicatorFact))}
        assert facts == {"offered_test": (0.0, 1.0), "respect": (0.0, 1.0), "mean_wait": (30.0, 1.0)}
    mine = client.get("/collect/mine").get_data(as_text=True)
    assert sid[:8] in mine


def test_answers_to_skipped_questions_are_dropped(client, app, as_role, mini) -> None:
    as_role("monitor")
    data = submission(mini, q_why_not="refused")  # only asked when tested == no
    assert client.post("/collect/mini/submit", data=data).status_code == 303
    with app.app_context():
        assert "why_not" not in db.session.scalar(select(Response)).answers


def test_a_skipped_section_is_never_required_or_stored(client, app, as_role, mini) -> None:
    as_role("monitor")
    data = submission(mini, q_tested="dont_know", q_attitude="rude")
    assert client.post("/collect/mini/submit", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Response)).answers == {"tested": "dont_know", "wait": 25}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"q_name": "Olena"}, 400),  # unknown field
        ({"q_attitude": "kind"}, 422),  # a choice not in the list
        ({"q_wait": "9999"}, 422),  # above max
        ({"q_clinic_name_seen": "x" * 5000}, 422),  # oversized value
        ({"q_services": ["pep", "condoms", "syringes"]}, 422),  # too many choices
        ({"q_tested": None}, 422),  # required missing
        ({"interview_date": (date.today() + timedelta(days=1)).isoformat()}, 422),
        ({"interview_date": "yesterday"}, 422),
        ({"submission_id": "not-a-uuid"}, 400),
        ({"version": "99999"}, 400),
    ],
    ids=["unknown-field", "bad-choice", "above-max", "oversized", "too-many", "missing-required", "future-date", "bad-date", "bad-uuid", "bad-version"],
)
def test_tampered_or_invalid_posts_are_refused_and_store_nothing(client, app, as_role, mini, change, status) -> None:
    as_role("monitor")
    data = submission(mini)
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/collect/mini/submit", data=data)
    assert response.status_code == status
    assert count(app) == 0 and count(app, IndicatorFact) == 0


def test_another_regions_facility_is_refused(client, app, as_role, mini) -> None:
    as_role("monitor")
    response = client.post("/collect/mini/submit", data=submission(mini, facility=str(mini.odesa)))
    assert response.status_code == 422
    assert b"facilities of your regions" in response.data
    start = client.post("/collect/mini/", data={"submission_id": str(uuid.uuid4()), "facility": mini.odesa, "interview_date": date.today().isoformat()})
    assert start.status_code == 422
    assert count(app) == 0 and count(app, Draft) == 0


def test_a_post_without_csrf_token_is_refused(make_app, mini) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "demo-monitor", "password": "correct horse battery", "csrf_token": token})
    response = client.post("/collect/mini/submit", data=submission(mini))
    assert response.status_code == 400
    assert count(app) == 0


def test_same_id_same_answers_is_a_duplicate_with_the_same_receipt(client, app, as_role, mini) -> None:
    as_role("monitor")
    data = submission(mini)
    first = client.post("/collect/mini/submit", data=data)
    second = client.post("/collect/mini/submit", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"].startswith(first.headers["Location"])
    assert "repeat=1" in second.headers["Location"]
    assert b"already been received" in client.get(second.headers["Location"]).data
    assert count(app) == 1


def test_same_id_different_answers_is_a_conflict(client, app, as_role, mini) -> None:
    as_role("monitor")
    data = submission(mini)
    client.post("/collect/mini/submit", data=data)
    response = client.post("/collect/mini/submit", data={**data, "q_wait": "26"})
    assert response.status_code == 409
    assert b"different answers" in response.data
    with app.app_context():
        assert db.session.scalar(select(Response)).answers["wait"] == 25


def test_eight_threads_posting_one_submission_leave_one_row(app, world, mini) -> None:
    data = submission(mini)
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        assert login(c, "demo-monitor").status_code == 302
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def post(c) -> None:
        barrier.wait()
        codes.append(c.post("/collect/mini/submit", data=data).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303] * 8
    assert count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact)) == 3


def test_receipts_and_drafts_belong_to_their_monitor(client, app, as_role, mini) -> None:
    as_role("monitor")
    data = submission(mini)
    receipt_url = client.post("/collect/mini/submit", data=data).headers["Location"]
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    client.post("/logout")
    as_role("lead")
    assert client.get(receipt_url).status_code == 404
    assert client.get(f"/collect/d/{sid}/1").status_code == 404
    assert data["submission_id"][:8] not in client.get("/collect/mine").get_data(as_text=True)


def test_forms_serve_the_latest_version_and_old_responses_keep_theirs(client, app, as_role, mini) -> None:
    import json

    as_role("monitor")
    client.post("/collect/mini/submit", data=submission(mini))
    document = json.loads((FIXTURES / "mini.json").read_text())
    document["version"] = 2
    document["title"]["en"] = "Mini survey, second edition"
    with app.app_context():
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
    assert b"Mini survey, second edition" in client.get("/collect/mini/").data
    with app.app_context():
        assert db.session.scalar(select(QuestionnaireVersion.version).join(Response)) == 1


def test_advocates_cannot_collect(client, as_role, mini) -> None:
    as_role("advocate")
    assert client.get("/collect/mini/").status_code == 403
    assert client.post("/collect/mini/submit", data=submission(mini)).status_code == 403


def test_a_page_carries_its_own_cleaning_rules_for_the_live_skip_logic(client, as_role, mini) -> None:
    import html
    import json
    import re

    as_role("monitor")
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    page = client.get(f"/collect/d/{sid}/1").get_data(as_text=True)
    engine, live = page.index("offline/questionnaire.js"), page.index("collect.js\"")
    assert engine < live  # collect.js asks questionnaire.js (both deferred, so in this order)
    definition = json.loads(html.unescape(re.search(r'data-definition="([^"]*)"', page).group(1)))
    questions = definition["sections"][0]["questions"]
    assert [q["id"] for q in questions] == ["tested", "why_not", "wait", "cost"]
    assert questions[1] == {"id": "why_not", "type": "single_choice", "required": True, "show_if": {"question": "tested", "equals": "no"},
                            "choices": [{"id": "no_kits"}, {"id": "refused"}]}
    assert questions[2]["min"] == 0 and questions[2]["max"] == 600 and "label" not in questions[2]  # rules only: no texts
    assert f'data-today="{date.today().isoformat()}"' in page
