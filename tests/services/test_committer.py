"""Group commit: batches of concurrent submissions, each answered only after its transaction committed."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Facility, IndicatorFact, IndicatorSum, Response
from cml.services import sealing
from cml.services.committer import Committer, Outcome, Submission, committer_for
from cml.services.responses import form_version, prepare
from tests.fixtures.mini_survey import facility


@pytest.fixture
def make_item(app, mini):
    """A factory of prepared submissions to the mini questionnaire at Kyiv."""
    with app.app_context():
        version = form_version("mini", mini.version)
        kyiv = facility()
        assert version is not None
        place = type("Place", (), {"id": kyiv.id, "region_id": kyiv.region_id})()

    def make(submission_id: uuid.UUID | None = None, wait: int = 25, user: object = None) -> Submission:
        answers = {"tested": "yes", "wait": wait, "attitude": "respectful"}
        with app.app_context():  # sealing reads the instance's answer key
            return prepare(submission_id or uuid.uuid4(), version, place, date(2026, 10, 1), answers, user)

    return make


def _rows(app) -> dict[str, int]:
    with app.app_context():
        return {
            "responses": db.session.scalar(select(func.count()).select_from(Response)),
            "facts": db.session.scalar(select(func.count()).select_from(IndicatorFact)),
            "summed": int(db.session.scalar(select(func.coalesce(func.sum(IndicatorSum.facts), 0)))),
        }


def _visible(app) -> int:
    """Responses another connection can see (a bare read: no write lock, unlike the app's sessions outside requests)."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT count(*) FROM responses")
            return int(cursor.fetchone()[0])
        finally:
            raw.rollback()
            raw.close()


def _in_threads(committer: Committer, items: list[Submission], results: list[Any] | None = None) -> list[Outcome | BaseException]:
    """Each item stored from its own thread; `results[i]` is filled the moment store returns."""
    results = results if results is not None else [None] * len(items)

    def run(number: int) -> None:
        try:
            results[number] = committer.store(items[number])
        except BaseException as error:  # noqa: BLE001 — handed to the test
            results[number] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _queue_behind_a_held_batch(app, committer: Committer, items: list[Submission]) -> list[Outcome | BaseException]:
    """Hold a first batch open until every item is waiting, so they are written as one batch."""
    release = threading.Event()
    first = True

    def hold(_batch: list[Submission]) -> None:
        nonlocal first
        if first:
            first = False
            release.wait(10)

    committer.before_commit = hold
    results: list[Any] = []
    opener = threading.Thread(target=lambda: results.append(committer.store(items[0])))
    opener.start()
    while not committer._busy:
        pass
    waiting = threading.Thread(target=lambda: results.extend(_in_threads(committer, items[1:])))
    waiting.start()
    while len(committer._waiting) < len(items) - 1:
        threading.Event().wait(0.01)
    release.set()
    opener.join(30)
    waiting.join(30)
    return results


def test_a_batch_with_a_duplicate_and_a_conflict_answers_each_and_stores_each_id_once(app, make_item) -> None:
    with app.app_context():
        committer = Committer(db.engine)
    known = make_item()
    again = uuid.uuid4()
    items = [
        known,  # the held first batch
        make_item(again), make_item(again),  # the same submission twice in one batch
        replace(make_item(again, wait=40), submission_id=again),  # same id, different answers
        make_item(known.submission_id),  # a retry of the first batch's submission
        make_item(),
    ]
    results = _queue_behind_a_held_batch(app, committer, items)
    assert committer.batches == 2
    statuses = [r.status for r in results]  # type: ignore[union-attr]
    assert statuses == ["stored", "stored", "duplicate", "conflict", "duplicate", "stored"]
    assert results[1].response_id == results[2].response_id == results[3].response_id  # type: ignore[union-attr]
    assert results[4].response_id == results[0].response_id  # type: ignore[union-attr]
    counts = _rows(app)
    assert counts["responses"] == 3
    assert counts["facts"] == counts["summed"] == 3 * len(known.facts)  # sums written with the facts
    with app.app_context():
        stored = db.session.scalar(select(Response).where(Response.submission_id == again))
        assert stored is not None and stored.answers["wait"] == 25


def test_a_failing_item_fails_alone(app, make_item) -> None:
    with app.app_context():
        committer = Committer(db.engine)
    broken = make_item()
    broken = replace(broken, response={**broken.response, "facility_id": 999_999})  # no such facility: a foreign key error
    items = [make_item(), make_item(), broken, make_item()]
    results = _queue_behind_a_held_batch(app, committer, items)
    assert isinstance(results[2], Exception)
    assert [r.status for i, r in enumerate(results) if i != 2] == ["stored"] * 3  # type: ignore[union-attr]
    assert _rows(app)["responses"] == 3


@pytest.mark.parametrize("commit_fails", [False, True], ids=["commit", "failed-commit"])
def test_nothing_is_acknowledged_before_the_commit(app, make_item, commit_fails) -> None:
    with app.app_context():
        committer = Committer(db.engine)
    items = [make_item() for _ in range(4)]
    position = {item.submission_id: number for number, item in enumerate(items)}
    results: list[Any] = [None] * len(items)
    seen: list[tuple[bool, int, int]] = []

    def just_before_commit(batch: list[Submission]) -> None:
        # the batch's items: none answered yet, none visible to another connection
        answered = any(results[position[item.submission_id]] is not None for item in batch)
        seen.append((answered, _visible(app), sum(isinstance(r, Outcome) for r in results)))  # acknowledged so far
        if commit_fails:
            raise RuntimeError("the disk is gone")

    committer.before_commit = just_before_commit
    _in_threads(committer, items, results)
    assert seen and not any(answered for answered, _, _ in seen)
    assert all(earlier_answers <= visible for _, visible, earlier_answers in seen)
    if commit_fails:
        assert all(isinstance(r, RuntimeError) for r in results)
        assert _rows(app)["responses"] == 0
    else:
        assert [r.status for r in results] == ["stored"] * len(items)
        assert _rows(app)["responses"] == len(items)


def test_one_committer_per_app_and_engine(app) -> None:
    with app.app_context():
        first = committer_for(app, db.engine)
        assert committer_for(app, db.engine) is first
        if db.engine.dialect.name == "sqlite":
            assert first.lock_path is not None and first.lock_path.endswith("-writers.lock")
        else:
            assert first.lock_path is None


def _stored_as(app, submission_id: uuid.UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The response row and its facts exactly as the database holds them (bare driver: no type processing)."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            key = submission_id.hex if db.engine.dialect.name == "sqlite" else submission_id
            marker = "?" if db.engine.dialect.name == "sqlite" else "%s"
            cursor.execute(f"SELECT * FROM responses WHERE submission_id = {marker}", (key,))  # noqa: S608 (constant)
            names = [d[0] for d in cursor.description]
            response = dict(zip(names, cursor.fetchone(), strict=True))
            cursor.execute(f"SELECT * FROM indicator_facts WHERE response_id = {marker} ORDER BY indicator", (response["id"],))  # noqa: S608
            names = [d[0] for d in cursor.description]
            facts = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            raw.rollback()
            raw.close()
    for row in facts:
        del row["response_id"]
    return response, facts


def test_the_committer_writes_the_rows_the_orm_writes(app, make_item) -> None:
    """The committer writes through the bare driver; its rows must be stored exactly as SQLAlchemy's types store them."""
    from cml.models import QuestionnaireVersion
    from cml.services.responses import store_response

    by_committer = make_item(wait=37)
    with app.app_context():
        committer = Committer(db.engine)
        assert committer.store(by_committer).status == "stored"
        response = by_committer.response
        version = db.session.get(QuestionnaireVersion, response["questionnaire_version_id"])
        facility = db.session.get(Facility, response["facility_id"])
        by_orm = uuid.uuid4()
        store_response(by_orm, version, facility, response["interview_date"], response["answers"], None)
        db.session.commit()
    written, written_facts = _stored_as(app, by_committer.submission_id)
    expected, expected_facts = _stored_as(app, by_orm)
    assert written["submission_id"] == (by_committer.submission_id.hex if isinstance(written["submission_id"], str) else by_committer.submission_id)
    with app.app_context():  # each row has its own data key: the sealed values differ, what they hold does not
        opened = [sealing.unseal(sealing.keyring(), sealing.identity("responses", sid), bytes(row["sealed_answers"]))
                  for sid, row in ((by_committer.submission_id, written), (by_orm, expected))]
    assert opened[0] == opened[1] == {}
    for row in (written, expected):
        for column in ("id", "submission_id", "received_at", "sealed_answers", "answers_hash"):
            del row[column]
    assert written == expected
    assert written_facts == expected_facts and len(written_facts) == len(by_committer.facts)
    with app.app_context():  # and read back through the ORM as what was sent
        stored = db.session.scalar(select(Response).where(Response.submission_id == by_committer.submission_id))
        assert stored is not None
        assert (stored.answers, stored.interview_date) == (response["answers"], response["interview_date"])


def test_a_stored_submission_ends_its_draft(app, make_item) -> None:
    from cml.models import Draft, User
    from cml.services import users

    with app.app_context():
        monitor = users.find_user("demo-monitor")
        assert isinstance(monitor, User)
        items = [make_item(user=monitor) for _ in range(3)]
        for item in items:
            db.session.add(Draft(submission_id=item.submission_id, user_id=monitor.id,
                                 questionnaire_version_id=item.response["questionnaire_version_id"], answers={}))
        db.session.commit()
        again = make_item(items[1].submission_id, wait=41, user=monitor)
        db.session.commit()  # the session's reads hold SQLite's write lock outside a request
        committer = Committer(db.engine)
        committer.store(items[0])
        committer.store(replace(again, submission_id=items[1].submission_id))  # stored
        left = set(db.session.scalars(select(Draft.submission_id)))
    assert left == {items[2].submission_id}


def test_a_submission_never_ends_another_users_draft(app, make_item) -> None:
    """Another user who sends a submission with the id of my draft cannot delete it."""
    from cml.models import Draft, User
    from cml.services import users

    with app.app_context():
        monitor, other = users.find_user("demo-monitor"), users.find_user("odesa-monitor")
        assert isinstance(monitor, User) and isinstance(other, User)
        mine = make_item(user=monitor)
        db.session.add(Draft(submission_id=mine.submission_id, user_id=monitor.id,
                             questionnaire_version_id=mine.response["questionnaire_version_id"], answers={"tested": "yes"}))
        theirs = make_item(mine.submission_id, user=other)
        db.session.commit()
        Committer(db.engine).store(theirs)
        left = set(db.session.scalars(select(Draft.submission_id).where(Draft.user_id == monitor.id)))
    assert left == {mine.submission_id}
