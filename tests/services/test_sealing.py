"""Sensitive answers sealed at rest: round trip, tamper, rotation, exactly-once with keyed fingerprints, legacy rows."""

from __future__ import annotations

import hashlib
import os
import stat
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cml.extensions import db
from cml.models import Draft, Response
from cml.services import answer_keys, drafts, sealing, surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.committer import Committer
from cml.services.response_rows import submission_payload
from cml.services.responses import SubmissionConflict, all_answers, form_version, prepare, store_response
from tests.conftest import FIXTURES
from tests.fixtures.mini_survey import facility, publish_mini

ANSWERS = {"tested": "yes", "wait": 20, "attitude": "rude", "clinic_name_seen": "Clinic 7 on Shevchenka",
           "story": "The nurse called the police on Olena"}


def test_a_round_trip_keeps_the_answers_and_the_plain_column_holds_only_non_sensitive_ones(app, mini) -> None:
    with app.app_context():
        sid = uuid.uuid4()
        store_response(sid, mini.questionnaire_version(), facility(), date(2026, 10, 1), ANSWERS, None)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(select(Response).where(Response.submission_id == sid))
        assert stored.answers == {"tested": "yes", "wait": 20, "attitude": "rude"}
        assert stored.sealed_answers is not None and b"Olena" not in stored.sealed_answers
        assert all_answers(stored) == ANSWERS


def test_a_sealed_value_moved_to_another_row_or_altered_does_not_open(app) -> None:
    with app.app_context():
        ring = sealing.keyring()
        one, other = sealing.identity("responses", uuid.uuid4()), sealing.identity("responses", uuid.uuid4())
        sealed, _ = sealing.seal(ring, one, {"story": "secret"})
        assert sealing.unseal(ring, one, sealed) == {"story": "secret"}
        with pytest.raises(sealing.SealError):
            sealing.unseal(ring, other, sealed)  # moved between rows
        with pytest.raises(sealing.SealError):  # the same submission id, but a draft's value is not a response's
            sealing.unseal(ring, sealing.identity("drafts", uuid.UUID(bytes=one.split(b":", 1)[1])), sealed)
        for position in (0, 3, 30, len(sealed) - 1):  # header, key id, wrapped key, body
            altered = bytearray(sealed)
            altered[position] ^= 1
            with pytest.raises(sealing.SealError):
                sealing.unseal(ring, one, bytes(altered))
        with pytest.raises(sealing.SealError):  # another instance's key
            sealing.unseal(sealing.Keyring(os.urandom(32)), one, sealed)


def test_a_ciphertext_swapped_between_rows_in_the_database_is_refused(app, mini) -> None:
    with app.app_context():
        first, second = uuid.uuid4(), uuid.uuid4()
        for sid in (first, second):
            store_response(sid, mini.questionnaire_version(), facility(), date(2026, 10, 1), ANSWERS, None)
        db.session.commit()
        a, b = (db.session.scalar(select(Response).where(Response.submission_id == s)) for s in (first, second))
        a.sealed_answers = b.sealed_answers
        db.session.commit()
        with pytest.raises(sealing.SealError):
            all_answers(a)


