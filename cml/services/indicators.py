"""Which indicator definitions a response's facts follow, and rebuilding the facts.

A response's facts are computed with the latest published definition of each
indicator that its own questionnaire version can answer (`cml.core.indicators.
resolve_definitions`), at ingest and on rebuild alike. Publishing a version that
changes a definition does not touch stored facts: `flask --app cml indicators rebuild`
recomputes them.

Rebuild, batch by batch: each batch of responses (a few thousand) has its facts
deleted and re-inserted in one transaction, committed by the caller after every batch.
So a reader, or a failure at any point, never sees a response without its facts: every
response has either all its old facts or all its new ones. A failure mid-way leaves
some responses on the new definitions and the rest on the old; the rebuild is
idempotent, so running it again finishes the job. One transaction for the whole
rebuild would avoid the mixed state but hold SQLite's write lock (and a huge
transaction) for as long as it runs, blocking every submission from the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from cml.core.indicators import contributions, resolve_definitions
from cml.core.questionnaire import Answer, Questionnaire
from cml.extensions import db
from cml.models import Questionnaire as QuestionnaireRow
from cml.models import QuestionnaireVersion, Response
from cml.services import fact_sums
from cml.services.surveys import model_of

SUM_COLUMNS = (*fact_sums.KEY, *fact_sums.VALUES)

BATCH = 2000


def latest_of(questionnaire_id: int) -> QuestionnaireVersion:
    version: QuestionnaireVersion | None = db.session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    )
    assert version is not None, "a response's questionnaire has at least its own version"
    return version


def facts_model(version: QuestionnaireVersion, latest: QuestionnaireVersion | None = None) -> Questionnaire:
    """The model of `version` with the indicator definitions its responses' facts follow."""
    latest = latest or latest_of(version.questionnaire_id)
    own = model_of(version)
    if version.content_hash == latest.content_hash:
        return own
    key = (version.content_hash, latest.content_hash)
    if key not in _RESOLVED:
        if len(_RESOLVED) > 256:
            _RESOLVED.clear()
        _RESOLVED[key] = resolve_definitions(own, model_of(latest))
    return _RESOLVED[key]


_RESOLVED: dict[tuple[str, str], Questionnaire] = {}


def fact_rows(
    response: tuple[int, int, int, int], questionnaire_id: int, version_id: int, questionnaire: Questionnaire, answers: Mapping[str, Answer],
    state: str = "received",
) -> list[dict[str, object]]:
    """Insert rows of one response's facts; `response` is (id, region id, facility id, month); none
    when the questionnaire does not count its review `state` (a new response is received)."""
    response_id, region_id, facility_id, month = response
    return [
        {
            "response_id": response_id,
            "indicator": part.indicator_id,
            "questionnaire_id": questionnaire_id,
            "questionnaire_version_id": version_id,
            "region_id": region_id,
            "facility_id": facility_id,
            "month": month,
            "numerator": part.numerator,
            "denominator": part.denominator,
            "numerator_squared": part.numerator_squared,
        }
        for part in contributions(questionnaire, answers, state)
    ]


@dataclass
class RebuildProgress:
    """After each batch: what was done so far (the caller commits, then reports)."""

    questionnaire: str
    version: int
    responses: int
    """Responses rebuilt in this batch."""
    facts_deleted: int
    facts_inserted: int


def rebuild_plan(code: str | None = None) -> list[QuestionnaireVersion]:
    """The versions whose facts a rebuild recomputes (all, or one questionnaire's); LookupError if unknown."""
    query = select(QuestionnaireVersion).join(QuestionnaireRow).order_by(QuestionnaireRow.code, QuestionnaireVersion.version)
    if code is not None:
        query = query.where(QuestionnaireRow.code == code)
    versions = list(db.session.scalars(query))
    if code is not None and not versions:
        raise LookupError(f"no published questionnaire {code!r}")
    return versions


def responses_of(versions: list[QuestionnaireVersion]) -> int:
    if not versions:
        return 0
    ids = [v.id for v in versions]
    return int(db.session.scalar(select(func.count(Response.id)).where(Response.questionnaire_version_id.in_(ids))) or 0)


def rebuild(versions: list[QuestionnaireVersion], batch: int = BATCH) -> Iterator[RebuildProgress]:
    """Recompute the facts of every response of `versions`, one batch per yield.

    Each batch deletes and re-inserts its responses' facts without committing; the
    caller commits after every yield (see the module doc for why that is safe).
    """
    from cml.services import counting  # counting builds on this module's definitions: one code for a rebuild and a recount

    for version in versions:
        code, number = model_of(version).id, version.version
        last_id = 0
        while True:
            ids = list(db.session.scalars(
                select(Response.id).where(Response.questionnaire_version_id == version.id, Response.id > last_id).order_by(Response.id).limit(batch)
            ))
            if not ids:
                break
            last_id = ids[-1]
            # The sums lose the old facts and gain the new ones (of the responses that count) in the same transaction.
            done = counting.recount(ids)
            yield RebuildProgress(code, number, len(ids), done.removed, done.added)
