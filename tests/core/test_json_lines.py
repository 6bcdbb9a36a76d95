"""The line of a questionnaire file where a problem's JSON path points."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cml.core.questionnaire.json_lines import line_of, value_lines
from tests.conftest import FIXTURES

TEXT = """{
  "id": "x",
  "sections": [
    {"id": "a",
     "questions": [
       {"id": "q1", "type": "integer"},
       {
         "id": "q2",
         "show_if": {"question": "q1", "at_least": 1.5e2}
       }
     ]
    }
  ],
  "empty": {}, "none": [], "flag": true
}"""


def test_each_value_starts_on_its_line() -> None:
    lines = value_lines(TEXT)
    assert lines["$"] == 1 and lines["$.id"] == 2
    assert lines["$.sections[0].questions[0].type"] == 6
    assert lines["$.sections[0].questions[1]"] == 7
    assert lines["$.sections[0].questions[1].show_if.at_least"] == 9
    assert lines["$.flag"] == 14 and lines["$.none"] == 14


def test_a_missing_key_points_at_its_object() -> None:
    lines = value_lines(TEXT)
    assert line_of("$.sections[0].questions[1].label", lines) == 7
    assert line_of("$.nothing[3].x", lines) == 1


def test_every_path_of_a_shipped_questionnaire_is_found() -> None:
    text = (FIXTURES / "mini.json").read_text()
    lines = value_lines(text)
    assert "$.indicators[0].numerator.equals" in lines
    assert len(lines) > 100


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(json_values, st.integers(min_value=0, max_value=2))
def test_any_json_is_walked_without_error(value: object, indent: int) -> None:
    text = json.dumps(value, indent=indent or None, ensure_ascii=indent == 1)
    lines = value_lines(text)
    assert lines["$"] == 1 and max(lines.values()) <= text.count("\n") + 1
