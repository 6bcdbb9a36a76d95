"""The one definition of a response row and its fingerprint, for every writer of responses.

The group committer (web and API submissions), the bulk store (paper imports, generated data),
`store_response` and corrections build their rows here, by column name, and recognise a resend
here: a known submission id is a duplicate when its submission fingerprints as the stored
version, as any earlier version of a corrected response (`response_revisions`), or when the id
belongs to a response purged from the trash (`purged_submissions`); anything else is a conflict.
Adding a column to `responses` means adding it to RESPONSE_COLUMNS and `response_row`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from cml.core.periods import month_key
from cml.core.questionnaire import Answer, Questionnaire
from cml.models import PurgedSubmission, Response, ResponseRevision
from cml.services import sealing

RESPONSE_COLUMNS = ("id", "submission_id", "questionnaire_version_id", "region_id", "facility_id", "interview_date", "month",
                    "submitted_by_id", "source", "answers", "sealed_answers", "answers_hash")
"""The columns a new response is written with (the database gives `received_at`)."""
FACT_COLUMNS = ("response_id", "indicator", "questionnaire_id", "questionnaire_version_id", "region_id", "facility_id", "month",
                "numerator", "denominator", "numerator_squared")


def canonical_answers(answers: Mapping[str, Answer]) -> str:
    """The answers as `answers_hash` serialises them; the plain ones are stored so."""
    return _CANONICAL(answers)


# What json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")) does, without a new encoder per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def payload(version_id: int, facility_id: int, interview_date: date, answers_json: str) -> str:
    """Everything a submission says, as `responses.answers_hash` fingerprints it, from the canonical
    answers without serialising them again: one JSON object, keys in sorted order."""
    return f'{{"a":{answers_json},"d":"{interview_date.isoformat()}","f":{facility_id},"v":{version_id}}}'


def submission_payload(version_id: int, facility_id: int, interview_date: date, answers: Mapping[str, Answer]) -> str:
    """Everything a submission says, canonically: what its fingerprint is made of."""
    return payload(version_id, facility_id, interview_date, canonical_answers(answers))


def sealed_columns(ring: sealing.Keyring, model: Questionnaire, submission_id: uuid.UUID, submitted: str,
                   answers: Mapping[str, Answer]) -> dict[str, Any]:
    """The `answers`, `sealed_answers` and `answers_hash` columns: a new data key each time."""
    plain, sensitive = sealing.split(model, answers)
    sealed, key = sealing.seal(ring, sealing.identity("responses", submission_id), sensitive)
    return {"answers": plain, "sealed_answers": sealed, "answers_hash": sealing.fingerprint(key, submitted)}


def response_row(ring: sealing.Keyring, model: Questionnaire, submission_id: uuid.UUID, version_id: int, region_id: int,
                 facility_id: int, interview_date: date, answers: Mapping[str, Answer], user_id: int | None, source: str,
                 submitted: str | None = None) -> dict[str, Any]:
    """Every column of a new response but `id`, by name; `submitted` is its payload when already made."""
    submitted = submitted if submitted is not None else submission_payload(version_id, facility_id, interview_date, answers)
    return {
        "submission_id": submission_id, "questionnaire_version_id": version_id, "region_id": region_id, "facility_id": facility_id,
        "interview_date": interview_date, "month": month_key(interview_date), "submitted_by_id": user_id, "source": source,
        **sealed_columns(ring, model, submission_id, submitted, answers),
    }


def row_encoder(columns: tuple[str, ...], encode_uuid: Any, encode_day: Any, encode_json: Any) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function giving a response row's values in the order of `columns`, encoded as the driver takes them
    (made once per writer: it runs for every row of an import)."""
    special = {"submission_id": encode_uuid, "interview_date": encode_day, "answers": encode_json}
    take = itemgetter(*columns)
    encoded = [(at, special[name]) for at, name in enumerate(columns) if name in special]

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        out = list(take(row))
        for at, encode in encoded:
            out[at] = encode(out[at])
        return tuple(out)

    return values


def fingerprint_under(ring: sealing.Keyring, submission_id: uuid.UUID, sealed: bytes | None, submitted: str) -> str:
    """The fingerprint of a submission under a stored version's digest key ("" without one: never equal)."""
    if sealed is None:
        return ""
    return sealing.fingerprint(sealing.digest_key(ring, sealing.identity("responses", submission_id), bytes(sealed)), submitted)


def same_submission(ring: sealing.Keyring, submission_id: uuid.UUID, digest: str, sealed: bytes | None, submitted: str) -> bool:
    """Whether `submitted` (a payload) is the stored version with this fingerprint and sealed value."""
    return sealed is not None and fingerprint_under(ring, submission_id, sealed, submitted) == digest


def resent_earlier(connection: Connection, ring: sealing.Keyring, submission_id: uuid.UUID, submitted: str) -> bool:
    """Whether a submission that is not its response's current version is still no conflict: a version
    it had before a correction, or a response purged from the trash (never stored again)."""
    purged = connection.execute(select(PurgedSubmission.submission_id).where(PurgedSubmission.submission_id == submission_id)).first()
    if purged is not None:
        return True
    earlier = connection.execute(
        select(ResponseRevision.answers_hash, ResponseRevision.sealed_answers)
        .join(Response, Response.id == ResponseRevision.response_id)
        .where(Response.submission_id == submission_id)
    ).all()
    return any(same_submission(ring, submission_id, digest, sealed, submitted) for digest, sealed in earlier)


def purged(connection: Connection, submission_id: uuid.UUID) -> bool:
    """Whether this submission id was a response purged from the trash."""
    return connection.execute(select(PurgedSubmission.submission_id).where(PurgedSubmission.submission_id == submission_id)).first() is not None
