"""Questionnaires: the JSON format, its checks, and the immutable model built from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cml.core.questionnaire.build import build_questionnaire
from cml.core.questionnaire.conditions import Answer, Condition, evaluate, is_answered
from cml.core.questionnaire.model import (
    COUNTED_BY_DEFAULT,
    REVIEW_STATES,
    Choice,
    Indicator,
    Question,
    Questionnaire,
    Section,
    Text,
    translate,
)
from cml.core.questionnaire.problems import Problem, QuestionnaireError
from cml.core.questionnaire.sensitivity import opt_out_problems, opt_out_warnings
from cml.core.questionnaire.structure import check_structure, read_json, sort_problems

__all__ = [
    "COUNTED_BY_DEFAULT",
    "REVIEW_STATES",
    "Answer",
    "Choice",
    "Condition",
    "Indicator",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Section",
    "Text",
    "check_bytes",
    "check_warnings",
    "evaluate",
    "is_answered",
    "load_questionnaire",
    "parse_document",
    "translate",
]


def parse_document(document: Any) -> tuple[Questionnaire | None, list[Problem]]:
    """Check an already-decoded JSON document: structure first, then meaning."""
    if not isinstance(document, dict):
        return None, [Problem("$", "a questionnaire must be one JSON object {…}")]
    problems = check_structure(document)
    if not problems:
        return build_questionnaire(document)
    # Still look for mistakes of meaning, so the author sees every problem in one pass;
    # the builder may stumble on the broken structure, keeping what it found until then.
    return None, sort_problems(problems + build_questionnaire(document, tolerant=True)[1])


def check_bytes(data: bytes) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem of a questionnaire file's contents, and the model when there are none.

    Stricter than `parse_document`, which also reads versions published before a rule: a
    free-text question may opt out of being sensitive only with a reason.
    """
    document, problems = read_json(data)
    if problems:
        return None, problems
    questionnaire, problems = parse_document(document)
    refused = opt_out_problems(document)
    if refused:
        return None, sort_problems(problems + refused)
    return questionnaire, problems


def check_warnings(data: bytes) -> list[Problem]:
    """What a questionnaire author should look at again, though the file is valid."""
    document, problems = read_json(data)
    return [] if problems else opt_out_warnings(document)


def load_questionnaire(path: str | Path) -> Questionnaire:
    """The questionnaire in `path`; raises QuestionnaireError listing every problem."""
    questionnaire, problems = check_bytes(Path(path).read_bytes())
    if questionnaire is None:
        raise QuestionnaireError(problems, str(path))
    return questionnaire
