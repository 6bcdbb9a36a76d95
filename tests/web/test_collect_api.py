"""The collection app's JSON endpoints: session, setup with its ETag, and submissions with receipts
by the form's own checks and exactly-once rules; every refusal in JSON."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Draft, Facility, IndicatorFact, IndicatorSum, Region, Response
from cml.services import surveys, users
from tests.conftest import FIXTURES, PASSWORD, PG_URL, login
from tests.fixtures.mini_survey import api_submission, count, publish_mini

API = "/collect/api/v1"


def post(client, data: Any, **headers: str):
    return client.post(f"{API}/submissions", data=json.dumps(data), content_type="application/json", headers=headers)


def test_a_submission_is_stored_once_with_a_receipt(client, app, as_role, mini) -> None:
    as_role("monitor")
    sent = api_submission(mini)
    first = post(client, sent)
    assert first.status_code == 201, first.get_json()
    data = first.get_json()
    assert data["status"] == "stored"
    receipt = data["receipt"]
    assert receipt["submission_id"] == sent["submission_id"] and receipt["questionnaire"] == "mini" and receipt["version"] == 1
    received = date.fromisoformat(receipt["received_at"][:10])
    assert abs((received - date.today()).days) <= 1 and receipt["received_at"].endswith("+00:00")
    assert first.headers["Cache-Control"] == "no-store"
    again = post(client, sent)
    assert again.status_code == 200
    assert again.get_json() == {"status": "duplicate", "receipt": receipt}
    assert count(app) == 1
    with app.app_context():
        stored = db.session.scalar(select(Response))
        assert stored.source == "api"
        assert stored.answers["services"] == ["condoms", "pep"]  # cleaned as the form cleans: in the questionnaire's order
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact)) > 0


def test_the_same_id_with_other_answers_is_a_conflict_and_writes_nothing(client, app, as_role, mini) -> None:
    as_role("monitor")
    sent = api_submission(mini)
    assert post(client, sent).status_code == 201
    tampered = {**sent, "answers": {**sent["answers"], "wait": "26"}}
    response = post(client, tampered)
    assert response.status_code == 409
    assert response.get_json()["status"] == "conflict" and response.get_json()["message"]
    assert count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Response.answers)).get("wait") == 25


def test_invalid_answers_are_listed_with_label_and_message_in_the_users_language(client, app, as_role, mini) -> None:
    as_role("monitor")
    client.post("/language", data={"lang": "uk"})
    response = post(client, api_submission(mini, answers={"tested": "no", "wait": "601", "services": ["pep", "condoms", "syringes"]}))
    assert response.status_code == 422
    data = response.get_json()
    assert data["status"] == "invalid" and data["message"] == "Деякі відповіді потрібно виправити."
    errors = {e["question"]: e for e in data["errors"]}
    assert set(errors) == {"why_not", "wait", "services"}
    assert errors["wait"]["label"] == "Час очікування"
    assert errors["wait"]["message"] == "Найбільше допустиме значення — 600."
    assert errors["why_not"]["message"] == "Будь ласка, дайте відповідь на це питання."
    assert count(app) == 0


def test_another_regions_facility_is_refused_and_nothing_is_stored(client, app, as_role, mini) -> None:
    as_role("monitor")
    for facility in (mini.odesa, 10**30, "x", 0, -1):
        response = post(client, api_submission(mini, facility=facility))
        assert response.status_code == 422, facility
        assert response.get_json()["message"] == "Please choose one of the facilities of your regions."
    assert count(app) == 0


@pytest.mark.parametrize("day", [(date.today() + timedelta(days=1)).isoformat(), "1999-12-31", "2026-02-30", "yesterday", ""])
def test_a_bad_interview_date_is_refused(client, app, as_role, mini, day) -> None:
    as_role("monitor")
    response = post(client, api_submission(mini, interview_date=day))
    assert response.status_code == 422
    assert "interview date" in response.get_json()["message"]
    assert count(app) == 0


def test_a_version_since_replaced_is_accepted_with_its_own_version(client, app, as_role, mini) -> None:
    as_role("monitor")
    with app.app_context():
        document = json.loads((FIXTURES / "mini.json").read_text())
        document["version"] = 2
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
    response = post(client, api_submission(mini, version=1))
    assert response.status_code == 201
    assert response.get_json()["receipt"]["version"] == 1
    with app.app_context():
        assert db.session.scalar(select(Response)).version.version == 1
    assert post(client, api_submission(mini, version=2)).get_json()["receipt"]["version"] == 2
    unknown = post(client, api_submission(mini, version=3))
    assert unknown.status_code == 422 and unknown.get_json()["errors"] == []
    assert post(client, api_submission(mini, questionnaire="nope")).status_code == 422
    assert count(app) == 2


def test_a_json_and_a_form_submission_of_one_id_are_one_interview(client, app, as_role, mini) -> None:
    as_role("monitor")
    sent = api_submission(mini, answers={"tested": "yes", "wait": "25"})
    with app.app_context():
        version_id = surveys.latest_version("mini").id
    form = {"submission_id": sent["submission_id"], "version": str(version_id), "facility": str(mini.kyiv),
            "interview_date": sent["interview_date"], "q_tested": "yes", "q_wait": "25"}
    assert client.post("/collect/mini/submit", data=form).status_code == 303
    response = post(client, sent)
    assert response.status_code == 200 and response.get_json()["status"] == "duplicate"
    # and the other way round, with other answers: a conflict either way
    other = api_submission(mini)
    assert post(client, other).status_code == 201
    form.update(submission_id=other["submission_id"], q_wait="99")
    assert client.post("/collect/mini/submit", data=form).status_code == 409
    assert count(app) == 2


def test_a_submission_ends_its_owners_draft(client, app, as_role, mini) -> None:
    as_role("monitor")
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    assert count(app, Draft) == 1
    assert post(client, api_submission(mini, submission_id=sid)).status_code == 201
    assert count(app, Draft) == 0


SHAPES = [
    ("submission_id", "not-a-uuid"), ("submission_id", 7), ("version", "one"), ("version", True), ("version", 0), ("version", 2**64),
    ("questionnaire", 7), ("questionnaire", ""), ("questionnaire", "\ud800"), ("answers", []), ("answers", {"wait": 5}),
    ("answers", {"wait": [1]}), ("answers", {"nope": "1"}), ("answers", {"\x00": "1"}), ("interview_date", 20260101),
    ("facility", None), ("facility", 1.5), ("facility", True),
]


@pytest.mark.parametrize("data", [None, [], "x", {}, {"submission_id": str(uuid.uuid4())}, *SHAPES])
def test_a_body_of_the_wrong_shape_is_400_json(client, app, as_role, mini, data) -> None:
    as_role("monitor")
    if isinstance(data, tuple):
        data = api_submission(mini, **{data[0]: data[1]})
    response = post(client, data)
    assert response.status_code == 400, data
    assert response.get_json()["status"] == "bad_request"
    assert count(app) == 0


def test_a_missing_key_is_400_and_an_extra_key_is_ignored(client, app, as_role, mini) -> None:
    as_role("monitor")
    sent = api_submission(mini)
    del sent["interview_date"]
    assert post(client, sent).status_code == 400
    assert post(client, api_submission(mini, started_at="2026-01-01T10:00")).status_code == 201


def test_malformed_json_is_400_json(client, as_role, mini) -> None:
    as_role("monitor")
    for raw in (b"{", b"\xff\xfe", b'{"a": NaN', b"", b"null"):
        response = client.post(f"{API}/submissions", data=raw, content_type="application/json")
        assert response.status_code == 400 and response.is_json, raw


def test_a_body_too_big_is_413_json(client, app, as_role, mini) -> None:
    as_role("monitor")
    response = post(client, api_submission(mini, answers={"story": "x" * 600_000}))
    assert response.status_code == 413
    assert response.get_json()["status"] == "too_large"
    assert count(app) == 0


def test_signed_out_is_401_json_never_a_redirect(client, mini) -> None:
    for method, path in (("GET", "/session"), ("GET", "/setup"), ("POST", "/submissions")):
        response = client.open(API + path, method=method, json=api_submission(mini) if method == "POST" else None)
        assert response.status_code == 401, path
        assert response.get_json()["status"] == "signed_out" and response.get_json()["message"]
        assert "Location" not in response.headers


def test_an_ended_session_is_401_and_the_phone_keeps_its_interview(client, app, as_role, mini) -> None:
    as_role("monitor")
    session = client.get(f"{API}/session")
    assert session.status_code == 200 and session.get_json()["username"] == "demo-monitor"
    client.post("/logout")
    response = post(client, api_submission(mini))
    assert response.status_code == 401 and response.get_json()["status"] == "signed_out"
    assert count(app) == 0


def test_an_advocate_is_403_json(client, as_role, mini) -> None:
    as_role("advocate")
    for method, path in (("GET", "/session"), ("GET", "/setup"), ("POST", "/submissions")):
        response = client.open(API + path, method=method, json=api_submission(mini) if method == "POST" else None)
        assert response.status_code == 403 and response.get_json()["status"] == "forbidden", path


def test_a_temporary_password_is_403_json_not_a_redirect(client, app, mini) -> None:
    with app.app_context():
        users.create_user("temp-monitor", PASSWORD, "monitor", [db.session.scalar(select(Region).where(Region.code == "kyiv"))],
                          temporary=True)
        db.session.commit()
    login(client, "temp-monitor")
    for method, path in (("GET", "/session"), ("GET", "/setup"), ("POST", "/submissions")):
        response = client.open(API + path, method=method, json=api_submission(mini) if method == "POST" else None)
        assert response.status_code == 403 and response.get_json()["status"] == "password_change", path


def test_unknown_api_paths_and_methods_answer_json(client, as_role) -> None:
    as_role("monitor")
    assert client.get(f"{API}/nothing").get_json()["status"] == "not_found"
    assert client.get(f"{API}/submissions").get_json()["status"] == "not_allowed"


def test_the_session_says_who_and_until_when(client, app, as_role) -> None:
    as_role("monitor")
    client.post("/language", data={"lang": "ru"})
    data = client.get(f"{API}/session").get_json()
    assert data["username"] == "demo-monitor" and data["language"] == "ru" and data["csrf_token"]
    with app.app_context():
        assert data["user_id"] == users.find_user("demo-monitor").id
    from datetime import datetime

    left = datetime.fromisoformat(data["expires_at"]) - datetime.now(datetime.fromisoformat(data["expires_at"]).tzinfo)
    assert timedelta(days=13, hours=23) < left <= timedelta(days=14)


def test_posts_need_the_csrf_token_in_a_header(make_app, world_for) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client, mini = world_for(app)
    token = client.get(f"{API}/session").get_json()["csrf_token"]
    refused = post(client, api_submission(mini))
    assert refused.status_code == 400 and refused.get_json()["status"] == "csrf"  # the app fetches a new token and sends again
    assert post(client, api_submission(mini), **{"X-CSRFToken": "x" + token[1:]}).get_json()["status"] == "csrf"
    assert post(client, api_submission(mini), **{"X-CSRFToken": token}).status_code == 201


def test_a_post_without_any_session_is_401_even_with_csrf_on(make_app, world_for) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client, mini = world_for(app, signed_in=False)
    response = post(client, api_submission(mini))
    assert response.status_code == 401 and response.get_json()["status"] == "signed_out"


@pytest.fixture
def world_for():
    """On an app with its own config: the demo world, mini published, a client (signed in as the monitor unless told)."""

    def make(app, signed_in: bool = True):
        from cml.services import demo

        with app.app_context():
            demo.load_demo(FIXTURES.parent.parent / "surveys")
            account = users.find_user("demo-monitor")
            users.set_password(account, PASSWORD, None)
            db.session.commit()
        mini = publish_mini(app)
        client = app.test_client()
        if signed_in:
            page = client.get("/login").get_data(as_text=True)
            import re

            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
            assert token is not None
            assert client.post("/login", data={"username": "demo-monitor", "password": PASSWORD, "csrf_token": token.group(1)}).status_code == 302
        return client, mini

    return make


def test_setup_lists_what_the_user_may_fill_where_with_an_etag(client, app, as_role, mini) -> None:
    as_role("monitor")
    response = client.get(f"{API}/setup")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    codes = {q["code"]: q for q in data["questionnaires"]}
    assert {"mini", "clinic_exit"} <= set(codes)
    assert codes["mini"]["version"] == 1 and codes["mini"]["definition"]["id"] == "mini"
    assert codes["mini"]["title"]["uk"] == "Міні-опитування" and codes["mini"]["subject"] == "facility"
    with app.app_context():
        mine = db.session.scalars(select(Region).where(Region.code.in_(["kharkiv", "kyiv"])).order_by(Region.code)).all()
        expected_facilities = {f.id for r in mine for f in r.facilities if f.active}
        stand_ins = dict(db.session.execute(select(Facility.region_id, Facility.id).where(Facility.stands_for_region.is_(True))).all())
        expected_regions = [{"id": r.id, "label": {k: r.label(k) for k in ("en", "uk", "ru")}, "stand_in": stand_ins[r.id]} for r in mine]
    facilities = data["places"]["facilities"]
    assert {f["id"] for f in facilities} == expected_facilities  # the monitor's regions only, no stand-in
    assert mini.kyiv in expected_facilities and mini.odesa not in expected_facilities
    assert set(facilities[0]["label"]) == {"en", "uk", "ru"}
    assert data["places"]["regions"] == expected_regions
    assert data["messages"]["uk"]["above_max"] == "Найбільше допустиме значення — %(max)s."
    assert data["messages"]["en"]["too_many_choices"] == "Choose at most %(max)s options."
    assert response.headers["ETag"].strip('"') == data["etag"]
    again = client.get(f"{API}/setup", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # Compressed, the header's tag names the encoding; that tag, and the body's, both answer 304.
    packed = client.get(f"{API}/setup", headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["Content-Encoding"] in ("br", "gzip") and packed.headers["ETag"] != response.headers["ETag"]
    for tag in (packed.headers["ETag"], f'"{data["etag"]}"', f'W/"{data["etag"]}"'):
        assert client.get(f"{API}/setup", headers={"If-None-Match": tag, "Accept-Encoding": "br, gzip"}).status_code == 304, tag
    # A new version changes the setup: the old ETag no longer matches.
    with app.app_context():
        document = json.loads((FIXTURES / "mini.json").read_text())
        document["version"] = 2
        surveys.publish(json.dumps(document).encode())
        db.session.commit()
    changed = client.get(f"{API}/setup", headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["etag"] != data["etag"]


def test_the_stand_in_from_setup_takes_a_region_questionnaire(client, app, as_role, mini) -> None:
    as_role("monitor")
    setup = client.get(f"{API}/setup").get_json()
    subjects = {q["code"]: q for q in setup["questionnaires"] if q["subject"] != "facility"}
    assert subjects, "the shipped questionnaires include one that belongs to a region or event"
    code, questionnaire = next(iter(subjects.items()))
    stand_in = setup["places"]["regions"][0]["stand_in"]
    sent = {"submission_id": str(uuid.uuid4()), "questionnaire": code, "version": questionnaire["version"], "facility": stand_in,
            "interview_date": date.today().isoformat(), "answers": {}}
    response = post(client, sent)
    assert response.status_code in (201, 422)
    if response.status_code == 422:  # required answers are missing, but the place itself was accepted
        assert response.get_json()["message"] == "Some answers need correcting."
    assert post(client, {**sent, "facility": mini.kyiv}).get_json()["message"] == "Please choose one of your regions."


def test_another_region_sees_other_places(client, as_role, mini) -> None:
    as_role("odesa")
    data = client.get(f"{API}/setup").get_json()
    assert mini.odesa in {f["id"] for f in data["places"]["facilities"]}
    assert mini.kyiv not in {f["id"] for f in data["places"]["facilities"]}
    assert [r["label"]["en"] for r in data["places"]["regions"]] == ["Odesa Oblast"]


JUNK = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False),
                 st.text(max_size=30), st.sampled_from(["\ud800", "a\x00b", "9" * 400, "2026-02-30", "1e309", "", " "]),
                 st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
ANSWER = st.one_of(st.sampled_from(["yes", "no", "dk", "no_kits", "respectful", "rude", "pep", "25", "-1", "601", "3.5", "x",
                                    date.today().isoformat(), "9999-12-31"]), st.text(max_size=12))


def test_fuzzed_json_bodies_never_give_a_5xx_and_store_nothing_half_way(client, app, as_role, mini) -> None:
    as_role("monitor")
    ids = [str(uuid.uuid4()) for _ in range(6)]  # a few ids, so repeats and conflicts happen
    stored: set[str] = set()
    failures: list[tuple[int, str]] = []
    statuses: dict[int, int] = {}
    junk_answers = st.dictionaries(st.sampled_from(["tested", "why_not", "wait", "cost", "attitude", "services", "rating", "visit_date",
                                                    "clinic_name_seen", "story"]),
                                   st.one_of(ANSWER, st.lists(ANSWER, max_size=3), JUNK), max_size=8)
    good_answers = st.fixed_dictionaries({"tested": st.sampled_from(["yes", "dk"])},
                                         optional={"wait": st.sampled_from(["0", "25"]), "attitude": st.sampled_from(["rude", "respectful"])})

    keys = ["submission_id", "questionnaire", "version", "facility", "interview_date", "answers"]
    valid = st.fixed_dictionaries({"submission_id": st.sampled_from(ids), "questionnaire": st.just("mini"), "version": st.just(1),
                                   "facility": st.just(mini.kyiv), "interview_date": st.just(date.today().isoformat()),
                                   "answers": good_answers})
    changed = st.tuples(valid, st.sampled_from(keys), st.one_of(JUNK, st.sampled_from(["clinic_exit", 2, mini.odesa]), junk_answers))
    dropped = st.tuples(valid, st.sampled_from(keys))
    bodies = st.one_of(valid, changed.map(lambda t: {**t[0], t[1]: t[2]}), dropped.map(lambda t: {k: v for k, v in t[0].items() if k != t[1]}),
                       JUNK)

    @settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(sent=bodies)
    def one(sent) -> None:
        wire = json.dumps(sent, ensure_ascii=True)  # a lone surrogate travels as the \ud800 escape a client can send
        response = client.post(f"{API}/submissions", data=wire, content_type="application/json")
        if response.status_code >= 500 or not response.is_json:
            failures.append((response.status_code, wire[:200]))
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 201:
            stored.add(sent["submission_id"])

    one()
    assert failures == []
    assert {200, 201, 400, 409, 422} <= set(statuses), statuses  # every answer was reached, not only the shape checks
    with app.app_context():
        assert {str(s) for s in db.session.scalars(select(Response.submission_id))} == stored
        # every stored response came with its facts and their sums: nothing half-stored
        facts = db.session.scalar(select(func.count()).select_from(IndicatorFact))
        assert db.session.scalar(select(func.coalesce(func.sum(IndicatorSum.facts), 0))) == facts
        orphans = select(func.count()).select_from(IndicatorFact).where(IndicatorFact.response_id.not_in(select(Response.id)))
        assert db.session.scalar(orphans) == 0
        with_tested = [r for r in db.session.scalars(select(Response)) if "tested" in r.answers]
        assert facts >= len(with_tested)


STORY = "Halyna-beaten-by-officer-Petrenko"


def test_nothing_of_the_answers_reaches_a_log(client, app, as_role, mini, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "sqlalchemy", "sqlalchemy.engine", "cml", "flask.app"):
        caplog.set_level(logging.DEBUG, logger=name)
    as_role("monitor")
    sent = api_submission(mini, answers={"tested": "yes", "story": STORY})
    assert post(client, sent).status_code == 201
    assert post(client, {**sent, "answers": {"tested": "yes", "story": STORY + "!"}}).status_code == 409
    assert post(client, api_submission(mini, answers={"tested": "maybe", "story": STORY})).status_code == 422
    assert post(client, api_submission(mini, answers={"tested": "yes", "story": STORY}, facility="\ud800" + STORY)).status_code == 422
    seen = [caplog.text] + [repr(r.__dict__) for r in caplog.records]
    assert STORY not in "\n".join(seen)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's page limit")
def test_a_full_disk_is_503_json_with_retry_after_and_a_later_send_stores_once(client, app, as_role, mini) -> None:
    import sqlite3

    from sqlalchemy import event

    as_role("monitor")
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.close()
        limit = {"pages": pages}

        @event.listens_for(db.engine, "connect")
        def _limit(dbapi_connection, _record) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

        db.engine.dispose()
    sent = [api_submission(mini, answers={"tested": "yes", "story": "x" * 3000 + str(n)}) for n in range(30)]
    answers = [post(client, one) for one in sent]
    refused = [one for one, answer in zip(sent, answers, strict=True) if answer.status_code == 503]
    assert refused and all(a.status_code in (201, 503) for a in answers)
    full = next(a for a in answers if a.status_code == 503)
    assert full.is_json and full.get_json()["status"] == "unavailable" and int(full.headers["Retry-After"]) > 0
    with app.app_context():
        limit["pages"] = 1073741823
        db.engine.dispose()
    assert all(post(client, one).status_code == 201 for one in refused)
    assert count(app) == len(sent)


def test_a_resend_is_answered_from_one_read_without_the_committer(client, app, as_role, mini, monkeypatch) -> None:
    from cml.services import committer

    as_role("monitor")
    sent = api_submission(mini)
    receipt = post(client, sent).get_json()["receipt"]

    def no_write(self, item):
        raise AssertionError("a resend went to the committer")

    stored = committer.Committer.store
    monkeypatch.setattr(committer.Committer, "store", no_write)
    assert post(client, sent).get_json() == {"status": "duplicate", "receipt": receipt}
    # Other answers under the same id go to the committer, which alone knows the earlier versions
    # of a corrected interview (a duplicate too): here they are a conflict, and nothing is written.
    monkeypatch.setattr(committer.Committer, "store", stored)
    assert post(client, {**sent, "answers": {"tested": "no", "why_not": "no_kits"}}).status_code == 409
    assert count(app) == 1


def test_after_a_correction_and_a_purge_the_phone_is_still_acknowledged(client, app, as_role, mini) -> None:
    """A phone that never got its acknowledgement resends the original answers: after a lead corrected
    the interview they are a duplicate (its earlier version), after a withdrawal and purge "withdrawn";
    stored once either way, and the phone may drop its copy."""
    from datetime import UTC, datetime

    from cml.models import User
    from cml.services import corrections, trash

    as_role("monitor")
    sent = api_submission(mini)
    assert post(client, sent).status_code == 201
    with app.app_context():
        response = db.session.scalar(select(Response))
        lead = db.session.scalar(select(User).where(User.role == "admin"))
        corrected = {"tested": "yes", "wait": "40", "attitude": "respectful", "services": ["pep"]}
        assert corrections.correct(response, lead, response.facility, response.interview_date, corrected) == 1
        db.session.commit()
    again = post(client, sent)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    with app.app_context():
        response = db.session.scalar(select(Response))
        lead = db.session.scalar(select(User).where(User.role == "admin"))
        trash.withdraw(response, lead, "withdrawn")
        db.session.commit()
        keep = timedelta(days=app.config["TRASH_DAYS"])
        assert trash.purge(keep, now=datetime.now(UTC) + keep + timedelta(seconds=1)) == 1
        db.session.commit()
    gone = post(client, sent)
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert gone.get_json()["receipt"]["submission_id"] == sent["submission_id"]
    assert count(app) == 0


def test_setup_words_a_number_of_choices_in_each_plural_form(client, app, as_role, mini) -> None:
    """Ukrainian says "щонайменше 2 варіанти" but "5 варіантів": the phone gets a template per plural
    category (CLDR's, which the browser's Intl.PluralRules also names), not only the form of 5."""
    as_role("monitor")
    setup = client.get(f"{API}/setup").get_json()
    least = setup["plurals"]["uk"]["too_few_choices"]
    assert set(least) == {"one", "few", "many"}
    assert least["few"] != least["many"] and "%(min)s" in least["few"]
    assert setup["plurals"]["en"]["too_many_choices"] == {"one": "Choose at most %(max)s option.", "other": "Choose at most %(max)s options."}
    assert setup["time_zone"]["name"] == app.config["TIMEZONE"] and setup["time_zone"]["label"]["uk"] == "Київ"
