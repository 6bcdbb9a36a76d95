"""Keeping the sealed answers under the right key: sealing rows stored before encryption, and
re-wrapping every data key under a new key-encryption key (`flask --app cml keys rotate`).

Both work in batches, one transaction each, on plain Core tables (the migration runs them
too, so they must not depend on the models of a later schema), and both can be run again
after a failure: they only touch the rows not yet done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Date, Integer, LargeBinary, String, Uuid, bindparam, column, select, table, update
from sqlalchemy.engine import Connection, Engine

from cml.core.questionnaire import Questionnaire, parse_document
from cml.services import sealing
from cml.services.response_rows import canonical_answers, payload

BATCH = 2000

_responses = table("responses", column("id", Integer), column("submission_id", Uuid), column("questionnaire_version_id", Integer),
                   column("facility_id", Integer), column("interview_date", Date), column("answers", JSON),
                   column("sealed_answers", LargeBinary), column("answers_hash", String))
_drafts = table("drafts", column("submission_id", Uuid), column("questionnaire_version_id", Integer), column("answers", JSON),
                column("sealed_answers", LargeBinary))
_versions = table("questionnaire_versions", column("id", Integer), column("content", String))


def _models(connection: Connection) -> Callable[[int], Questionnaire]:
    cache: dict[int, Questionnaire] = {}

    def model(version_id: int) -> Questionnaire:
        if version_id not in cache:
            content = connection.execute(select(_versions.c.content).where(_versions.c.id == version_id)).scalar_one()
            parsed, problems = parse_document(json.loads(content))
            if parsed is None:
                raise ValueError(f"questionnaire version {version_id} no longer parses: {problems[:1]}")
            cache[version_id] = parsed
        return cache[version_id]

    return model


def seal_legacy(connection: Connection, ring: Callable[[], sealing.Keyring]) -> int:
    """Seal the sensitive answers of responses and drafts stored in plain, and give their
    fingerprints a key. The caller's transaction (the migration's) holds every batch."""
    model, done, after = _models(connection), 0, 0
    while rows := connection.execute(
        select(_responses).where(_responses.c.sealed_answers.is_(None), _responses.c.id > after).order_by(_responses.c.id).limit(BATCH)
    ).all():
        keys = ring()
        changes = []
        for row in rows:
            answers = row.answers if isinstance(row.answers, dict) else {}
            plain, sensitive = sealing.split(model(row.questionnaire_version_id), answers)
            sealed, key = sealing.seal(keys, sealing.identity("responses", row.submission_id), sensitive)
            submitted = payload(row.questionnaire_version_id, row.facility_id, row.interview_date, canonical_answers(answers))
            changes.append({"row_id": row.id, "plain": plain, "sealed": sealed, "digest": sealing.fingerprint(key, submitted)})
        connection.execute(update(_responses).where(_responses.c.id == bindparam("row_id"))
                           .values(answers=bindparam("plain"), sealed_answers=bindparam("sealed"), answers_hash=bindparam("digest")), changes)
        done, after = done + len(rows), rows[-1].id
    for draft in connection.execute(select(_drafts).where(_drafts.c.sealed_answers.is_(None))).all():
        plain, sensitive = sealing.split(model(draft.questionnaire_version_id), draft.answers if isinstance(draft.answers, dict) else {})
        if sensitive:
            sealed = sealing.seal(ring(), sealing.identity("drafts", draft.submission_id), sensitive)[0]
            connection.execute(update(_drafts).where(_drafts.c.submission_id == draft.submission_id).values(answers=plain, sealed_answers=sealed))
    return done


def unseal_all(connection: Connection, ring: Callable[[], sealing.Keyring]) -> None:
    """Back to plain answers and unkeyed fingerprints (the migration's downgrade)."""
    for row in connection.execute(select(_responses).where(_responses.c.sealed_answers.is_not(None))).all():
        answers = {**row.answers, **sealing.unseal(ring(), sealing.identity("responses", row.submission_id), row.sealed_answers)}
        digest = hashlib.sha256(payload(row.questionnaire_version_id, row.facility_id, row.interview_date, canonical_answers(answers)).encode())
        connection.execute(update(_responses).where(_responses.c.id == row.id).values(answers=answers, answers_hash=digest.hexdigest()))
    for draft in connection.execute(select(_drafts).where(_drafts.c.sealed_answers.is_not(None))).all():
        answers = {**draft.answers, **sealing.unseal(ring(), sealing.identity("drafts", draft.submission_id), draft.sealed_answers)}
        connection.execute(update(_drafts).where(_drafts.c.submission_id == draft.submission_id).values(answers=answers))


# --- rotation ------------------------------------------------------------------------------

@dataclass
class Rotation:
    rewrapped: int = 0
    batches: int = 0
    already: int = 0
    """Values found under the new key already (written since, or by an interrupted run)."""


def rewrap_all(engine: Engine, ring: sealing.Keyring, batch: int = BATCH) -> Rotation:
    """Every sealed value's data key wrapped by the ring's current key: a transaction per batch,
    so an interrupted run keeps what it finished and the next run goes on from there."""
    result = Rotation()
    for name, source, key in (("responses", _responses, _responses.c.id), ("drafts", _drafts, _drafts.c.submission_id)):
        after: Any = None
        while True:
            with engine.begin() as connection:
                query = select(key, source.c.submission_id, source.c.sealed_answers).where(source.c.sealed_answers.is_not(None))
                if after is not None:
                    query = query.where(key > after)
                rows = connection.execute(query.order_by(key).limit(batch)).all()
                if not rows:
                    break
                after = rows[-1][0]
                changes = [{"row_key": row[0], "sealed": sealing.rewrap(ring, sealing.identity(name, row[1]), bytes(row[2]))}
                           for row in rows if sealing.sealed_under(bytes(row[2])) != ring.current_id]
                result.already += len(rows) - len(changes)
                if changes:
                    connection.execute(update(source).where(key == bindparam("row_key")).values(sealed_answers=bindparam("sealed")), changes)
                    result.rewrapped += len(changes)
                    result.batches += 1
    return result


def under_other_keys(engine: Engine, ring: sealing.Keyring) -> int:
    """How many sealed values are not (yet) wrapped by the ring's current key."""
    count = 0
    with engine.connect() as connection:
        for source in (_responses, _drafts):
            for (sealed,) in connection.execute(select(source.c.sealed_answers).where(source.c.sealed_answers.is_not(None))):
                count += sealing.sealed_under(bytes(sealed)) != ring.current_id
    return count


def start_file_rotation(instance: Path) -> sealing.Keyring:
    """Keep the current key as `answer_key.old` and write a new `answer_key`; resume a started rotation.

    The old key is written (and synced) before the new one replaces it, so at every moment both
    files together open every value; a server reads the new key at its next seal.
    """
    current, old = instance / sealing.KEY_FILE, instance / sealing.OLD_KEY_FILE
    if not old.exists():
        sealing.write_secret(old, sealing.instance_key(instance), replace=True)
    if sealing.decode_key(current.read_text()) == sealing.decode_key(old.read_text()):  # not replaced yet (or a first run stopped here)
        sealing.write_secret(current, sealing.new_key_text(), replace=True)
    return sealing.Keyring(sealing.decode_key(current.read_text()), (sealing.decode_key(old.read_text()),))


def finish_file_rotation(instance: Path) -> None:
    (instance / sealing.OLD_KEY_FILE).unlink()

