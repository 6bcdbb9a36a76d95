"""The shapes of the API's answers (marshmallow): the OpenAPI document is generated from them.

The schemas document and check the answers; the views build plain dicts. Numbers stay numbers
(never "82.2%"); a figure the disclosure gate withholds is null, with `suppressed` true.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate


class ErrorSchema(ma.Schema):
    """Every refusal: the HTTP status as a number, a word for programs, a sentence for people."""

    error = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    status = fields.String(required=True, metadata={"description": "A word for programs: signed_out, forbidden, not_found, invalid, ..."})
    message = fields.String(required=True, metadata={"description": "What went wrong, in the account's language."})
    errors = fields.Raw(metadata={"description": "For a submission to correct: each answer's question, label and message."})


class QuestionnaireSchema(ma.Schema):
    code = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "In the account's language."})
    version = fields.Integer(required=True, metadata={"description": "The version new interviews are recorded on."})
    subject = fields.String(required=True, metadata={"description": "What one interview is about: facility, region or event."})


class QuestionnaireListSchema(ma.Schema):
    questionnaires = fields.List(fields.Nested(QuestionnaireSchema), required=True)


class QuestionnaireVersionSchema(ma.Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    retired = fields.Boolean(required=True, metadata={"description": "A retired version takes no new interview."})
    definition = fields.Dict(required=True, metadata={"description": "The questionnaire JSON, as published."})


class SubmissionInSchema(ma.Schema):
    """One complete interview, the offline app's contract (documented, then checked by the same code as /collect/api/v1)."""

    submission_id = fields.UUID(required=True, metadata={"description": "Made by the client: a resend with the same id stores nothing twice."})
    questionnaire = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    facility = fields.Raw(required=True, metadata={"description": "A facility id of the account's regions (a region's stand-in for region questionnaires)."})
    interview_date = fields.Date(required=True)
    answers = fields.Dict(keys=fields.String(), required=True, metadata={"description": "Question id to a text, or a list of texts for multiple choice."})


class ReceiptSchema(ma.Schema):
    submission_id = fields.String(required=True)
    received_at = fields.String(required=True, allow_none=True)
    questionnaire = fields.String(required=True)
    version = fields.Integer(required=True)


class SubmissionOutSchema(ma.Schema):
    status = fields.String(required=True, metadata={"description": "stored (201), duplicate (200: already stored) or withdrawn (200)."})
    receipt = fields.Nested(ReceiptSchema, required=True)
    message = fields.String()


class PageQuerySchema(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class SubmissionSummarySchema(ma.Schema):
    submission_id = fields.String(required=True)
    questionnaire = fields.String(required=True)
    version = fields.Integer(required=True)
    facility_id = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    interview_date = fields.String(required=True)
    received_at = fields.String(required=True)
    review_state = fields.String(required=True)
    withdrawn = fields.Boolean(required=True, metadata={"description": "Removed (consent withdrawn or deleted): its answers no longer count."})


class SubmissionPageSchema(ma.Schema):
    submissions = fields.List(fields.Nested(SubmissionSummarySchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


BREAKDOWNS = ("region", "national", "facility")
GRAINS = ("quarter", "year", "month")


class TableQuerySchema(ma.Schema):
    breakdown = fields.String(load_default="region", validate=validate.OneOf(BREAKDOWNS), metadata={
        "description": "region: regions and the nation by period (published aggregates); national: the nation by period "
                       "(readers of every region); facility: internal, leads and administrators only."})
    grain = fields.String(load_default="quarter", validate=validate.OneOf(GRAINS), metadata={"description": "month only with breakdown=facility."})
    first = fields.String(validate=validate.Length(max=16), metadata={"description": "First period, such as 2026Q1, 2026-01 or 2026."})
    last = fields.String(validate=validate.Length(max=16), metadata={"description": "Last period."})
    region = fields.Integer(validate=validate.Range(min=1), metadata={"description": "Only this region (404 when it is not one of the account's)."})


def _number(**kwargs: Any) -> fields.Float:
    return fields.Float(allow_none=True, **kwargs)


class IndicatorCellSchema(ma.Schema):
    indicator = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "proportion (figures from 0 to 1) or mean."})
    region = fields.String(required=True, metadata={"description": "The region's name, ALL for the nation, empty without a region breakdown."})
    facility = fields.String(required=True)
    period = fields.String(required=True)
    suppressed = fields.Boolean(required=True, metadata={"description": "Withheld by disclosure control: every figure is null."})
    estimate = _number(required=True)
    low = _number(required=True)
    high = _number(required=True)
    level = _number(required=True, metadata={"description": "The interval's confidence level, such as 0.95."})
    n = fields.Integer(required=True, allow_none=True, metadata={"description": "People asked (the denominator)."})
    numerator = fields.Integer(required=True, allow_none=True)
    facilities = fields.Integer(required=True, allow_none=True)
    effective_n = _number(required=True)
    design_effect = _number(required=True)
    method = fields.String(required=True, allow_none=True, metadata={"description": "The interval's method, a key."})
    method_words = fields.String(required=True, allow_none=True, metadata={"description": "The method in words, in the account's language."})
    target = _number(required=True)
    better = fields.String(required=True, allow_none=True, metadata={"description": "higher or lower."})
    verdict = fields.String(required=True, allow_none=True)
    reliability = fields.List(fields.String(), required=True)


class IndicatorTableSchema(ma.Schema):
    questionnaire = fields.String(required=True)
    breakdown = fields.String(required=True)
    grain = fields.String(required=True)
    aggregates_only = fields.Boolean(required=True, metadata={"description": "Published figures only, small cells withheld."})
    suppression_threshold = fields.Integer(required=True)
    generated_at = fields.String(required=True)
    cells = fields.List(fields.Nested(IndicatorCellSchema), required=True)
