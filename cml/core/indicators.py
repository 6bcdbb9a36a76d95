"""Each response's contribution to each indicator, computed once at ingest.

The dashboard never re-reads answers: it sums these contributions per facility with
SQL and hands the per-facility totals to `cml.core.stats`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cml.core.questionnaire import Answer, Questionnaire, evaluate


@dataclass(frozen=True)
class Contribution:
    """One response's part in one indicator.

    For a proportion: denominator 1 when the response is in the denominator, numerator
    1 when it also meets the numerator. For a mean: numerator is the value,
    denominator 1 and numerator_squared the value squared (for the within-facility
    variance when only one facility reports).
    """

    indicator_id: str
    numerator: float
    denominator: float
    numerator_squared: float


def contributions(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> list[Contribution]:
    """The contributions of one response; indicators it does not count towards are absent."""
    result = []
    for indicator in questionnaire.indicators:
        if indicator.denominator is not None and not evaluate(indicator.denominator, answers):
            continue
        if indicator.type == "proportion":
            assert indicator.numerator is not None
            hit = 1.0 if evaluate(indicator.numerator, answers) else 0.0
            result.append(Contribution(indicator.id, hit, 1.0, hit))
            continue
        assert indicator.question is not None
        value = answers.get(indicator.question)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        result.append(Contribution(indicator.id, float(value), 1.0, float(value) ** 2))
    return result
