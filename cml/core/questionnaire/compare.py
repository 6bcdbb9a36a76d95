"""What a new version of a questionnaire changes, before it is published.

Two parts: the questions and indicators that differ between the published version and the
new one, and what `indicators rebuild` would then recompute. A response's facts follow the
latest version's definitions wherever its own version can answer them
(`cml.core.indicators.resolve_definitions`), so the effect is found by resolving each
published version's definitions against the current latest version and against the new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cml.core.indicators import resolve_definitions
from cml.core.questionnaire.model import Choice, Indicator, Question, Questionnaire, Text

Kind = Literal["added", "removed", "changed"]

QUESTION_ASPECTS = ("type", "label", "hint", "section", "show_if", "constraint", "required", "choices", "limits", "sensitive")
"""What may change in a question, in the order the comparison names them."""
INDICATOR_ASPECTS = ("type", "label", "numerator", "denominator", "question", "target", "better")
MEANING = frozenset({"type", "numerator", "denominator", "question"})
"""The aspects of an indicator that change its facts (a target or label changes only how they are read)."""


@dataclass(frozen=True)
class QuestionChange:
    id: str
    kind: Kind
    label: Text
    """The new label (the old one for a removed question)."""
    aspects: tuple[str, ...] = ()
    choices_added: tuple[Choice, ...] = ()
    choices_removed: tuple[Choice, ...] = ()
    choices_relabelled: tuple[Choice, ...] = ()
    """Choices kept with a new label (the new label)."""


@dataclass(frozen=True)
class IndicatorChange:
    id: str
    kind: Kind
    label: Text
    aspects: tuple[str, ...] = ()

    @property
    def meaning_changed(self) -> bool:
        """Whether responses would count differently under the new definition."""
        return self.kind != "changed" or bool(MEANING.intersection(self.aspects))


@dataclass(frozen=True)
class Recount:
    """What `indicators rebuild` recomputes for one published version after the new one is published."""

    version: int
    responses: int
    indicators: tuple[str, ...]
    """Indicators whose facts for this version's responses would change (added, changed or no longer computed)."""


@dataclass(frozen=True)
class Comparison:
    published_version: int | None
    new_version: int
    questions: tuple[QuestionChange, ...]
    indicators: tuple[IndicatorChange, ...]
    settings: tuple[str, ...]
    """Questionnaire-wide settings that differ: title, languages, subject, sampling, disclosure, counted_states, sections."""
    recounts: tuple[Recount, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.questions or self.indicators or self.settings)

    @property
    def recounted_indicators(self) -> tuple[str, ...]:
        return tuple(sorted({i for r in self.recounts for i in r.indicators}))

    @property
    def recounted_responses(self) -> int:
        return sum(r.responses for r in self.recounts if r.indicators)


def compare(published: Questionnaire | None, new: Questionnaire, versions: Sequence[tuple[Questionnaire, int]] = ()) -> Comparison:
    """`new` against `published` (None: nothing published yet, everything is added).

    :param versions: every published version's model with its number of stored responses,
        for what a rebuild would recompute; the latest of them is `published`.
    """
    if published is not None and published.id != new.id:
        raise ValueError(f"versions of different questionnaires: {published.id!r} and {new.id!r}")
    old_questions = {q.id: q for q in published.questions} if published else {}
    old_indicators = {i.id: i for i in published.indicators} if published else {}
    return Comparison(
        published_version=published.version if published else None,
        new_version=new.version,
        questions=_question_changes(old_questions, new),
        indicators=_indicator_changes(old_indicators, new),
        settings=_setting_changes(published, new) if published else (),
        recounts=tuple(_recount(own, responses, published, new) for own, responses in versions) if published else (),
    )


