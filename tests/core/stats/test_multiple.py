"""Benjamini-Hochberg adjustment."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cml.core.stats import benjamini_hochberg

P_VALUES = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=40)


def test_known_example() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02, 0.04, 0.04, 0.02
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_empty_and_invalid() -> None:
    assert benjamini_hochberg([]) == []
    for bad in (-0.1, 1.1, float("nan")):
        with pytest.raises(ValueError, match="p-value"):
            benjamini_hochberg([0.5, bad])


@settings(max_examples=150, deadline=None)
@given(P_VALUES)
def test_matches_scipy(p_values: list[float]) -> None:
    if not hasattr(stats, "false_discovery_control"):  # SciPy < 1.11
        pytest.skip("scipy.stats.false_discovery_control not available")
    expected = stats.false_discovery_control(p_values, method="bh")
    assert benjamini_hochberg(p_values) == pytest.approx(list(expected), rel=1e-12, abs=1e-15)


@settings(max_examples=150, deadline=None)
@given(P_VALUES)
def test_monotone_bounded_and_in_order(p_values: list[float]) -> None:
    adjusted = benjamini_hochberg(p_values)
    assert len(adjusted) == len(p_values)
    for p, q in zip(p_values, adjusted):
        assert p <= q + 1e-15 and q <= 1.0
    pairs = sorted(zip(p_values, adjusted))
    assert all(a[1] <= b[1] for a, b in zip(pairs, pairs[1:]))