def test_a_retry_is_recognised_through_the_keyed_fingerprint_on_every_write_path(app, mini) -> None:
    with app.app_context():
        version, kyiv = mini.questionnaire_version(), facility()
        sid = uuid.uuid4()
        assert not store_response(sid, version, kyiv, date(2026, 10, 1), ANSWERS, None).duplicate
        assert store_response(sid, version, kyiv, date(2026, 10, 1), dict(ANSWERS), None).duplicate
        with pytest.raises(SubmissionConflict):  # only the free text differs
            store_response(sid, version, kyiv, date(2026, 10, 1), {**ANSWERS, "story": "The nurse called the police on Oksana"}, None)
        db.session.commit()
        stored = db.session.scalar(select(Response).where(Response.submission_id == sid))
        # keyed: the fingerprint is not the SHA-256 anyone could compute by guessing the free text
        assert stored.answers_hash != hashlib.sha256(submission_payload(version.id, kyiv.id, date(2026, 10, 1), ANSWERS).encode()).hexdigest()
        # the group committer and the bulk store compare the same way
        form = form_version("mini", version.id)
        place = type("Place", (), {"id": kyiv.id, "region_id": kyiv.region_id})()
        committer = Committer(db.engine)
        changed = {**ANSWERS, "clinic_name_seen": "Clinic 8"}
        same_item, changed_item = (prepare(sid, form, place, date(2026, 10, 1), answers, None) for answers in (ANSWERS, changed))
        db.session.commit()  # the committer writes on its own connection
        assert committer.store(same_item).status == "duplicate"
        assert committer.store(changed_item).status == "conflict"
        result = store_many(version, [NewResponse(sid, kyiv.id, kyiv.region_id, date(2026, 10, 1), ANSWERS),
                                      NewResponse(sid, kyiv.id, kyiv.region_id, date(2026, 10, 1), changed)], source="import")
        assert (result.stored, result.duplicates, result.conflicts) == (0, 1, [sid])


def test_drafts_keep_their_free_text_sealed(app, mini) -> None:
    from cml.services import users

    with app.app_context():
        version, monitor = mini.questionnaire_version(), users.find_user("demo-monitor")
        model = surveys.model_of(version)
        draft = drafts.open_draft(uuid.uuid4(), monitor, version, facility(), date(2026, 10, 1))
        drafts.save_section(draft, model, ["tested", "why_not", "wait", "cost"], {"tested": "yes", "wait": "20"})
        drafts.save_section(draft, model, ["attitude", "clinic_name_seen", "story"], {"attitude": "rude", "story": "Olena was beaten"})
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Draft, draft.submission_id)
        assert stored.answers == {"tested": "yes", "wait": "20", "attitude": "rude"}
        assert drafts.answers_of(stored) == {"tested": "yes", "wait": "20", "attitude": "rude", "story": "Olena was beaten"}
        drafts.save_section(stored, model, ["attitude", "clinic_name_seen", "story"], {"attitude": "rude"})
        assert stored.sealed_answers is None and drafts.answers_of(stored) == {"tested": "yes", "wait": "20", "attitude": "rude"}


def test_rotation_rewraps_every_key_and_the_old_key_can_go(app, mini, runner) -> None:
    instance = app.instance_path
    with app.app_context():
        version, kyiv = mini.questionnaire_version(), facility()
        ids = [uuid.uuid4() for _ in range(5)]
        for sid in ids:
            store_response(sid, version, kyiv, date(2026, 10, 1), ANSWERS, None)
        from cml.services import users

        draft = drafts.open_draft(uuid.uuid4(), users.find_user("demo-monitor"), version, kyiv, date(2026, 10, 1))
        drafts.save_section(draft, surveys.model_of(version), ["story"], {"story": "draft secret"})
        draft_id = draft.submission_id
        db.session.commit()
        old_ring = sealing.keyring()
        fingerprints = dict(db.session.execute(select(Response.submission_id, Response.answers_hash)).all())
    old_key = Path(instance, "answer_key").read_text()
    result = runner.invoke(args=["keys", "rotate", "--batch", "2", "--grace", "0"])
    assert result.exit_code == 0, result.output
    assert "6 data key(s) re-wrapped" in result.output
    assert not os.path.exists(os.path.join(instance, "answer_key.old"))
    new_key = Path(instance, "answer_key").read_text()
    assert new_key != old_key and stat.S_IMODE(os.stat(os.path.join(instance, "answer_key")).st_mode) == 0o600
    with app.app_context():
        ring = sealing.keyring()
        assert ring.others == () and ring.current == sealing.decode_key(new_key)
        db.session.expire_all()
        for response in db.session.scalars(select(Response)):
            assert all_answers(response) == ANSWERS
            assert sealing.sealed_under(response.sealed_answers) == ring.current_id
            with pytest.raises(sealing.SealError):  # the old key alone no longer opens anything
                sealing.unseal(sealing.Keyring(old_ring.current), sealing.identity("responses", response.submission_id), response.sealed_answers)
        assert drafts.answers_of(db.session.get(Draft, draft_id))["story"] == "draft secret"
        # the data keys did not change, so the fingerprints and the exactly-once check still hold
        assert dict(db.session.execute(select(Response.submission_id, Response.answers_hash)).all()) == fingerprints
        assert store_response(ids[0], mini.questionnaire_version(), facility(), date(2026, 10, 1), ANSWERS, None).duplicate