def _question_changes(old: dict[str, Question], new: Questionnaire) -> tuple[QuestionChange, ...]:
    changes: list[QuestionChange] = []
    for question in new.questions:
        before = old.get(question.id)
        if before is None:
            changes.append(QuestionChange(question.id, "added", question.label, choices_added=question.choices))
            continue
        change = _question_change(before, question)
        if change is not None:
            changes.append(change)
    seen = {q.id for q in new.questions}
    changes.extend(QuestionChange(q.id, "removed", q.label) for q in old.values() if q.id not in seen)
    return tuple(changes)


def _question_change(before: Question, after: Question) -> QuestionChange | None:
    differs = {
        "type": before.type != after.type,
        "label": before.label != after.label,
        "hint": before.hint != after.hint,
        "section": before.section_id != after.section_id,
        "show_if": before.show_if != after.show_if,
        "constraint": before.constraint != after.constraint,
        "required": before.required != after.required,
        "choices": before.choices != after.choices,
        "limits": _limits(before) != _limits(after),
        "sensitive": before.sensitive != after.sensitive,
    }
    aspects = tuple(name for name in QUESTION_ASPECTS if differs[name])
    if not aspects:
        return None
    old_choices = {c.id: c for c in before.choices}
    new_ids = set(after.choice_ids)
    return QuestionChange(
        after.id, "changed", after.label, aspects,
        choices_added=tuple(c for c in after.choices if c.id not in old_choices),
        choices_removed=tuple(c for c in before.choices if c.id not in new_ids),
        choices_relabelled=tuple(c for c in after.choices if c.id in old_choices and old_choices[c.id].label != c.label),
    )


def _limits(question: Question) -> tuple[object, ...]:
    return (question.minimum, question.maximum, question.min_selected, question.max_selected, question.max_length, question.allow_future,
            question.unit, question.min_label, question.max_label)


def _indicator_changes(old: dict[str, Indicator], new: Questionnaire) -> tuple[IndicatorChange, ...]:
    changes: list[IndicatorChange] = []
    for indicator in new.indicators:
        before = old.get(indicator.id)
        if before is None:
            changes.append(IndicatorChange(indicator.id, "added", indicator.label))
        elif aspects := _indicator_aspects(before, indicator):
            changes.append(IndicatorChange(indicator.id, "changed", indicator.label, aspects))
    seen = {i.id for i in new.indicators}
    changes.extend(IndicatorChange(i.id, "removed", i.label) for i in old.values() if i.id not in seen)
    return tuple(changes)


def _indicator_aspects(before: Indicator, after: Indicator) -> tuple[str, ...]:
    return tuple(name for name in INDICATOR_ASPECTS if getattr(before, name) != getattr(after, name))


def _setting_changes(published: Questionnaire, new: Questionnaire) -> tuple[str, ...]:
    differs = {
        "title": published.title != new.title,
        "languages": published.languages != new.languages,
        "subject": published.subject != new.subject,
        "sampling": published.sampling != new.sampling,
        "disclosure": published.disclosure != new.disclosure,
        "counted_states": published.counted_states != new.counted_states,
        "sections": [(s.id, s.title, s.show_if) for s in published.sections] != [(s.id, s.title, s.show_if) for s in new.sections],
    }
    return tuple(name for name, changed in differs.items() if changed)


def _recount(own: Questionnaire, responses: int, latest: Questionnaire, new: Questionnaire) -> Recount:
    """Which indicators' facts of `own`'s responses a rebuild changes once `new` replaces `latest`."""
    now = {i.id: i for i in resolve_definitions(own, latest).indicators}
    then_model = resolve_definitions(own, new)
    then = {i.id: i for i in then_model.indicators}
    states_changed = resolve_definitions(own, latest).counted_states != then_model.counted_states
    changed = sorted(
        name for name in now.keys() | then.keys()
        if states_changed or name not in now or name not in then or _facts_differ(now[name], then[name])
    )
    return Recount(own.version, responses, tuple(changed))


def _facts_differ(before: Indicator, after: Indicator) -> bool:
    return any(getattr(before, name) != getattr(after, name) for name in MEANING)
