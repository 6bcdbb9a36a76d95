"""Storing many responses at once (paper imports, generated demo data), exactly once.

The same promises as `store_response`: a known submission id with the same answers is a
duplicate, with different answers a conflict; facts are written in the same transaction.
Rows go in with multi-row INSERTs instead of one ORM flush per response.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from cml.core.indicators import contributions
from cml.core.periods import month_key
from cml.core.questionnaire import Answer
from cml.extensions import db
from cml.models import IndicatorFact, QuestionnaireVersion, Response
from cml.services import fact_sums
from cml.services.indicators import facts_model
from cml.services.responses import answers_hash

CHUNK = 2000


@dataclass(frozen=True)
class NewResponse:
    submission_id: uuid.UUID
    facility_id: int
    region_id: int
    interview_date: date
    answers: Mapping[str, Answer]
    user_id: int | None = None


@dataclass
class BulkResult:
    stored: int = 0
    duplicates: int = 0
    conflicts: list[uuid.UUID] = field(default_factory=list)


def store_many(version: QuestionnaireVersion, items: Sequence[NewResponse], source: str) -> BulkResult:
    """Add every new response and its facts; repeats are counted, conflicts listed, nothing committed."""
    result = BulkResult()
    questionnaire = facts_model(version)
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        fingerprints = [answers_hash(version, item.facility_id, item.interview_date, item.answers) for item in chunk]
        known = dict(
            db.session.execute(
                select(Response.submission_id, Response.answers_hash).where(Response.submission_id.in_([i.submission_id for i in chunk]))
            ).all()
        )
        fresh: list[tuple[NewResponse, str]] = []
        seen: dict[uuid.UUID, str] = {}
        for item, fingerprint in zip(chunk, fingerprints, strict=True):
            earlier = known.get(item.submission_id) or seen.get(item.submission_id)
            if earlier is None:
                seen[item.submission_id] = fingerprint
                fresh.append((item, fingerprint))
            elif earlier == fingerprint:
                result.duplicates += 1
            else:
                result.conflicts.append(item.submission_id)
        if not fresh:
            continue
        rows = [
            {
                "submission_id": item.submission_id,
                "questionnaire_version_id": version.id,
                "region_id": item.region_id,
                "facility_id": item.facility_id,
                "interview_date": item.interview_date,
                "month": month_key(item.interview_date),
                "submitted_by_id": item.user_id,
                "source": source,
                "answers": dict(item.answers),
                "answers_hash": fingerprint,
            }
            for item, fingerprint in fresh
        ]
        ids = db.session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), rows).all()
        facts = [
            {
                "response_id": response_id,
                "indicator": part.indicator_id,
                "questionnaire_id": version.questionnaire_id,
                "questionnaire_version_id": version.id,
                "region_id": row["region_id"],
                "facility_id": row["facility_id"],
                "month": row["month"],
                "numerator": part.numerator,
                "denominator": part.denominator,
                "numerator_squared": part.numerator_squared,
            }
            for response_id, row, (item, _) in zip(ids, rows, fresh, strict=True)
            for part in contributions(questionnaire, item.answers)
        ]
        if facts:
            db.session.execute(insert(IndicatorFact.__table__), facts)  # Core executemany: no per-row ORM work
            fact_sums.add(facts)
        result.stored += len(fresh)
    return result
