"""Realistic synthetic responses for any questionnaire: clustered, valid, reproducible.

Each facility has a latent quality on the logit scale (most near 0, some much worse),
drifting a little from quarter to quarter. Answers lean towards what the
questionnaire's own indicators call good (choices in a "higher is better" numerator,
high ratings, short waits) in proportion to that quality, so facilities differ the way
real ones do (intra-facility correlation), small facilities give 0% and 100% cells,
and the national figures sit near the targets. Answers follow the skip logic and the
constraints, and every response is passed through `clean_answers` before it is
returned: generated data is always valid data.

Pure: the caller supplies the questionnaire, the facilities, the dates and a
`random.Random`; the same inputs and seed give the same responses.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from cml.core.answers import RawValue, clean_answers
from cml.core.periods import period_of
from cml.core.question_types import kind_of
from cml.core.questionnaire import Answer, Condition, Question, Questionnaire, evaluate
from cml.core.questionnaire.conditions import All, AnyOf, Compare, Not

TYPICAL_QUALITY = 1.3
"""Logit-scale pull towards the good answers at a typical facility (~92% on a yes/no item)."""
EXCLUSIVE_CHOICES = frozenset({"none", "nobody"})
"""Multiple-choice answers that stand alone ("none" with anything else is refused)."""
RARE_CHOICES = {"dont_know": 0.04, "prefer_not_to_say": 0.05, "other": 0.15, "not_needed": 0.3, "too_late": 0.2}
ANSWER_OPTIONAL = 0.92
"""Chance an optional (non-text) question that applies is answered."""
MAX_TRIES = 40


class GenerationError(RuntimeError):
    """The generator could not produce a valid response (a bug, or an unsatisfiable questionnaire)."""


@dataclass(frozen=True)
class SyntheticFacility:
    id: int
    region_id: int
    quality: float
    """Added to TYPICAL_QUALITY: 0 is typical, -2.5 is a facility where most things go wrong."""
    size: float
    """Relative number of interviews."""


@dataclass(frozen=True)
class SyntheticResponse:
    facility_id: int
    region_id: int
    interview_date: date
    answers: dict[str, Answer]


def facility_profiles(facilities: Sequence[tuple[int, int]], rng: random.Random) -> list[SyntheticFacility]:
    """Quality and size for (facility id, region id) pairs: ~15% much worse, ~20% small."""
    profiles = []
    for facility_id, region_id in facilities:
        quality = rng.gauss(0.0, 0.5)
        if rng.random() < 0.15:
            quality -= rng.uniform(1.8, 2.8)
        size = rng.uniform(0.03, 0.12) if rng.random() < 0.2 else rng.lognormvariate(0.0, 0.5)
        profiles.append(SyntheticFacility(facility_id, region_id, quality, size))
    return profiles


def _compares(condition: Condition, polarity: int) -> list[tuple[Compare, int]]:
    if isinstance(condition, Not):
        return _compares(condition.condition, -polarity)
    if isinstance(condition, (All, AnyOf)):
        return [pair for c in condition.conditions for pair in _compares(c, polarity)]
    return [(condition, polarity)]


def _values(compare: Compare) -> tuple[object, ...] | None:
    if compare.operator in ("equals", "includes"):
        return (compare.value,)
    if compare.operator == "in" and isinstance(compare.value, tuple):
        return compare.value
    return None


def goodness(questionnaire: Questionnaire) -> dict[str, dict[object, float]]:
    """For each question, how good each answer is (-1 to 1) by the questionnaire's indicators.

    A proportion's numerator choices count +1 when higher is better (-1 when lower is);
    the other choices of its denominator, on the same question, count the opposite.
    A mean's question gets its direction under the key "direction".
    """
    scores: dict[str, dict[object, float]] = {}
    for indicator in questionnaire.indicators:
        sign = {"higher": 1.0, "lower": -1.0}.get(indicator.better or "", 0.0)
        if not sign:
            continue
        if indicator.type == "mean" and indicator.question:
            scores.setdefault(indicator.question, {})["direction"] = sign
            continue
        if indicator.numerator is None:
            continue
        for compare, polarity in _compares(indicator.numerator, 1):
            values = _values(compare)
            question = questionnaire.question(compare.question)
            if values is None or question is None or not question.choices:
                continue
            table = scores.setdefault(compare.question, {})
            for value in values:
                table[value] = table.get(value, 0.0) + sign * polarity
            opposite = _denominator_choices(indicator.denominator, question)
            for choice in opposite:
                if choice not in values:
                    table[choice] = table.get(choice, 0.0) - sign * polarity
    return {q: {k: max(-1.0, min(1.0, v)) for k, v in table.items()} for q, table in scores.items()}


def _denominator_choices(condition: Condition | None, question: Question) -> tuple[object, ...]:
    if condition is None:
        return tuple(c for c in question.choice_ids if c not in RARE_CHOICES)
    for compare, polarity in _compares(condition, 1):
        if compare.question != question.id or polarity < 0:
            continue
        if compare.operator == "answered":
            return tuple(c for c in question.choice_ids if c not in RARE_CHOICES)
        values = _values(compare)
        if values is not None:
            return values
    return ()


class Generator:
    """Responses to one questionnaire at the given facilities, interviewed from `first_day` to `last_day`."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        facilities: Sequence[SyntheticFacility],
        first_day: date,
        last_day: date,
        today: date,
        seed: str,
    ) -> None:
        if not facilities:
            raise ValueError("no facilities to generate responses for")
        if last_day < first_day or last_day > today:
            raise ValueError("interview dates must run forwards and never pass today")
        self.questionnaire = questionnaire
        self.facilities = list(facilities)
        self.cumulative = list(accumulate(f.size for f in self.facilities))
        self.first_day, self.days = first_day, (last_day - first_day).days
        self.first_quarter = period_of(first_day)
        self.today = today
        self.seed = seed
        self.targets = {i.question: i.target for i in questionnaire.indicators if i.type == "mean" and i.question}
        self.scores = goodness(questionnaire)
        # Per questionnaire, fixed by the seed: how common each neutral answer is.
        shape = random.Random(f"{seed}:{questionnaire.id}:shape")
        self.base: dict[tuple[str, str], float] = {}
        self.choices = {question.id: question.choice_ids for question in questionnaire.questions}
        for question in questionnaire.questions:
            for choice in self.choices[question.id]:
                self.base[(question.id, choice)] = RARE_CHOICES.get(choice, 1.0) * shape.uniform(0.6, 1.4)
        self.drift: dict[tuple[int, int], float] = {}

    def quality(self, facility: SyntheticFacility, day: date) -> float:
        """Facility quality in the quarter of `day`: its own level, a small trend, quarter-to-quarter noise."""
        quarter = period_of(day)
        key = (facility.id, quarter)
        if key not in self.drift:
            # Depends on the facility and quarter only, never on which response came first.
            noise = random.Random(f"{self.seed}:{facility.id}:{quarter}").gauss(0.0, 0.25)
            elapsed = (quarter // 10 - self.first_quarter // 10) * 4 + quarter % 10 - self.first_quarter % 10
            self.drift[key] = 0.04 * elapsed + noise
        return TYPICAL_QUALITY + facility.quality + self.drift[key]

    def responses(self, seed: str, count: int) -> list[SyntheticResponse]:
        """`count` responses drawn from `random.Random(seed)`: the same seed, the same list
        (picklable, so a chunk can be made in another process)."""
        rng = random.Random(seed)
        return [self.response(rng) for _ in range(count)]

    def response(self, rng: random.Random) -> SyntheticResponse:
        facility = rng.choices(self.facilities, cum_weights=self.cumulative)[0]
        day = self.first_day + timedelta(days=rng.randint(0, self.days))
        quality = self.quality(facility, day)
        answers: dict[str, Answer] = {}
        raw: dict[str, RawValue] = {}
        for section in self.questionnaire.sections:
            if section.show_if is not None and not evaluate(section.show_if, answers):
                continue
            for question in section.questions:
                if question.show_if is not None and not evaluate(question.show_if, answers):
                    continue
                value = self._answer(question, answers, quality, day, rng)
                if value is None:
                    continue
                answers[question.id] = value
                raw[question.id] = list(value) if isinstance(value, list) else _as_text(value)
        cleaned = clean_answers(self.questionnaire, raw, self.today)
        if not cleaned.ok or cleaned.answers != answers:
            raise GenerationError(f"{self.questionnaire.id}: generated answers were refused: {dict(cleaned.errors)}")
        return SyntheticResponse(facility.id, facility.region_id, day, cleaned.answers)

    def _answer(self, question: Question, answers: Mapping[str, Answer], quality: float, day: date, rng: random.Random) -> Answer:
        kind = kind_of(question.type)
        if kind.demo is None:  # a note: nothing to answer
            return None
        if not question.required and (kind.free_text or rng.random() > ANSWER_OPTIONAL):
            return None
        offered = {c.id for c in question.offered(answers)}
        if question.choice_filter is not None and not offered:
            return None
        for _ in range(MAX_TRIES):
            value = self._draw(question, quality, day, rng, offered)
            if question.constraint is None or evaluate(question.constraint.condition, {**answers, question.id: value}):
                return value
        if question.required:
            raise GenerationError(f"{self.questionnaire.id}: no valid answer found for {question.id!r}")
        return None

    def _draw(self, question: Question, quality: float, day: date, rng: random.Random, offered: set[str]) -> Answer:
        """An answer drawn as the type's demo kind (cml.core.question_types) says."""
        demo = kind_of(question.type).demo
        scores = self.scores.get(question.id, {})
        if demo == "weighted_choice":
            choices = [c for c in self.choices[question.id] if c in offered]
            weights = [self.base[(question.id, c)] * math.exp(scores.get(c, 0.0) * quality) for c in choices]
            return rng.choices(choices, weights=weights)[0]
        if demo == "several_choices":
            return self._multiple(question, scores, quality, rng)
        if demo == "rating":
            return self._rating(question, scores.get("direction", 0.0), quality, rng)
        if demo == "number":
            return self._number(question, scores.get("direction", 0.0), quality, rng)
        if demo == "recent_date":
            return (day - timedelta(days=rng.randint(0, 90))).isoformat()
        if demo == "time_of_day":
            return self._time(question, rng)
        return "demo"  # a required free text: never anything personal

    def _time(self, question: Question, rng: random.Random) -> Answer:
        """A time of day in the question's bounds (else clinic hours), on a five-minute step where it can be."""
        first = _minutes(question.earliest) if question.earliest else 8 * 60
        last = _minutes(question.latest) if question.latest else 18 * 60
        if question.earliest is None:
            first = min(first, last)
        if question.latest is None:
            last = max(last, first)
        minute = rng.randint(first, last)
        stepped = minute - minute % 5
        minute = stepped if stepped >= first else minute
        return f"{minute // 60:02d}:{minute % 60:02d}"

    def _multiple(self, question: Question, scores: Mapping[object, float], quality: float, rng: random.Random) -> Answer:
        chosen = []
        choice_ids = self.choices[question.id]
        for choice in choice_ids:
            logit = -1.5 + math.log(self.base[(question.id, choice)]) + scores.get(choice, 0.0) * quality
            if rng.random() < 1.0 / (1.0 + math.exp(-logit)):
                chosen.append(choice)
        exclusive = [c for c in chosen if c in EXCLUSIVE_CHOICES]
        if exclusive and len(chosen) > 1:
            chosen = [c for c in chosen if c not in EXCLUSIVE_CHOICES]
        if question.max_selected is not None and len(chosen) > question.max_selected:
            chosen = rng.sample(chosen, question.max_selected)
        needed = question.min_selected or (1 if question.required else 0)
        if len(chosen) < needed:
            pool = [c for c in choice_ids if c not in chosen and not (chosen and c in EXCLUSIVE_CHOICES)]
            weights = [self.base[(question.id, c)] * math.exp(scores.get(c, 0.0) * quality) for c in pool]
            while len(chosen) < needed and pool:
                pick = rng.choices(pool, weights=weights)[0]
                index = pool.index(pick)
                del pool[index], weights[index]
                chosen.append(pick)
        if not chosen:
            return None
        return sorted(chosen, key=choice_ids.index)

    def _rating(self, question: Question, direction: float, quality: float, rng: random.Random) -> Answer:
        low, high = int(question.minimum or 1), int(question.maximum or 5)
        values = list(range(low, high + 1))
        middle, half = (low + high) / 2.0, max((high - low) / 2.0, 1.0)
        weights = [math.exp(direction * quality * (v - middle) / half) for v in values]
        return rng.choices(values, weights=weights)[0]

    def _number(self, question: Question, direction: float, quality: float, rng: random.Random) -> Answer:
        low = question.minimum if question.minimum is not None else 0.0
        high = question.maximum if question.maximum is not None else low + 1000.0
        target = self.targets.get(question.id)
        if target is not None and direction:
            # Better facilities sit on the good side of the target, worse ones far off it.
            median = max(target * math.exp(0.6 * direction * (quality - TYPICAL_QUALITY)) * (0.8 if direction < 0 else 1.2), 1e-6)
            value = rng.lognormvariate(math.log(median), 0.7)
        elif high - low <= 12:
            value = rng.uniform(low, high)
        else:
            value = low + rng.lognormvariate(math.log(max(high - low, 1.0) ** (1.0 / 3.0)), 0.9)
        value = min(max(value, low), high)
        if question.type == "integer":
            return int(min(max(round(value), math.ceil(low)), math.floor(high)))
        stepped = round(value * 2.0) / 2.0 if high - low <= 60 else round(value)
        return float(min(max(stepped, low), high))


def _minutes(time_of_day: str) -> int:
    hours, minutes = time_of_day.split(":")
    return int(hours) * 60 + int(minutes)


def _as_text(value: Answer) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
