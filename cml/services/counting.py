"""Which responses count in the figures, and keeping their facts and sums in step.

The rule every writer keeps: `indicator_facts` hold exactly the facts of the responses that
count now, and `indicator_sums` are always their sums, so a full `indicators rebuild` gives
the same sums. Whatever changes whether a response counts, or what it says (a correction, the
trash, a review, a withdrawn consent to be counted), calls `recount` in its own transaction and
commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, RowMapping

from cml.core.questionnaire import Questionnaire
from cml.extensions import db
from cml.models import Case, IndicatorFact, QuestionnaireVersion, Response
from cml.services import fact_sums, sealing
from cml.services.indicators import SUM_COLUMNS, fact_rows, facts_model

COLUMNS = ("deleted_at", "review_state")
"""The columns of `responses` that `counts` reads besides the ones every fact needs: a rebuild
and `recount` select them with each row, so `counts` takes a `Response` or such a row."""

_ROW = ("id", "region_id", "facility_id", "month", "questionnaire_version_id", "answers", "submission_id", "sealed_answers")


def counts(response: Any, model: Questionnaire | None = None) -> bool:
    """Whether a response counts in the figures now: not in the trash, and in a review state its
    questionnaire counts (`counted_states` of the model its facts follow: `model`, else looked up)."""
    if response.deleted_at is not None:
        return False
    if model is None:
        version = db.session.get(QuestionnaireVersion, response.questionnaire_version_id)
        assert version is not None
        model = facts_model(version)
    return response.review_state in model.counted_states


@dataclass(frozen=True)
class Recounted:
    removed: int
    """Facts taken away."""
    added: int
    """Facts derived again and added."""


def recount(response_ids: Iterable[int], connection: Connection | None = None) -> Recounted:
    """Take away the facts of these responses from the facts and sums, and add those of the ones
    that count, derived again from their current answers; in the caller's transaction."""
    ids = sorted(set(response_ids))
    if not ids:
        return Recounted(0, 0)
    conn = connection if connection is not None else db.session.connection()
    facts, responses = IndicatorFact.__table__, Response.__table__
    old = conn.execute(select(*(facts.c[k] for k in SUM_COLUMNS)).where(facts.c.response_id.in_(ids))).mappings().all()
    fact_sums.add((negated(fact) for fact in old), conn)
    conn.execute(delete(facts).where(facts.c.response_id.in_(ids)))
    rows = conn.execute(
        select(*(responses.c[k] for k in dict.fromkeys((*_ROW, *COLUMNS)))).where(responses.c.id.in_(ids)).order_by(responses.c.id)
    ).all()
    withdrawn = _count_consent_withdrawn(conn, ids)
    living = [row for row in rows if row.deleted_at is None and row.id not in withdrawn]
    models = _facts_models(conn, {row.questionnaire_version_id for row in living}) if living else {}
    counted = [row for row in living if counts(row, models[row.questionnaire_version_id][1])]
    if not counted:
        return Recounted(len(old), 0)
    ring = sealing.keyring()
    new: list[dict[str, Any]] = []
    for row in counted:
        questionnaire_id, model = models[row.questionnaire_version_id]
        new.extend(fact_rows((row.id, row.region_id, row.facility_id, row.month), questionnaire_id, row.questionnaire_version_id,
                             model, answers_of(ring, row), row.review_state))
    if new:
        conn.execute(facts.insert(), new)
        fact_sums.add(new, conn)
    return Recounted(len(old), len(new))


def _count_consent_withdrawn(conn: Connection, ids: list[int]) -> set[int]:
    """Those of `ids` whose person withdrew, on their case, the consent to be counted
    (`cml.services.cases`): they count in no figure, as if in the trash."""
    table = Case.__table__
    return set(conn.scalars(select(table.c.submission_id).where(table.c.submission_id.in_(ids), table.c.count_withdrawn_at.is_not(None))))


def negated(fact: RowMapping) -> dict[str, Any]:
    """A fact row as `fact_sums.add` takes it away from the sums."""
    return {**fact, "numerator": -fact["numerator"], "denominator": -fact["denominator"],
            "numerator_squared": -fact["numerator_squared"], "count": -1}


def answers_of(ring: sealing.Keyring, row: Any) -> dict[str, Any]:
    """A response's answers with the sealed ones opened: an indicator may count a sensitive answer."""
    answers = dict(row.answers)
    if row.sealed_answers is not None:
        answers.update(sealing.unseal(ring, sealing.identity("responses", row.submission_id), bytes(row.sealed_answers)))
    return answers


def _facts_models(conn: Connection, version_ids: set[int]) -> dict[int, tuple[int, Questionnaire]]:
    """For each version: its questionnaire id and the model its facts follow (as a rebuild takes it)."""
    versions = QuestionnaireVersion.__table__
    wanted = conn.execute(select(versions.c.id, versions.c.questionnaire_id, versions.c.content, versions.c.content_hash)
                          .where(versions.c.id.in_(sorted(version_ids)))).all()
    latest: dict[int, Any] = {}
    for row in conn.execute(select(versions.c.id, versions.c.questionnaire_id, versions.c.version, versions.c.content, versions.c.content_hash)
                            .where(versions.c.questionnaire_id.in_({v.questionnaire_id for v in wanted}))):
        if row.questionnaire_id not in latest or row.version > latest[row.questionnaire_id].version:
            latest[row.questionnaire_id] = row
    # published versions are immutable: plain rows stand in for the ORM objects facts_model reads
    return {v.id: (v.questionnaire_id, facts_model(cast(QuestionnaireVersion, v), latest[v.questionnaire_id])) for v in wanted}
