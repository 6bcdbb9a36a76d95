"""Checking the meaning of a structurally valid questionnaire and building its model.

The JSON Schema has already vouched for the shape (keys, types); this module checks what
a schema cannot: unique ids, references to questions and choices, skip logic that only
looks back, complete translations, and indicator rules. Every problem is collected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, cast

from cml.core.question_types import QUESTION_KINDS, TYPE_SPECIFIC_KEYS, is_time
from cml.core.questionnaire.conditions import Condition, Referable, parse_condition, referenced_questions
from cml.core.questionnaire.model import (
    BUILTIN_YES_NO_DK,
    COUNTED_BY_DEFAULT,
    NUMERIC_TYPES,
    REVIEW_STATES,
    YES_NO_DK_IDS,
    Choice,
    Constraint,
    Indicator,
    Question,
    Questionnaire,
    Section,
    Text,
)
from cml.core.questionnaire.problems import Problem, child
from cml.core.questionnaire.sensitivity import is_sensitive
from cml.core.questionnaire.structure import sort_problems

TEXT_KEYS = ("label", "hint", "unit", "min_label", "max_label")
FILTER_DECIDERS = frozenset({"single_choice", "yes_no_dk"})
"""The types whose answer may decide a choice filter: one choice id."""


class _Builder:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.problems: list[Problem] = []
        languages = document.get("languages")
        self.languages: tuple[str, ...] = tuple(x for x in languages if isinstance(x, str)) if isinstance(languages, list) else ()

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # --- texts -------------------------------------------------------------------------
    def text(self, raw: dict[str, str], path: str) -> Text:
        for language in self.languages:
            if language not in raw:
                self.fail(path, f"missing the \"{language}\" translation")
            elif not raw[language].strip():
                self.fail(child(path, language), f"the \"{language}\" translation is empty")
        for language in raw:
            if language not in self.languages:
                self.fail(child(path, language), f"\"{language}\" is not one of the questionnaire's languages ({', '.join(self.languages)})")
        return dict(raw)

    def optional_text(self, owner: dict[str, Any], key: str, path: str) -> Text | None:
        return self.text(owner[key], child(path, key)) if key in owner else None

    # --- choices -----------------------------------------------------------------------
    def choices(self, raw: list[dict[str, Any]], path: str) -> tuple[Choice, ...]:
        seen: dict[str, int] = {}
        result = []
        for i, item in enumerate(raw):
            item_path = child(path, i)
            if item["id"] in seen:
                self.fail(child(item_path, "id"), f"duplicate choice id \"{item['id']}\" (also at {child(path, seen[item['id']])})")
            seen.setdefault(item["id"], i)
            spec = item.get("filter")
            only_when = None if spec is None else (spec,) if isinstance(spec, str) else tuple(spec)
            result.append(Choice(item["id"], self.text(item["label"], child(item_path, "label")), only_when))
        return tuple(result)

    def choice_lists(self) -> dict[str, tuple[Choice, ...]]:
        lists = self.doc.get("choice_lists", {})
        built = {name: self.choices(items, child("$.choice_lists", name)) for name, items in lists.items()}
        if "yes_no_dk" in built and tuple(c.id for c in built["yes_no_dk"]) != YES_NO_DK_IDS:
            self.fail("$.choice_lists.yes_no_dk", "a list named yes_no_dk must have exactly the ids yes, no, dont_know")
        return built

    def yes_no_dk(self, lists: Mapping[str, tuple[Choice, ...]]) -> tuple[Choice, ...]:
        if "yes_no_dk" in lists:
            return lists["yes_no_dk"]
        missing = [lang for lang in self.languages if lang not in BUILTIN_YES_NO_DK["yes"]]
        if missing and any(q["type"] == "yes_no_dk" for s in self.doc["sections"] for q in s["questions"]):
            self.fail("$.choice_lists", f"yes/no/don't know labels are built in only for en, uk, ru; define a choice list \"yes_no_dk\" for {', '.join(missing)}")
        return tuple(Choice(cid, {lang: BUILTIN_YES_NO_DK[cid].get(lang, "") for lang in self.languages}) for cid in YES_NO_DK_IDS)

    # --- questions ---------------------------------------------------------------------
    def referables(self, lists: Mapping[str, tuple[Choice, ...]], yes_no: tuple[Choice, ...]) -> list[tuple[str, Referable]]:
        """Every question as (JSON path, what conditions need), in questionnaire order."""
        result = []
        for s, section in enumerate(self.doc["sections"]):
            for q, question in enumerate(section["questions"]):
                path = f"$.sections[{s}].questions[{q}]"
                choices = self.question_choices(question, path, lists, yes_no)
                result.append((path, Referable(question["id"], question["type"], tuple(c.id for c in choices))))
        return result

    def question_choices(
        self, raw: dict[str, Any], path: str, lists: Mapping[str, tuple[Choice, ...]], yes_no: tuple[Choice, ...]
    ) -> tuple[Choice, ...]:
        source = QUESTION_KINDS[raw["type"]].choices
        if source == "yes_no_dk":
            return yes_no
        if source != "list":
            return ()
        spec = raw.get("choices")
        if spec is None:
            self.fail(path, f"a {raw['type']} question needs \"choices\": a list name or a list of choices")
            return ()
        if isinstance(spec, str):
            if spec not in lists:
                self.fail(child(path, "choices"), f"there is no choice list \"{spec}\" in choice_lists")
                return ()
            return lists[spec]
        return self.choices(spec, child(path, "choices"))

    def type_keys(self, raw: dict[str, Any], path: str) -> None:
        allowed = QUESTION_KINDS[raw["type"]].keys
        for key in sorted(TYPE_SPECIFIC_KEYS & set(raw) - allowed):
            self.fail(child(path, key), f"\"{key}\" does not apply to a {raw['type']} question")

    def bounds(self, raw: dict[str, Any], path: str) -> tuple[float | None, float | None]:
        if raw["type"] == "rating":
            scale = raw.get("scale", {})
            low, high = scale.get("min", 1), scale.get("max", 5)
            if high <= low:
                self.fail(child(path, "scale"), f"the scale must go up: min {low} is not below max {high}")
            elif high - low > 100:
                self.fail(child(path, "scale"), "a rating scale may have at most 101 points")
            return low, high
        low, high = raw.get("min"), raw.get("max")
        if raw["type"] == "time":
            for key in ("min", "max"):
                if key in raw and not is_time(raw[key]):
                    self.fail(child(path, key), f"must be a time written \"HH:MM\" (24-hour) for a time question, found {raw[key]!r}")
                    return None, None
            if low is not None and high is not None and low > high:
                self.fail(child(path, "min"), f"min {low} is later than max {high}")
            return None, None
        for key in ("min", "max"):
            if isinstance(raw.get(key), str):
                self.fail(child(path, key), f"must be a number for a {raw['type']} question, found {raw[key]!r}")
                return None, None
        if raw["type"] == "integer":
            for key in ("min", "max"):
                if key in raw and not float(raw[key]).is_integer():
                    self.fail(child(path, key), f"must be a whole number for an integer question, found {raw[key]}")
        if low is not None and high is not None and low > high:
            self.fail(child(path, "min"), f"min {low} is greater than max {high}")
        return low, high

    def limits(self, raw: dict[str, Any], path: str, choices: tuple[Choice, ...]) -> tuple[int | None, int | None, int | None]:
        least, most = raw.get("min_selected"), raw.get("max_selected")
        if least is not None and most is not None and least > most:
            self.fail(child(path, "min_selected"), f"min_selected {least} is greater than max_selected {most}")
        if choices and most is not None and most > len(choices):
            self.fail(child(path, "max_selected"), f"max_selected {most} is more than the {len(choices)} choices")
        max_length = None
        ceiling = QUESTION_KINDS[raw["type"]].max_length
        if ceiling is not None:
            max_length = raw.get("max_length", ceiling)
            if max_length > ceiling:
                self.fail(child(path, "max_length"), f"a {raw['type']} answer may be at most {ceiling} characters")
        return least, most, max_length

    def condition(self, raw: object, path: str, visible: Mapping[str, Referable], known: Mapping[str, Referable]) -> Condition | None:
        return parse_condition(raw, path, visible, known, self.problems)

    def build(self) -> Questionnaire | None:
        default = self.doc.get("default_language", self.languages[0])
        if default not in self.languages:
            self.fail("$.default_language", f"\"{default}\" is not one of the languages ({', '.join(self.languages)})")
        if self.doc.get("subject", "facility") != "facility" and self.doc.get("sampling", {}).get("facilities") == "sampled":
            self.fail("$.sampling.facilities", f"facilities are sampled as clusters only when responses belong to facilities, not to {'an event' if self.doc['subject'] == 'event' else 'a region'}")
        title = self.text(self.doc["title"], "$.title")
        description = self.optional_text(self.doc, "description", "$")
        lists = self.choice_lists()
        yes_no = self.yes_no_dk(lists)
        referables = self.referables(lists, yes_no)
        known = {ref.id: ref for _, ref in referables}
        first_path: dict[str, str] = {}
        for path, ref in referables:
            if ref.id in first_path:
                self.fail(child(path, "id"), f"duplicate question id \"{ref.id}\" (first used at {first_path[ref.id]})")
            first_path.setdefault(ref.id, path)
        sections = self.sections(known, lists, yes_no)
        indicators = self.indicators(known)
        if self.problems:
            return None
        return Questionnaire(
            id=self.doc["id"],
            version=self.doc["version"],
            languages=self.languages,
            default_language=default,
            title=title,
            description=description,
            sections=sections,
            indicators=indicators,
            disclosure=self.doc.get("disclosure", "sensitive"),
            sampling=self.doc.get("sampling", {}).get("facilities", "monitored"),
            subject=self.doc.get("subject", "facility"),
            counted_states=tuple(state for state in REVIEW_STATES if state in self.doc.get("counted_states", COUNTED_BY_DEFAULT)),
            _questions_by_id={q.id: q for s in sections for q in s.questions},
        )

    def sections(
        self, known: Mapping[str, Referable], lists: Mapping[str, tuple[Choice, ...]], yes_no: tuple[Choice, ...]
    ) -> tuple[Section, ...]:
        section_ids: dict[str, int] = {}
        visible: dict[str, Referable] = {}
        built: list[Section] = []
        position = 0
        for s, raw_section in enumerate(self.doc["sections"]):
            spath = f"$.sections[{s}]"
            if raw_section["id"] in section_ids:
                self.fail(child(spath, "id"), f"duplicate section id \"{raw_section['id']}\" (first used at $.sections[{section_ids[raw_section['id']]}])")
            section_ids.setdefault(raw_section["id"], s)
            section_show_if = (
                self.condition(raw_section["show_if"], child(spath, "show_if"), dict(visible), known) if "show_if" in raw_section else None
            )
            questions = []
            for q, raw in enumerate(raw_section["questions"]):
                qpath = child(child(spath, "questions"), q)
                question = self.question(raw, qpath, raw_section["id"], position, lists, yes_no, visible, known)
                position += 1
                visible.setdefault(raw["id"], known[raw["id"]])
                if question is not None:
                    questions.append(question)
            built.append(Section(raw_section["id"], self.text(raw_section["title"], child(spath, "title")), tuple(questions), section_show_if))
        return tuple(built)

    def question(
        self,
        raw: dict[str, Any],
        path: str,
        section_id: str,
        position: int,
        lists: Mapping[str, tuple[Choice, ...]],
        yes_no: tuple[Choice, ...],
        visible: Mapping[str, Referable],
        known: Mapping[str, Referable],
    ) -> Question | None:
        self.type_keys(raw, path)
        # Reports the same problems as in referables(); build_questionnaire drops repeats.
        choices = self.question_choices(raw, path, lists, yes_no)
        texts = {key: self.optional_text(raw, key, path) for key in TEXT_KEYS}
        low, high = self.bounds(raw, path)
        least, most, max_length = self.limits(raw, path, choices)
        show_if = self.condition(raw["show_if"], child(path, "show_if"), visible, known) if "show_if" in raw else None
        self.choice_filter(raw, path, choices, visible, known)
        if not QUESTION_KINDS[raw["type"]].answers:
            for key in ("required", "constraint"):
                if raw.get(key):
                    self.fail(child(path, key), f"a {raw['type']} has no answer, so it cannot have \"{key}\"")
        constraint = None
        if "constraint" in raw:
            with_self = {**visible, raw["id"]: known[raw["id"]]}
            cpath = child(path, "constraint")
            condition = self.condition(raw["constraint"]["condition"], child(cpath, "condition"), with_self, known)
            message = self.text(raw["constraint"]["message"], child(cpath, "message"))
            if condition is not None:
                if raw["id"] not in set(referenced_questions(condition)):
                    self.fail(child(cpath, "condition"), f"a constraint must look at the answer to \"{raw['id']}\" itself")
                constraint = Constraint(condition, message)
        return Question(
            id=raw["id"],
            type=raw["type"],
            label=cast(Text, texts["label"]),
            section_id=section_id,
            position=position,
            hint=texts["hint"],
            required=raw.get("required", False),
            sensitive=is_sensitive(raw),
            show_if=show_if,
            constraint=constraint,
            choices=choices,
            minimum=low,
            maximum=high,
            unit=texts["unit"],
            min_selected=least,
            max_selected=most,
            min_label=texts["min_label"],
            max_label=texts["max_label"],
            max_length=max_length,
            allow_future=raw.get("allow_future", False),
            earliest=raw.get("min") if raw["type"] == "time" else None,
            latest=raw.get("max") if raw["type"] == "time" else None,
            choice_filter=raw.get("choice_filter"),
        )

    def choice_filter(
        self, raw: dict[str, Any], path: str, choices: tuple[Choice, ...], visible: Mapping[str, Referable], known: Mapping[str, Referable]
    ) -> None:
        """A choice filter names an earlier one-choice question, and each choice's filter its choice ids."""
        decider_id = raw.get("choice_filter")
        if decider_id is None:
            if isinstance(raw.get("choices"), list):
                for i, item in enumerate(raw["choices"]):
                    if "filter" in item:
                        self.fail(child(child(child(path, "choices"), i), "filter"), "a choice's \"filter\" needs the question's \"choice_filter\"")
            return
        fpath = child(path, "choice_filter")
        if decider_id not in known:
            self.fail(fpath, f"there is no question \"{decider_id}\"")
            return
        if decider_id not in visible:
            self.fail(fpath, f"\"{decider_id}\" is not an earlier question; a choice filter can only look back")
            return
        decider = visible[decider_id]
        if decider.type not in FILTER_DECIDERS:
            self.fail(fpath, f"\"{decider_id}\" is a {decider.type} question; a choice filter needs a single_choice or yes_no_dk question")
            return
        for i, choice in enumerate(choices):
            for value in choice.filter or ():
                if value not in decider.choice_ids:
                    where = child(child(path, "choices"), i) if isinstance(raw.get("choices"), list) else child(path, "choices")
                    self.fail(child(where, "filter"), f"\"{value}\" is not a choice of \"{decider_id}\" (choices: {', '.join(decider.choice_ids)})")

    # --- indicators --------------------------------------------------------------------
    def indicators(self, known: Mapping[str, Referable]) -> tuple[Indicator, ...]:
        seen: dict[str, int] = {}
        built = []
        for i, raw in enumerate(self.doc.get("indicators", [])):
            path = f"$.indicators[{i}]"
            if raw["id"] in seen:
                self.fail(child(path, "id"), f"duplicate indicator id \"{raw['id']}\" (first used at $.indicators[{seen[raw['id']]}])")
            seen.setdefault(raw["id"], i)
            indicator = self.indicator(raw, path, known)
            if indicator is not None:
                built.append(indicator)
        return tuple(built)

    def indicator(self, raw: dict[str, Any], path: str, known: Mapping[str, Referable]) -> Indicator | None:
        label = self.text(raw["label"], child(path, "label"))
        conditions: dict[str, Condition | None] = {}
        for key in ("numerator", "denominator"):
            conditions[key] = self.condition(raw[key], child(path, key), known, known) if key in raw else None
        question = raw.get("question")
        target, better = raw.get("target"), raw.get("better")
        if raw["type"] == "proportion":
            for key in ("numerator", "denominator"):
                if key not in raw:
                    self.fail(path, f"a proportion needs a \"{key}\" condition")
            if question is not None:
                self.fail(child(path, "question"), "\"question\" is for a mean; a proportion uses numerator and denominator")
            if target is not None and not 0 <= target <= 100:
                self.fail(child(path, "target"), f"a proportion's target is a percentage from 0 to 100, found {target}")
        else:
            if "numerator" in raw:
                self.fail(child(path, "numerator"), "a mean has no numerator; name the averaged question in \"question\"")
            if question is None:
                self.fail(path, "a mean needs \"question\": the number or rating question to average")
            elif question not in known:
                self.fail(child(path, "question"), f"there is no question \"{question}\"")
            elif known[question].type not in NUMERIC_TYPES:
                self.fail(child(path, "question"), f"\"{question}\" is a {known[question].type} question; a mean needs a number or rating")
        if target is not None and better is None:
            self.fail(path, "an indicator with a target must say \"better\": \"higher\" or \"lower\"")
        return Indicator(
            id=raw["id"],
            label=label,
            type=raw["type"],
            numerator=conditions["numerator"],
            denominator=conditions["denominator"],
            question=question,
            target=target,
            better=better,
        )


def build_questionnaire(document: dict[str, Any], tolerant: bool = False) -> tuple[Questionnaire | None, list[Problem]]:
    """The questionnaire model and every meaning problem; the model is None when there are problems.

    :param tolerant: the structure is known to be broken; collect what can be found and
        stop quietly where the structure gives way.
    """
    try:
        builder = _Builder(document)
    except (KeyError, TypeError, AttributeError, ValueError):
        return None, []
    if not tolerant:
        return builder.build(), sort_problems(builder.problems)
    with contextlib.suppress(KeyError, TypeError, AttributeError, ValueError, IndexError):
        builder.build()
    return None, sort_problems(builder.problems)
