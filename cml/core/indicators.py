"""Each response's contribution to each indicator, computed once at ingest.

The dashboard never re-reads answers: it sums these contributions per facility with
SQL and hands the per-facility totals to `cml.core.stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from cml.core.questionnaire import Answer, Indicator, Questionnaire
from cml.core.questionnaire.conditions import Test, referenced_questions


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


ContributionRow = tuple[str, float, float, float]
"""A `Contribution` as a plain tuple: (indicator id, numerator, denominator, numerator squared)."""


def contributions(questionnaire: Questionnaire, answers: Mapping[str, Answer], state: str = "received") -> list[Contribution]:
    """The contributions of one response in review `state` (a new one is received); indicators it
    does not count towards are absent, and all are when the questionnaire does not count its state."""
    return [Contribution(*row) for row in contribution_rows(questionnaire, state)(answers)]


def contribution_rows(questionnaire: Questionnaire, state: str = "received") -> Callable[[Mapping[str, Answer]], list[ContributionRow]]:
    """`contributions` as tuples, the indicators' tests looked up once for many responses:
    an import computes some twenty per row, where an object per contribution and a lookup
    per test cost more than the arithmetic."""
    if state not in questionnaire.counted_states:
        return lambda _answers: []
    steps: list[tuple[str, Test | None, Test | None, str]] = []  # (id, in denominator?, in numerator? or the mean's question)
    for indicator in questionnaire.indicators:
        in_denominator = indicator.denominator.test if indicator.denominator is not None else None
        if indicator.type == "proportion":
            assert indicator.numerator is not None
            steps.append((indicator.id, in_denominator, indicator.numerator.test, ""))
        else:
            assert indicator.question is not None
            steps.append((indicator.id, in_denominator, None, indicator.question))

    def rows(answers: Mapping[str, Answer]) -> list[ContributionRow]:
        result: list[ContributionRow] = []
        for indicator_id, in_denominator, in_numerator, question in steps:
            if in_denominator is not None and not in_denominator(answers):
                continue
            if in_numerator is not None:  # a proportion
                hit = 1.0 if in_numerator(answers) else 0.0
                result.append((indicator_id, hit, 1.0, hit))
                continue
            value = answers.get(question)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            number = float(value)
            result.append((indicator_id, number, 1.0, number ** 2))
        return result

    return rows


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
    return replace(own, indicators=tuple(chosen), counted_states=latest.counted_states)
