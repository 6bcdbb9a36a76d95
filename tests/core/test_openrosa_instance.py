"""Reading a submission's XML without trusting it, and its values as the raw answers a web form posts."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cml.core.openrosa import SubmissionXmlError, raw_answers, read_instance
from cml.core.openrosa.instance import MAX_DEPTH
from cml.core.questionnaire import load_questionnaire
from tests.conftest import FIXTURES

SID = uuid.UUID(int=42)


def instance(body: str, root: str = '<data id="mini" version="3" xmlns:orx="http://openrosa.org/xforms">') -> bytes:
    return f'<?xml version="1.0"?>{root}{body}<meta><instanceID>uuid:{SID}</instanceID></meta></data>'.encode()


def test_values_are_read_through_groups_with_the_form_id_version_and_instance_id() -> None:
    read = read_instance(instance("<cml_facility>4</cml_facility><visit><tested>yes</tested><wait/></visit>"))
    assert (read.form_id, read.version, read.instance_id) == ("mini", "3", SID)
    assert read.values == {"cml_facility": "4", "tested": "yes", "wait": ""}


def test_a_namespaced_instance_as_enketo_sends_it_is_read_alike() -> None:
    xml = instance("<x:tested>no</x:tested>", root='<x:data xmlns:x="http://www.w3.org/2002/xforms" id="mini" version="1">')
    assert read_instance(xml.replace(b"</data>", b"</x:data>")).values == {"tested": "no"}


@pytest.mark.parametrize(("body", "reason"), [
    (b"<data><unclosed></data>", "malformed"),
    (b"\xff\xfe garbage", "malformed"),
    (b"<!DOCTYPE d [<!ENTITY a 'x'>]><data id='m'><q>&a;</q></data>", "entities"),
    (b"<!DOCTYPE d [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><data id='m'><q>&a;</q></data>", "entities"),
    (b"<data id='m'>" + b"<g>" * (MAX_DEPTH + 1) + b"</g>" * (MAX_DEPTH + 1) + b"</data>", "too_deep"),
    (b"<data id='m'>" + b"".join(b"<q%d/>" % n for n in range(6000)) + b"</data>", "too_many"),
    (b"<data id='m'><q>" + b"x" * 10_001 + b"</q></data>", "too_long"),
    (b"<data id='m'><r><q>1</q></r><r><q>2</q></r></data>", "repeated"),
    (b"<data id='m'><q>1</q></data>", "no_instance_id"),
    (b"<data id='m'><meta><instanceID>uuid:nope</instanceID></meta></data>", "no_instance_id"),
])
def test_broken_or_hostile_instances_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(SubmissionXmlError) as refused:
        read_instance(body)
    assert refused.value.reason == reason


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_read_or_refused_never_an_other_error(body: bytes) -> None:
    with contextlib.suppress(SubmissionXmlError):
        read_instance(body)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["tested", "why_not", "wait", "services", "visit_date", "story", "other"]),
                       st.text(max_size=30)))
def test_raw_answers_take_only_questions_with_a_value(values: dict[str, str]) -> None:
    model = load_questionnaire(FIXTURES / "mini.json")
    raw = raw_answers(model, values)
    assert set(raw) <= {q.id for q in model.questions} and "other" not in raw
    assert all(value for value in raw.values())
    if values.get("services", "").strip():
        assert raw["services"] == values["services"].split()


def test_odk_values_become_the_web_forms_raw_answers() -> None:
    model = load_questionnaire(FIXTURES / "all_types.json")
    raw = raw_answers(model, {"intro": "", "arrived": "19:05:00.000+02:00", "seen": "20:10:30Z", "services": "a  b", "wait": " 25 ",
                              "visit_date": "2026-11-30", "staff": "", "late_note": "text in a note"})
    assert raw == {"arrived": "19:05", "seen": "20:10", "services": ["a", "b"], "wait": "25", "visit_date": "2026-11-30"}
