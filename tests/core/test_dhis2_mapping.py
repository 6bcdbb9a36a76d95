"""The DHIS2 mapping file: the example reads, each mistake gets `FILE: PATH: message`, and no
file (broken JSON, wrong shapes, random bytes) ever raises."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cml.core.dhis2 import read_mapping
from cml.core.dhis2.mapping import parse_mapping

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "dhis2_mapping.example.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def problems_of(document: object) -> list[str]:
    mapping, problems = read_mapping(json.dumps(document).encode())
    assert (mapping is None) == bool(problems)
    return [p.format("m.json") for p in problems]


def test_the_example_reads_into_the_model() -> None:
    mapping, problems = read_mapping(EXAMPLE.read_bytes())
    assert problems == [] and mapping is not None
    assert mapping.questionnaire == "clinic_exit" and mapping.grain == "quarter" and mapping.period_type == "Quarterly"
    assert mapping.server == "https://dhis2.example.org"
    assert mapping.regions["kyiv"] == example()["orgUnits"]["regions"]["kyiv"]
    assert mapping.national == example()["orgUnits"]["national"]
    condoms = mapping.indicators["condoms_enough"]
    assert condoms.decimals == 0 and condoms.value is not None and condoms.value.category_option_combo == example()["indicators"]["condoms_enough"]["value"]["categoryOptionCombo"]
    assert mapping.indicators["hiv_test_offered"].numerator is not None and mapping.indicators["know_how_to_complain"].numerator is None
    assert mapping.interval_comment is True and mapping.mark_complete is False


def test_each_mistake_is_named_by_its_path() -> None:
    cases = []
    doc = example()
    doc["dataSet"] = "not-a-uid"
    cases.append((doc, 'm.json: $.dataSet: "not-a-uid" is not a DHIS2 uid (11 letters and digits starting with a letter, such as pBOMPrpg1QX)'))
    doc = example()
    doc["orgUnits"]["regions"]["kyiv"] = "1abcdefghij"  # a digit first
    cases.append((doc, "m.json: $.orgUnits.regions.kyiv: \"1abcdefghij\" is not a DHIS2 uid"))
    doc = example()
    doc["periodType"] = "Monthly"
    cases.append((doc, 'm.json: $.periodType: "Monthly" is not allowed; use one of: Quarterly, Yearly'))
    doc = example()
    del doc["dataSet"]
    cases.append((doc, 'm.json: $: missing "dataSet"'))
    doc = example()
    doc["orgUnits"]["facilities"] = {"kyiv-01": "BVX4ANCc9vI"}
    cases.append((doc, "m.json: $.orgUnits.facilities: facility figures are not published"))
    doc = example()
    doc["indicators"]["hiv_test_offered"]["value"]["categoryOptionCombo"] = 5
    cases.append((doc, "m.json: $.indicators.hiv_test_offered.value.categoryOptionCombo: must be text in quotes"))
    doc = example()
    doc["indicators"]["hiv_test_offered"]["decimals"] = 7
    cases.append((doc, "m.json: $.indicators.hiv_test_offered.decimals: must be at most 4"))
    doc = example()
    doc["indicators"]["hiv_test_offered"]["numerator"] = doc["indicators"]["hiv_test_offered"]["value"]
    cases.append((doc, "m.json: $.indicators.hiv_test_offered.numerator: the same data element and category option combo as $.indicators.hiv_test_offered.value"))
    doc = example()
    doc["indicators"]["hiv_test_offered"] = {"decimals": 1}
    cases.append((doc, 'm.json: $.indicators.hiv_test_offered: maps no number: give "value", "numerator" or "denominator"'))
    doc = example()
    doc["server"] = "ftp://x"
    cases.append((doc, 'm.json: $.server: "ftp://x" is not a server address such as https://dhis2.example.org'))
    doc = example()
    doc["password"] = "secret"
    cases.append((doc, 'm.json: $.password: unknown key "password"; allowed here:'))
    doc = example()
    doc["indicators"]["Bad-Id"] = doc["indicators"].pop("hiv_test_offered")
    cases.append((doc, "m.json: $.indicators: \"Bad-Id\" is not a CML id"))
    for document, expected in cases:
        found = problems_of(document)
        assert any(line.startswith(expected) for line in found), (expected, found)


def test_files_that_are_not_mappings() -> None:
    for data, message in [
        (b"", "m.json: $: the file is empty"),
        (b"{", "m.json: $: not valid JSON"),
        (b'{"a": 1, "a": 2}', 'm.json: $: the key "a" appears twice'),
        (b"\xff\xfe", "m.json: $: the file is not UTF-8 text"),
        (b"[1, 2]", "m.json: $: the file must hold one JSON object"),
        (b"[" * 5000, "m.json: $: the file nests 5000 levels deep; at most 32 are allowed"),
        (b'{"dataSet": NaN}', "m.json: $: not valid JSON"),
    ]:
        mapping, problems = read_mapping(data)
        assert mapping is None and problems[0].format("m.json").startswith(message), (data[:20], problems)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
PATHS = st.lists(st.sampled_from(["questionnaire", "server", "dataSet", "periodType", "orgUnits", "regions", "national", "indicators",
                                  "hiv_test_offered", "value", "dataElement", "categoryOptionCombo", "decimals", "kyiv", "markComplete"]),
                 min_size=1, max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PATHS, JSON, st.booleans())
def test_a_mangled_example_never_raises(path: list[str], value: object, delete: bool) -> None:
    document = copy.deepcopy(example())
    node = document
    for key in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            break
        node = node[key]
    if isinstance(node, dict):
        if delete:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    mapping, problems = parse_mapping(document)
    assert (mapping is None) == bool(problems)
    assert all(p.path.startswith("$") and p.message for p in problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_give_problems_not_a_traceback(data: bytes) -> None:
    mapping, problems = read_mapping(data)
    assert mapping is None and problems
