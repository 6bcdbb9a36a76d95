"""Documented incidents for the council brief: the protected cube of incident-report counts.

Reads every incident report that counts in the figures (not in the trash, in a review state the
questionnaire counts), of every region and quarter whatever the reader's scope, as
`cml.services.publication.disclosure_cube` does, so every brief is a view of one protected table.
A report is left out when the person said no to being counted (`consent_count`), or when the lead
later recorded that they withdrew that consent (`Case.count_withdrawn_at`). Only the plain choice
answers are read; sealed answers are never opened here.
"""

from __future__ import annotations

from sqlalchemy import func, select

from cml.core.incident_counts import GROUPS, IncidentCount, tally
from cml.core.publication import Cube, protect_cube
from cml.extensions import db
from cml.models import Case, QuestionnaireVersion, Response
from cml.services import table_cache
from cml.services.surveys import latest_version, model_of

INCIDENT_CODE = "incident_report"


def incident_counts() -> list[IncidentCount]:
    """Counts by kind and perpetrator per region and quarter of every report that may be counted."""
    version = latest_version(INCIDENT_CODE)
    if version is None:
        return []
    counted_states = model_of(version).counted_states
    withdrawn = select(Case.submission_id).where(Case.count_withdrawn_at.is_not(None))
    rows = db.session.execute(
        select(Response.region_id, Response.month, Response.answers)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id)
        .where(QuestionnaireVersion.questionnaire_id == version.questionnaire_id, Response.deleted_at.is_(None),
               Response.review_state.in_(counted_states), Response.id.not_in(withdrawn))
        .order_by(Response.id)
    )
    return tally((region_id, month, answers or {}) for region_id, month, answers in rows)


def incident_cube(k: int) -> Cube | None:
    """The protected cube of the documented incidents (None when the incident report is not published)."""
    version = latest_version(INCIDENT_CODE)
    if version is None:
        return None
    rule = model_of(version).disclosure
    # A withdrawal of consent writes no sums, so it changes no data version: the key carries the withdrawals.
    withdrawals = db.session.execute(select(func.count(Case.id), func.max(Case.count_withdrawn_at)).where(Case.count_withdrawn_at.is_not(None))).one()
    # Every region's counts, whatever the reader's scope: the protection needs the whole cube, as the disclosure cube does.
    key = table_cache.table_key("incident_cube", version.id, table_cache.EVERY_REGION, k, rule, withdrawals[0], str(withdrawals[1]))
    cube: Cube = table_cache.cached(key, lambda: protect_cube(incident_counts(), GROUPS, k, rule), lambda made: len(made.published))
    return cube