def test_an_interrupted_rotation_resumes_with_both_keys(app, mini, runner, monkeypatch) -> None:
    with app.app_context():
        version, kyiv = mini.questionnaire_version(), facility()
        for _ in range(4):
            store_response(uuid.uuid4(), version, kyiv, date(2026, 10, 1), ANSWERS, None)
        db.session.commit()
    calls = {"n": 0}
    real = sealing.rewrap

    def failing(ring, row, sealed):
        calls["n"] += 1
        if calls["n"] == 3:
            raise sealing.SealError("simulated crash")
        return real(ring, row, sealed)

    monkeypatch.setattr(sealing, "rewrap", failing)
    first = runner.invoke(args=["keys", "rotate", "--batch", "2", "--grace", "0"])
    assert first.exit_code == 1 and "run `keys rotate` again" in first.output
    assert os.path.exists(os.path.join(app.instance_path, "answer_key.old"))
    with app.app_context():  # half-way: every answer still opens, with the two keys the server reads
        db.session.expire_all()
        assert all(all_answers(r) == ANSWERS for r in db.session.scalars(select(Response)))
        under = {sealing.sealed_under(r.sealed_answers) for r in db.session.scalars(select(Response))}
        assert len(under) == 2  # the first batch (all or nothing) is done, the second not
    monkeypatch.setattr(sealing, "rewrap", real)
    second = runner.invoke(args=["keys", "rotate", "--batch", "2", "--grace", "0"])
    assert second.exit_code == 0, second.output
    assert "2 data key(s) re-wrapped" in second.output
    with app.app_context():
        db.session.expire_all()
        assert all(all_answers(r) == ANSWERS for r in db.session.scalars(select(Response)))
        db.session.commit()  # outside a request the session holds SQLite's write lock
        assert answer_keys.under_other_keys(db.engine, sealing.keyring()) == 0


def test_rotation_with_keys_from_the_environment(make_app, world) -> None:
    old, new = sealing.new_key_text(), sealing.new_key_text()
    app = make_app(ANSWER_KEY=old)
    mini = publish_mini(app)
    with app.app_context():
        store_response(uuid.uuid4(), mini.questionnaire_version(), facility(), date(2026, 10, 1), ANSWERS, None)
        db.session.commit()
    assert not os.path.exists(os.path.join(app.instance_path, "answer_key"))  # the configured key is used, no file made
    refused = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert refused.exit_code == 1 and "CML_ANSWER_KEY_OLD" in refused.output
    rotated = make_app(ANSWER_KEY=new, ANSWER_KEY_OLD=old)
    result = rotated.test_cli_runner().invoke(args=["keys", "rotate", "--grace", "0"])
    assert result.exit_code == 0 and "1 data key(s) re-wrapped" in result.output
    with make_app(ANSWER_KEY=new).app_context():
        assert all(all_answers(r) == ANSWERS for r in db.session.scalars(select(Response)))


