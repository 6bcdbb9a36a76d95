"""The correction, withdrawal and trash pages: who may use them, for which region, and what bad input gets."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cml.extensions import db
from cml.models import Facility, IndicatorFact, QuestionnaireVersion, Response, ResponseRevision, User
from cml.services.responses import all_answers, store_response
from tests.conftest import login
from tests.services.test_fact_sums import assert_in_step

ANSWERS = {"tested": "yes", "wait": 20, "attitude": "rude", "story": "secret words"}


@pytest.fixture
def stored(app, mini) -> dict[str, int]:
    """Two interviews (ids by facility code): the demo monitor's at Kyiv, the Odesa monitor's at Odesa; and facility ids."""
    with app.app_context():
        version = mini.questionnaire_version()
        ids = {}
        for name, code in (("demo-monitor", "kyiv-01"), ("odesa-monitor", "odesa-01")):
            user = db.session.scalar(select(User).where(User.username == name))
            facility = db.session.scalar(select(Facility).where(Facility.code == code))
            ids[code] = store_response(uuid.uuid4(), version, facility, date(2026, 10, 1), ANSWERS, user).response.id
        for code in ("kyiv-01", "kyiv-02", "odesa-01"):
            ids[f"facility {code}"] = db.session.scalar(select(Facility.id).where(Facility.code == code))
        ids["version"] = version.id
        db.session.commit()
        return ids


def _form(facility: int, day: str = "2026-10-01", **answers: object) -> dict[str, object]:
    data: dict[str, object] = {"facility": str(facility), "interview_date": day}
    data.update({f"q_{k}": v for k, v in {**ANSWERS, **{k.removeprefix("q_"): v for k, v in answers.items()}}.items()})
    return data


def test_the_page_is_prefilled_and_a_correction_is_saved(app, client, as_role, stored) -> None:
    as_role("lead")
    page = client.get(f"/collect/submissions/{stored['kyiv-01']}/correct")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="20"' in html and "secret words" in html and '<input checked id="q_attitude-1" name="q_attitude" type="radio" value="rude">' in html
    saved = client.post(f"/collect/submissions/{stored['kyiv-01']}/correct", data=_form(stored["facility kyiv-02"], q_wait="35"))
    assert saved.status_code == 303, saved.get_data(as_text=True)[-3000:]
    assert "Correction saved" in client.get(saved.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        response = db.session.get(Response, stored["kyiv-01"])
        assert (response.facility_id, all_answers(response)["wait"]) == (stored["facility kyiv-02"], 35)
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == 1
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2
        assert_in_step()


def test_bad_answers_are_refused_as_on_entry_and_nothing_is_written(app, client, as_role, stored) -> None:
    as_role("lead")
    url = f"/collect/submissions/{stored['kyiv-01']}/correct"
    for data, message in ((_form(stored["facility kyiv-01"], q_wait="601"), "600"), (_form(stored["facility kyiv-01"], q_story="x"), "Not x"),
                          (_form(stored["facility kyiv-01"], q_tested="no"), None), (_form(stored["facility kyiv-01"], day="2999-01-01"), "future"),
                          (_form(stored["facility odesa-01"]), "facilities of your regions"), (_form(stored["facility kyiv-01"], day="garbage"), "year-month-day")):
        refused = client.post(url, data=data)
        assert refused.status_code == 422, data
        if message:
            assert message in refused.get_data(as_text=True), message
    assert client.post(url, data={**_form(stored["facility kyiv-01"]), "q_nonsense": "1"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == 0
        assert all_answers(db.session.get(Response, stored["kyiv-01"])) == ANSWERS


def test_another_regions_submission_is_not_found(client, as_role, stored) -> None:
    as_role("lead")  # Kyiv only
    odesa = stored["odesa-01"]
    assert client.get(f"/collect/submissions/{odesa}/correct").status_code == 404
    assert client.post(f"/collect/submissions/{odesa}/correct", data=_form(stored["facility kyiv-01"])).status_code == 404
    assert client.get(f"/collect/submissions/{odesa}/withdraw").status_code == 404
    assert client.post(f"/collect/submissions/{odesa}/withdraw", data={"reason": "withdrawn"}).status_code == 404
    assert client.get("/collect/submissions/999999/correct").status_code == 404


def test_the_monitor_corrects_their_own_within_the_window(app, client, stored) -> None:
    assert login(client, "demo-monitor").status_code == 302
    url = f"/collect/submissions/{stored['kyiv-01']}/correct"
    assert client.get(url).status_code == 200
    assert f'href="{url}"' in client.get("/collect/mine").get_data(as_text=True)
    assert client.get(f"/collect/submissions/{stored['kyiv-01']}/withdraw").status_code == 403
    assert client.post(url, data=_form(stored["facility kyiv-01"], q_wait="21")).status_code == 303
    with app.app_context():
        db.session.execute(update(Response).values(received_at=datetime.now(UTC) - timedelta(days=8)))
        db.session.commit()
    assert client.get(url).status_code == 404
    assert f'href="{url}"' not in client.get("/collect/mine").get_data(as_text=True)
    client.post("/logout")
    assert login(client, "odesa-monitor").status_code == 302
    assert client.get(url).status_code == 404  # not theirs, not their region


def test_withdraw_then_restore_by_an_admin(app, client, as_role, stored) -> None:
    as_role("lead")
    url = f"/collect/submissions/{stored['kyiv-01']}/withdraw"
    assert "consent withdrawn" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"reason": "bogus"}).status_code == 422
    assert client.post(url, data={"reason": "withdrawn"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id == stored["kyiv-01"])) == 0
        assert_in_step()
    assert client.get(url).status_code == 404  # already out
    assert client.get(f"/collect/submissions/{stored['kyiv-01']}/correct").status_code == 404
    assert client.get("/collect/trash").status_code == 403
    client.post("/logout")
    as_role("admin")
    trash_page = client.get("/collect/trash").get_data(as_text=True)
    assert "Consent withdrawn" in trash_page and "secret" not in trash_page
    assert client.post(f"/collect/trash/{stored['kyiv-01']}/restore").status_code == 303
    assert client.post(f"/collect/trash/{stored['kyiv-01']}/restore").status_code == 404  # no longer in the trash
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id == stored["kyiv-01"])) > 0
        assert_in_step()


def test_the_trash_purge_command(app, runner, stored) -> None:
    with app.app_context():
        db.session.execute(update(Response).where(Response.id == stored["kyiv-01"])
                           .values(deleted_at=datetime.now(UTC) - timedelta(days=31), deleted_reason="deleted"))
        db.session.commit()
    result = runner.invoke(args=["trash", "purge"])
    assert result.exit_code == 0 and "purged 1 submission" in result.output
    with app.app_context():
        assert db.session.get(Response, stored["kyiv-01"]) is None
        assert db.session.get(Response, stored["odesa-01"]) is not None
        assert db.session.get(QuestionnaireVersion, stored["version"]) is not None


def test_the_trash_is_in_no_export_and_no_count(app, client, as_role, stored) -> None:
    as_role("lead")

    def exported() -> int:
        data = {"survey": "mini", "region": "", "file_format": "csv", "answers_as": "codes"}
        got = client.post("/reports/raw", data=data)
        assert got.status_code == 200
        return len(got.get_data(as_text=True).strip().splitlines()) - 1

    assert exported() == 1  # the lead's region: Kyiv
    assert client.post(f"/collect/submissions/{stored['kyiv-01']}/withdraw", data={"reason": "deleted"}).status_code == 303
    assert exported() == 0
    client.post("/logout")
    assert login(client, "demo-monitor").status_code == 302
    mine = client.get("/collect/mine").get_data(as_text=True)
    assert "Deleted" in mine and f"/collect/submissions/{stored['kyiv-01']}/correct" not in mine
