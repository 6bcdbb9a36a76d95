"""Variable names for Stata and SPSS: always valid, always unique, the same for the same columns."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cml.core.variable_names import RESERVED, STATA_LIMIT, fits, variable_names

STATA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
QUESTION_ID = st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True)
COLUMN = st.one_of(
    QUESTION_ID,
    st.tuples(QUESTION_ID, QUESTION_ID).map("/".join),  # a multiple choice's column: question/choice
    st.sampled_from(sorted(RESERVED) + ["STR7", "strL", "_n", "With", "1st", "", "ÿ", "a" * 40, "a" * 40 + "b"]),
    st.text(max_size=80),
)
COLUMNS = st.lists(COLUMN, max_size=40)


@given(COLUMNS, st.integers(min_value=12, max_value=STATA_LIMIT))
def test_every_name_is_valid_for_stata_and_spss_and_unique_ignoring_case(columns, limit) -> None:
    names = variable_names(columns, limit)
    assert len(names) == len(columns)
    for name in names:
        assert STATA_NAME.fullmatch(name) and len(name) <= limit, name
        assert len(name.encode()) <= 64  # SPSS counts bytes
        assert name.lower() not in RESERVED and not re.fullmatch(r"str(\d+|l)", name, re.IGNORECASE)
    assert len({n.lower() for n in names}) == len(names)


@given(COLUMNS)
def test_the_same_columns_get_the_same_names(columns) -> None:
    assert variable_names(columns) == variable_names(list(columns))


@given(st.lists(COLUMN, max_size=20, unique_by=str.lower))
def test_a_name_that_fits_is_kept(columns) -> None:
    for column, name in zip(columns, variable_names(columns), strict=True):
        if fits(column):
            assert name == column


@given(COLUMNS, COLUMN)
def test_a_column_keeps_its_name_when_other_columns_come_and_go(columns, column) -> None:
    """Unless it clashes: a column's name is its own, whatever else the questionnaire asks."""
    alone = variable_names([column])[0]
    together = variable_names([*columns, column])
    others = variable_names(columns)
    if alone.lower() not in {n.lower() for n in others} and column not in columns:
        assert together[-1] == alone


def test_readable_names_for_the_usual_columns() -> None:
    long_id = "how_long_did_you_wait_before_someone_saw_you"
    names = variable_names(["submission_id", "services/pep", "services/condoms", "int", "with", long_id, f"{long_id}_again"])
    assert names[:5] == ["submission_id", "services_pep", "services_condoms", "v_int", "v_with"]
    assert names[5].startswith("how_long_did_you_wait_be") and len(names[5]) == STATA_LIMIT
    assert names[5] != names[6] and names[6].startswith("how_long_did_you_wait_be")


def test_a_clash_of_cleaned_names_keeps_the_one_that_fits() -> None:
    assert variable_names(["a/b", "a_b"]) == [variable_names(["a/b", "a_b"])[0], "a_b"]
    assert variable_names(["a/b", "a_b"])[0] != "a_b"
    assert variable_names(["X", "x", "x"])[0] == "X" and len({n.lower() for n in variable_names(["X", "x", "x"])}) == 3


def test_a_limit_too_small_for_a_hash_is_refused() -> None:
    with pytest.raises(ValueError):
        variable_names(["a"], limit=11)