def test_rows_stored_before_sealing_are_sealed_by_the_migration_step(app, mini) -> None:
    with app.app_context():
        version, kyiv = mini.questionnaire_version(), facility()
        sid = uuid.uuid4()
        store_response(sid, version, kyiv, date(2026, 10, 1), ANSWERS, None)
        db.session.commit()
        legacy = hashlib.sha256(submission_payload(version.id, kyiv.id, date(2026, 10, 1), ANSWERS).encode()).hexdigest()
        response = db.session.scalar(select(Response).where(Response.submission_id == sid))
        response.answers, response.sealed_answers, response.answers_hash = dict(ANSWERS), None, legacy  # as before the migration
        db.session.commit()
        assert answer_keys.seal_legacy(db.session.connection(), sealing.keyring) == 1
        db.session.commit()
        db.session.expire_all()
        response = db.session.scalar(select(Response).where(Response.submission_id == sid))
        assert "story" not in response.answers and all_answers(response) == ANSWERS
        assert response.answers_hash != legacy
        assert store_response(sid, version, kyiv, date(2026, 10, 1), ANSWERS, None).duplicate
        answer_keys.unseal_all(db.session.connection(), sealing.keyring)  # the downgrade
        db.session.commit()
        db.session.expire_all()
        response = db.session.scalar(select(Response).where(Response.submission_id == sid))
        assert response.answers == ANSWERS and response.answers_hash == legacy


def test_a_stored_version_with_an_unexplained_opt_out_is_sealed_anyway(app, world) -> None:
    """Versions published before the rule (training evaluation v1 said "sensitive": false without a reason)."""
    import json

    from cml.models import QuestionnaireVersion

    with app.app_context():
        document = json.loads((FIXTURES / "mini.json").read_text())
        document["sections"][1]["questions"][5]["sensitive"] = False
        with pytest.raises(surveys.PublishError):  # the check refuses it now, so it is stored as an old database holds it
            surveys.publish(json.dumps(document).encode())
        from cml.models import Questionnaire as QuestionnaireRow

        row = QuestionnaireRow(code="mini", title=document["title"])
        db.session.add(row)
        db.session.flush()
        content = surveys.canonical_json(document)
        version = QuestionnaireVersion(questionnaire_id=row.id, version=1, content=content, content_hash=hashlib.sha256(content.encode()).hexdigest())
        db.session.add(version)
        db.session.flush()
        sid = uuid.uuid4()
        store_response(sid, version, facility(), date(2026, 10, 1), ANSWERS, None)
        db.session.commit()
        stored = db.session.scalar(select(Response).where(Response.submission_id == sid))
        assert "story" not in stored.answers and all_answers(stored)["story"] == ANSWERS["story"]


def test_indicators_rebuild_counts_sealed_answers(app, world, runner) -> None:
    """An indicator may count a sensitive answer, which is sealed: a rebuild opens it (and gives the same facts)."""
    import json

    from cml.models import IndicatorFact

    document = json.loads((FIXTURES / "mini.json").read_text())
    document["sections"][0]["questions"][0]["sensitive"] = True  # "tested", which indicators count
    with app.app_context():
        version = surveys.publish(json.dumps(document).encode()).version
        kyiv = facility()
        items = [NewResponse(uuid.uuid4(), kyiv.id, kyiv.region_id, date(2026, 10, 1), {"tested": tested, "wait": 20 + n, "attitude": "rude"})
                 for n, tested in enumerate(["yes", "no", "yes", "dont_know"])]
        items[1].answers["why_not"] = "refused"
        store_many(version, items, source="import")
        db.session.commit()
        facts = select(IndicatorFact.response_id, IndicatorFact.indicator, IndicatorFact.numerator, IndicatorFact.denominator)
        before = set(db.session.execute(facts).all())
        assert all("tested" not in r.answers for r in db.session.scalars(select(Response)))
        assert sorted((f[2], f[3]) for f in before if f[1] == "offered_test") == [(0.0, 1.0), (1.0, 1.0), (1.0, 1.0)]
        db.session.commit()
    result = runner.invoke(args=["indicators", "rebuild", "--survey", "mini"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(db.session.execute(facts).all()) == before
