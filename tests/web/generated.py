"""Figures recomputed from stored answers in plain Python, to check what the pages and exports show."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from cml.core.indicators import contributions
from cml.core.periods import period_key
from cml.extensions import db
from cml.models import Questionnaire as QuestionnaireRow
from cml.models import QuestionnaireVersion, Response
from cml.services import surveys
from cml.services.responses import all_answers


def facility_sums(code: str, indicator: str, grain: str = "quarter", region_ids: set[int] | None = None) -> dict[tuple[int, int, int], list[float]]:
    """(period, region, facility) -> [x, n, sum of squares] recomputed from stored answers, in Python."""
    sums: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    query = select(Response).join(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.code == code)
    for response in db.session.scalars(query):
        if region_ids is not None and response.region_id not in region_ids:
            continue
        for part in contributions(surveys.model_of(response.version), all_answers(response)):
            if part.indicator_id == indicator:
                cell = sums[(period_key(response.month, grain), response.region_id, response.facility_id)]
                cell[0] += part.numerator
                cell[1] += part.denominator
                cell[2] += part.numerator_squared
    return sums
