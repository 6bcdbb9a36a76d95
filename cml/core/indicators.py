"""Each response's contribution to each indicator, computed once at ingest.

The dashboard never re-reads answers: it sums these contributions per facility with
SQL and hands the per-facility totals to `cml.core.stats`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cml.core.questionnaire import Answer, Indicator, Questionnaire, evaluate
from cml.core.questionnaire.conditions import referenced_questions


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


def indicator_questions(indicator: Indicator) -> set[str]:
    """The ids of every question an indicator's definition reads."""
    names = {indicator.question} if indicator.question else set()
    for condition in (indicator.numerator, indicator.denominator):
        if condition is not None:
            names.update(referenced_questions(condition))
    return names


def answerable(indicator: Indicator, questionnaire: Questionnaire, reference: Questionnaire) -> bool:
    """Whether `questionnaire` asks every question `indicator` (defined in `reference`) reads, with the same type."""
    for name in indicator_questions(indicator):
        mine, theirs = questionnaire.question(name), reference.question(name)
        if mine is None or theirs is None or mine.type != theirs.type:
            return False
    return True


def resolve_definitions(own: Questionnaire, latest: Questionnaire) -> Questionnaire:
    """`own` (a response's version) with the indicator definitions its facts are computed with.

    An indicator is computed with the latest version's definition whenever `own` asks
    every question that definition reads (same ids, same types): a changed numerator,
    denominator or target then applies to the answers of every version alike, so a
    series stays comparable. Where `own` cannot answer the new definition, its own
    definition of the same indicator is kept; an indicator `own` cannot answer at all is
    left out rather than counted as a "no". Indicators only `own` defines are kept.
    """
    if own.id != latest.id:
        raise ValueError(f"versions of different questionnaires: {own.id!r} and {latest.id!r}")
    if own is latest or own == latest:
        return own
    chosen: list[Indicator] = []
    for indicator in latest.indicators:
        if answerable(indicator, own, latest):
            chosen.append(indicator)
        elif (old := own.indicator(indicator.id)) is not None:
            chosen.append(old)
    newer = {indicator.id for indicator in latest.indicators}
    chosen.extend(indicator for indicator in own.indicators if indicator.id not in newer)
    return replace(own, indicators=tuple(chosen))
