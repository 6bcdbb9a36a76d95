"""Which pages of a form are shown, and how raw form posts become answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from werkzeug.datastructures import MultiDict

from cml.collect.fields import FIELD_PREFIX, field_name
from cml.core.answers import CleanedAnswers, RawValue, clean_answers, section_applies
from cml.core.question_types import kind_of
from cml.core.questionnaire import Answer, Question, Questionnaire, Section, evaluate
from cml.core.questionnaire.conditions import condition_to_json, referenced_questions

# Form keys that are not answers; anything else that is not a question is a tampered post.
CONTROL_KEYS = frozenset({"csrf_token", "action", "submission_id", "facility", "interview_date", "version"})


def shown_sections(questionnaire: Questionnaire, raw: Mapping[str, RawValue], today: date) -> list[int]:
    """1-based numbers of the sections that apply, given the answers so far."""
    answers = clean_answers(questionnaire, raw, today).answers
    return [number for number, section in enumerate(questionnaire.sections, start=1) if section_applies(section, answers)]


def resume_at(questionnaire: Questionnaire, raw: Mapping[str, RawValue], today: date) -> int | None:
    """Where an unfinished form goes on: the first shown section with an answer missing or wrong,
    else the first shown section after the last one answered; None when only the review is left."""
    cleaned = clean_answers(questionnaire, raw, today)
    shown = [n for n, section in enumerate(questionnaire.sections, start=1) if section_applies(section, cleaned.answers)]
    for number in shown:
        if any(q.id in cleaned.errors for q in questionnaire.sections[number - 1].questions):
            return number
    answered = [n for n in shown if any(q.id in raw for q in questionnaire.sections[n - 1].questions)]
    later = [n for n in shown if n > (answered[-1] if answered else 0)]
    return later[0] if later else None


def neighbour(shown: list[int], current: int, step: int) -> int | None:
    """The next (step=1) or previous (step=-1) shown section, or None past either end."""
    later = [n for n in shown if n > current] if step > 0 else [n for n in reversed(shown) if n < current]
    return later[0] if later else None


def unknown_keys(form: MultiDict[str, str], questionnaire: Questionnaire, section: Section | None = None) -> list[str]:
    """Posted keys that are neither control fields nor questions (of `section`, when given)."""
    allowed = {field_name(q.id) for q in (section.questions if section else questionnaire.questions) if q.answers}
    return sorted(key for key in form if key not in CONTROL_KEYS and key not in allowed)


def raw_answers(form: MultiDict[str, str], questionnaire: Questionnaire, section: Section | None = None) -> dict[str, RawValue]:
    """The posted answers of a section (or of every question), keyed by question id."""
    raw: dict[str, RawValue] = {}
    for question in section.questions if section else questionnaire.questions:
        key = field_name(question.id)
        if key not in form or not question.answers:
            continue
        values = form.getlist(key)
        raw[question.id] = values if kind_of(question.type).several else (values[0] if len(values) == 1 else values)
    return raw


def section_errors(cleaned: CleanedAnswers, section: Section) -> dict[str, str]:
    ids = {q.id for q in section.questions}
    return {k: v.code for k, v in cleaned.errors.items() if k in ids}


def live_conditions(section: Section) -> dict[str, str]:
    """Skip logic the browser can apply while the page is open: conditions on this page's answers.

    Conditions on earlier pages are already decided by the server when the page is drawn.
    """
    on_page = {q.id for q in section.questions}
    return {
        question.id: json.dumps(condition_to_json(question.show_if))
        for question in section.questions
        if question.show_if is not None and on_page & set(referenced_questions(question.show_if))
    }


def page_definition_json(section: Section) -> str:
    """The page's questions as questionnaire JSON holding only what cleaning needs (no texts),
    so the browser's questionnaire.js decides live skip logic with the server's rules."""
    page = {"sections": [{"id": section.id, "questions": [_cleaning_keys(q) for q in section.questions]}]}
    return json.dumps(page, ensure_ascii=False, separators=(",", ":"))


def _cleaning_keys(question: Question) -> dict[str, object]:
    keys: dict[str, object] = {"id": question.id, "type": question.type}
    if question.required:
        keys["required"] = True
    if question.show_if is not None:
        keys["show_if"] = condition_to_json(question.show_if)
    if question.constraint is not None:
        keys["constraint"] = {"condition": condition_to_json(question.constraint.condition)}
    if kind_of(question.type).choices == "list":
        keys["choices"] = [{"id": c.id, **({"filter": list(c.filter)} if c.filter is not None else {})} for c in question.choices]
    if question.choice_filter is not None:
        keys["choice_filter"] = question.choice_filter
    if question.type == "rating":
        keys["scale"] = {"min": question.minimum, "max": question.maximum}
    elif question.type in ("integer", "decimal"):
        keys.update({k: v for k, v in (("min", question.minimum), ("max", question.maximum)) if v is not None})
    elif question.type == "time":
        keys.update({k: v for k, v in (("min", question.earliest), ("max", question.latest)) if v is not None})
    optional = (("min_selected", question.min_selected), ("max_selected", question.max_selected), ("max_length", question.max_length))
    keys.update({k: v for k, v in optional if v is not None})
    if question.allow_future:
        keys["allow_future"] = True
    return keys


def hidden_answer_fields(raw: Mapping[str, RawValue]) -> list[tuple[str, str]]:
    """(name, value) pairs that carry every answer in the final, self-contained submission."""
    pairs: list[tuple[str, str]] = []
    for question_id, value in raw.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                pairs.append((FIELD_PREFIX + question_id, str(item)))
    return pairs


def _earlier_answers(questionnaire: Questionnaire, section: Section, raw: Mapping[str, RawValue], today: date) -> dict[str, Answer]:
    on_page = {q.id for q in section.questions}
    return {k: v for k, v in clean_answers(questionnaire, raw, today).answers.items() if k not in on_page}


def asked_questions(questionnaire: Questionnaire, section: Section, raw: Mapping[str, RawValue], today: date) -> set[str]:
    """Questions drawn on the page: those that apply given earlier pages, and those the
    browser decides live (without JavaScript they stay visible; the server drops what does not apply)."""
    earlier = _earlier_answers(questionnaire, section, raw, today)
    live = live_conditions(section)
    return {q.id for q in section.questions if q.show_if is None or q.id in live or evaluate(q.show_if, earlier)}


def offered_choices(questionnaire: Questionnaire, section: Section, raw: Mapping[str, RawValue], today: date) -> dict[str, set[str]]:
    """The choices drawn for filtered questions whose filter is answered on an earlier page: only those
    its answer offers. A filter answered on this same page is the browser's to apply live (every choice
    is drawn, so that without JavaScript no valid answer is out of reach; the server refuses the others)."""
    on_page = {q.id for q in section.questions}
    earlier = _earlier_answers(questionnaire, section, raw, today)
    return {q.id: {c.id for c in q.offered(earlier)} for q in section.questions
            if q.choice_filter is not None and q.choice_filter not in on_page}


def earlier_answers_json(questionnaire: Questionnaire, section: Section, raw: Mapping[str, RawValue], today: date) -> str:
    """Earlier pages' answers, for live conditions that mix them with this page's answers."""
    return json.dumps(_earlier_answers(questionnaire, section, raw, today), ensure_ascii=False)
