"""Unfinished interviews (drafts on the server) are listed on the home page, "My submissions" and the
questionnaire's start page, each with a "Continue" link to where it was left; only one's own."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from cml.extensions import db
from cml.models import Draft, Facility
from tests.conftest import login


def start(client, mini, code: str = "mini", day: date | None = None) -> str:
    sid = str(uuid.uuid4())
    response = client.post(f"/collect/{code}/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": (day or date.today()).isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return sid


def continue_links(html: str) -> list[str]:
    return re.findall(r'href="(/collect/d/[0-9a-f-]+/continue)"', html)


def test_the_home_page_lists_unfinished_interviews_with_continue(client, app, as_role, mini) -> None:
    as_role("monitor")
    assert "Unfinished interviews" not in client.get("/").get_data(as_text=True)
    first = start(client, mini, day=date(2026, 3, 2))
    second = start(client, mini)
    with app.app_context():  # the clock has seconds: one draft changed a while ago
        db.session.execute(update(Draft).where(Draft.submission_id == uuid.UUID(first)).values(updated_at=datetime.now(UTC) - timedelta(hours=2)))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Unfinished interviews" in page and "Mini survey" in page
    with app.app_context():
        facility_name = db.session.get(Facility, mini.kyiv).name
    assert facility_name in page and "Mar 2, 2026" in page and "Last change" in page
    links = continue_links(page)
    assert links == [f"/collect/d/{second}/continue", f"/collect/d/{first}/continue"]  # last changed first
    assert ">Continue<" in page


def test_continue_goes_on_where_the_form_was_left(client, as_role, mini) -> None:
    as_role("monitor")
    sid = start(client, mini)
    assert client.get(f"/collect/d/{sid}/continue").headers["Location"].endswith(f"/collect/d/{sid}/1")
    client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "20"})
    assert client.get(f"/collect/d/{sid}/continue").headers["Location"].endswith(f"/collect/d/{sid}/2")
    client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_attitude": "rude"})
    assert client.get(f"/collect/d/{sid}/continue").headers["Location"].endswith(f"/collect/d/{sid}/review")
    # A required answer taken away on an earlier page (saved with "back"): back to that page.
    client.post(f"/collect/d/{sid}/1", data={"action": "back", "q_tested": "no", "q_wait": "20"})
    assert client.get(f"/collect/d/{sid}/continue").headers["Location"].endswith(f"/collect/d/{sid}/1")


def test_my_submissions_and_the_start_page_list_them_too(client, as_role, mini) -> None:
    as_role("monitor")
    sid = start(client, mini)
    assert f"/collect/d/{sid}/continue" in client.get("/collect/mine").get_data(as_text=True)
    assert f"/collect/d/{sid}/continue" in client.get("/collect/mini/").get_data(as_text=True)
    assert f"/collect/d/{sid}/continue" not in client.get("/collect/clinic_exit/").get_data(as_text=True)  # another questionnaire's page


def test_a_sent_interview_leaves_the_list(client, app, as_role, mini) -> None:
    as_role("monitor")
    sid = start(client, mini)
    form = {"submission_id": sid, "version": str(mini.version), "facility": str(mini.kyiv), "interview_date": date.today().isoformat(),
            "q_tested": "yes"}
    assert client.post("/collect/mini/submit", data=form).status_code == 303
    assert continue_links(client.get("/").get_data(as_text=True)) == []


def test_only_ones_own_drafts_are_listed_or_continued(client, app, as_role, mini) -> None:
    as_role("monitor")
    sid = start(client, mini)
    other = app.test_client()
    login(other, "demo-lead")
    assert continue_links(other.get("/").get_data(as_text=True)) == []
    assert other.get(f"/collect/d/{sid}/continue").status_code == 404
    advocate = app.test_client()
    login(advocate, "demo-advocate")
    assert "Unfinished interviews" not in advocate.get("/").get_data(as_text=True)


def test_a_draft_past_its_age_is_not_offered(client, app, as_role, mini) -> None:
    as_role("monitor")
    sid = start(client, mini)
    with app.app_context():
        db.session.execute(update(Draft).values(updated_at=datetime.now(UTC) - timedelta(days=31)))
        db.session.commit()
    assert f"/collect/d/{sid}/continue" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("language", "words"), [("uk", ("Незавершені інтерв’ю", "Продовжити", "Остання зміна", "Міні-опитування")),
                                                  ("ru", ("Незавершённые интервью", "Продолжить", "Последнее изменение", "Мини-опрос"))])
def test_the_list_speaks_the_users_language(client, as_role, mini, language, words) -> None:
    as_role("monitor")
    start(client, mini)
    client.post("/language", data={"lang": language})
    page = client.get("/").get_data(as_text=True)
    listed = page[page.index('<section class="card unfinished"'):]
    listed = listed[:listed.index("</section>")]
    for word in words:
        assert word in listed
