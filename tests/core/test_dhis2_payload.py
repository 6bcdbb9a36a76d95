"""The dataValueSets payload: withheld cells absent, values as DHIS2 takes them, DHIS2's period
formats, unmapped figures warned of, and every payload valid against the JSON Schema written
from DHIS2's documentation (which itself accepts DHIS2's own examples and refuses mistakes)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from cml.core.dhis2 import (
    Figure,
    build_payload,
    datavalueset_schema,
    dhis2_period,
    format_value,
    read_import_summary,
    read_mapping,
)
from cml.core.dhis2.mapping import parse_mapping

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "dhis2_mapping.example.json"
VALIDATOR = Draft202012Validator(datavalueset_schema())


def mapping(**changes):
    document = json.loads(EXAMPLE.read_text())
    document.update(changes)
    model, problems = parse_mapping(document)
    assert model is not None, problems
    return model


def errors(document) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_the_schema_takes_dhis2s_documented_examples_and_refuses_mistakes() -> None:
    # The two JSON examples of DHIS2's "Sending data values" section, with their uids.
    one_form = {"dataSet": "pBOMPrpg1QX", "completeDate": "2014-02-03", "period": "201401", "orgUnit": "DiszpKrYNg8",
                "dataValues": [{"dataElement": "f7n9E0hX8qk", "value": "1"}, {"dataElement": "Ix2HsbDMLea", "value": "2"}]}
    bulk = {"dataValues": [{"dataElement": "f7n9E0hX8qk", "period": "201401", "orgUnit": "DiszpKrYNg8", "value": "12"},
                           {"dataElement": "f7n9E0hX8qk", "period": "201402", "orgUnit": "Jkhdsf8sdf4", "value": "18"}]}
    assert errors(one_form) == [] and errors(bulk) == []
    for period in ("20260115", "2026W3", "2026W53", "2026BiW2", "202601", "202601B", "2026Q3", "2026S2", "2026AprilS1", "2026", "2026July"):
        assert errors({"dataValues": [{**bulk["dataValues"][0], "period": period}]}) == [], period
    for period in ("2026-07", "2026Q5", "26Q1", "202613", "2026W54", "2026q1", ""):
        assert errors({"dataValues": [{**bulk["dataValues"][0], "period": period}]}), period
    wrong = [
        {"dataValues": [{"dataElement": "f7n9E0hX8qk", "orgUnit": "DiszpKrYNg8", "value": "1"}]},  # no period anywhere
        {"period": "201401", "dataValues": [{"dataElement": "f7n9E0hX8qk", "value": "1"}]},  # no orgUnit anywhere
        {"dataValues": [{**bulk["dataValues"][0], "value": 12}]},  # a number, not text
        {"dataValues": [{**bulk["dataValues"][0], "dataElement": "f7n9E0hX8q"}]},  # 10 characters
        {"dataValues": [{**bulk["dataValues"][0], "categoryOptionCombo": "9RowvyZOF2x"}]},  # a digit first
        {"dataValues": [{**bulk["dataValues"][0], "value": ""}]},
        {"dataSet": "pBOMPrpg1QX", "dataValues": [bulk["dataValues"][0]], "extra": 1},
        {"completeDate": "03/02/2014", "dataValues": []},
    ]
    for document in wrong:
        assert errors(document), document


def test_periods_in_dhis2s_formats() -> None:
    assert dhis2_period(20263, "quarter") == "2026Q3"
    assert dhis2_period(20261, "quarter") == "2026Q1"
    assert dhis2_period(2026, "year") == "2026"
    assert dhis2_period(202607, "month") == "202607"  # DHIS2 writes months without a dash, unlike CML's 2026-07


def test_values_rounding_rule() -> None:
    assert format_value(82.25, 1) == "82.3"  # halves away from zero, on the number as written
    assert format_value(82.35, 1) == "82.4"
    assert format_value(0.8225 * 100, 1) == "82.3"
    assert format_value(99.96, 1) == "100.0"
    assert format_value(66.6666, 0) == "67"
    assert format_value(3.14159, 2) == "3.14"
    assert format_value(-0.001, 1) == "0.0"  # never "-0.0"
    assert format_value(100.0, 1) == "100.0"
    assert format_value(1e-07, 2) == "0.00"


def figures() -> list[Figure]:
    return [
        Figure("hiv_test_offered", "proportion", "kyiv", 20263, True, 0.82251, 0.70, 0.9012, 41, 50),
        Figure("hiv_test_offered", "proportion", "odesa", 20263, False),  # withheld
        Figure("hiv_test_offered", "proportion", "lviv", 20263, True, None, numerator=0, denominator=0),  # no respondents
        Figure("hiv_test_offered", "proportion", None, 20263, True, 0.8, 0.75, 0.85, 400, 500),
        Figure("hiv_test_offered", "proportion", "nowhere", 20263, True, 0.5, 0.4, 0.6, 10, 20),  # unmapped region
        Figure("waiting_time", "mean", "kyiv", 20263, True, 21.456, 18.0, 25.0, None, 49),
        Figure("condoms_enough", "proportion", "kyiv", 20263, True, 0.666, 0.5, 0.8, 20, 30),
        Figure("overall_rating", "mean", "kyiv", 20263, True, 4.2, 4.0, 4.4, None, 50),  # unmapped indicator
        Figure("overall_rating", "mean", "kyiv", 20264, False),  # unmapped and withheld: not counted as withheld
    ]


def test_published_figures_go_in_withheld_ones_stay_out() -> None:
    model = mapping()
    payload = build_payload(figures(), model, today=date(2026, 12, 2))
    document = payload.document
    assert errors(document) == []
    assert "completeDate" not in document and document["dataSet"] == model.data_set
    kyiv, odesa, lviv = model.regions["kyiv"], model.regions["odesa"], model.regions["lviv"]
    by_place = {}
    for value in document["dataValues"]:
        by_place.setdefault((value["orgUnit"], value["dataElement"]), []).append(value)
        assert value["period"] == "2026Q3" and value["attributeOptionCombo"] == model.attribute_option_combo
    hiv = model.indicators["hiv_test_offered"]
    assert by_place[(kyiv, hiv.value.data_element)][0]["value"] == "82.3"
    assert by_place[(kyiv, hiv.value.data_element)][0]["comment"] == "95% CI 70.0–90.1; n = 50"
    assert by_place[(kyiv, hiv.numerator.data_element)][0]["value"] == "41"
    assert by_place[(kyiv, hiv.denominator.data_element)][0]["value"] == "50"
    assert not any(org == odesa for org, _ in by_place), "a withheld cell is absent, not zero"
    # No respondents: the counts are published as 0; there is no percentage to send.
    assert (lviv, hiv.value.data_element) not in by_place and by_place[(lviv, hiv.denominator.data_element)][0]["value"] == "0"
    assert by_place[(model.national, hiv.value.data_element)][0]["value"] == "80.0"
    waiting = model.indicators["waiting_time"]
    assert by_place[(kyiv, waiting.value.data_element)][0]["value"] == "21.5"  # decimals 1 in the example
    assert by_place[(kyiv, waiting.denominator.data_element)][0]["value"] == "49"
    condoms = model.indicators["condoms_enough"]
    condom_value = by_place[(kyiv, condoms.value.data_element)][0]
    assert condom_value["value"] == "67" and condom_value["categoryOptionCombo"] == condoms.value.category_option_combo
    assert "categoryOptionCombo" not in by_place[(kyiv, hiv.value.data_element)][0]  # DHIS2's default combo
    assert payload.withheld == 1 and payload.values == len(document["dataValues"]) == 11
    assert [w.text() for w in payload.warnings] == [
        'indicator "overall_rating" is not in the mapping: 1 figure(s) not sent',
        'region "nowhere" has no orgUnit in the mapping: 1 figure(s) not sent',
    ]


def test_options_warnings_and_the_yearly_grain() -> None:
    document = json.loads(EXAMPLE.read_text())
    del document["orgUnits"]["national"], document["attributeOptionCombo"]
    document.update(periodType="Yearly", markComplete=True, intervalComment=False)
    document["indicators"]["waiting_time"]["numerator"] = {"dataElement": "zzzzzzzzzzz"}
    document["indicators"]["gone"] = {"value": {"dataElement": "yyyyyyyyyyy"}}
    model, problems = read_mapping(json.dumps(document).encode())
    assert model is not None, problems
    yearly = [Figure("hiv_test_offered", "proportion", None, 2026, True, 0.8, 0.7, 0.9, 8, 10),
              Figure("hiv_test_offered", "proportion", "kyiv", 2026, True, 0.8, 0.7, 0.9, 8, 10)]
    payload = build_payload(yearly, model, ["hiv_test_offered", "waiting_time", "condoms_enough", "know_how_to_complain"], {"waiting_time": "mean"}, date(2026, 12, 2))
    assert errors(payload.document) == []
    assert payload.document["completeDate"] == "2026-12-02"
    assert {v["period"] for v in payload.document["dataValues"]} == {"2026"}
    assert all("comment" not in v and "attributeOptionCombo" not in v for v in payload.document["dataValues"])
    assert [w.kind for w in payload.warnings] == ["no_national", "not_in_table", "mean_numerator"]
    assert payload.warnings[0].count == 1 and payload.warnings[1].subject == "gone"


FIGURES = st.builds(
    Figure,
    indicator=st.sampled_from(["hiv_test_offered", "waiting_time", "condoms_enough", "know_how_to_complain", "other"]),
    kind=st.sampled_from(["proportion", "mean"]),
    region=st.sampled_from([None, "kyiv", "odesa", "lviv", "elsewhere"]),
    period=st.integers(1990, 2999).flatmap(lambda y: st.integers(1, 4).map(lambda q: y * 10 + q)),
    published=st.booleans(),
    estimate=st.none() | st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("inf")),
    lower=st.none() | st.floats(0, 1), upper=st.none() | st.floats(0, 1),
    numerator=st.none() | st.integers(0, 10**6), denominator=st.none() | st.integers(0, 10**6),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(FIGURES, max_size=30))
def test_every_payload_is_valid_and_holds_no_withheld_cell(cells: list[Figure]) -> None:
    model = mapping()
    payload = build_payload(cells, model, today=date(2026, 12, 2))
    assert errors(payload.document) == []
    published_places = {(f.region, f.period) for f in cells if f.published}
    org_of = {None: model.national, **model.regions}
    sent = {(v["orgUnit"], v["period"]) for v in payload.document["dataValues"]}
    allowed = {(org_of.get(region), dhis2_period(period, "quarter")) for region, period in published_places}
    assert sent <= allowed
    for value in payload.document["dataValues"]:
        float(value["value"])  # a plain decimal number DHIS2 reads
        assert "e" not in value["value"].lower() and value["value"] not in ("inf", "nan")


def test_import_summaries_old_and_new() -> None:
    wrapped = {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING", "response": {
        "responseType": "ImportSummary", "status": "WARNING", "importOptions": {"dryRun": True},
        "importCount": {"imported": 3, "updated": 2, "ignored": 1, "deleted": 0},
        "conflicts": [{"object": "abcdefghijk", "value": "Organisation unit not found"},
                      {"objects": {"orgUnit": "abcdefghijk"}, "value": "not found", "errorCode": "E7610"}]}}
    result = read_import_summary(wrapped)
    assert result is not None and (result.status, result.imported, result.updated, result.ignored, result.dry_run) == ("WARNING", 3, 2, 1, True)
    assert result.conflicts == [("abcdefghijk", "Organisation unit not found"), ("orgUnit=abcdefghijk", "not found")]
    assert result.lines()[0] == "dry run (nothing stored): WARNING: imported 3, updated 2, ignored 1, deleted 0"
    bare = {"responseType": "ImportSummary", "status": "SUCCESS", "importCount": {"imported": 7, "updated": 0, "ignored": 0, "deleted": 0}}
    result = read_import_summary(bare)
    assert result is not None and (result.status, result.imported, result.conflicts) == ("SUCCESS", 7, [])
    many = {"status": "WARNING", "importCount": {"imported": 0}, "conflicts": [{"object": "x", "value": "bad\x1b[31m"}] * 80}
    result = read_import_summary(many)
    assert result is not None and len(result.conflicts) == 50 and result.conflict_count == 80
    assert result.conflicts[0][1] == "bad [31m" and result.lines()[-1] == "… and 30 more conflict(s)"


@pytest.mark.parametrize("body", [None, [], "text", {"httpStatus": "Unauthorized"}, {"importCount": "lots"}, {"response": {"status": "OK"}}])
def test_answers_without_a_summary(body) -> None:
    assert read_import_summary(body) is None


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["response", "importCount", "conflicts", "status",
                                                                                          "imported", "object", "objects", "value"]), c, max_size=4),
                    max_leaves=15))
def test_any_answer_is_read_without_raising(body) -> None:
    result = read_import_summary(body)
    if result is not None:
        assert result.imported >= 0 and isinstance(result.lines(), list)


def test_a_push_of_the_whole_table_retracts_every_mapped_number_it_does_not_publish() -> None:
    model = mapping()
    assert build_payload(figures(), model).retractions == [], "a reader's narrower table retracts nothing"
    payload = build_payload(figures(), model, every_region=True)
    address = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo")
    sent = {tuple(v.get(k, "") for k in address) for v in payload.document["dataValues"]}
    retracted = [tuple(v.get(k, "") for k in address) for v in payload.retractions]
    assert not any("value" in v or "comment" in v for v in payload.retractions), "an address only: nothing withheld is sent"
    assert len(set(retracted)) == len(retracted) and not set(retracted) & sent
    hiv = model.indicators["hiv_test_offered"]
    odesa, lviv, aoc = model.regions["odesa"], model.regions["lviv"], model.attribute_option_combo or ""
    for target in (hiv.value, hiv.numerator, hiv.denominator):  # withheld in Odesa: all three numbers go
        assert (target.data_element, "2026Q3", odesa, target.category_option_combo or "", aoc) in retracted
    assert (hiv.value.data_element, "2026Q3", lviv, hiv.value.category_option_combo or "", aoc) in retracted  # no percentage now
    # Only the periods of the table: 2026Q3 and, for the withheld overall rating, 2026Q4.
    assert {key[1] for key in retracted} == {"2026Q3", "2026Q4"}
    targets = [t for spec in model.indicators.values() for t in (spec.value, spec.numerator, spec.denominator) if t is not None]
    org_units = [model.national, *model.regions.values()]
    assert len(retracted) + len(sent) == 2 * len(targets) * len(org_units)
    assert errors(payload.retraction_document()) == []
    assert payload.retraction_document()["dataSet"] == model.data_set
