"""Single-proportion intervals: input checks and properties."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cml.core.stats import PROPORTION_METHODS, Interval, proportion_interval

LEVELS = st.floats(min_value=0.01, max_value=0.999)


@st.composite
def counts(draw: st.DrawFn, max_n: int = 2000) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=max_n))
    return draw(st.integers(min_value=0, max_value=n)), n


def test_default_is_wilson_95() -> None:
    interval = proportion_interval(81, 263)
    assert (interval.method, interval.level, interval.x, interval.n) == ("wilson", 0.95, 81, 263)
    assert interval.lower == pytest.approx(0.2552885199, abs=1e-9)


def test_interval_is_frozen() -> None:
    interval = proportion_interval(3, 10)
    assert isinstance(interval, Interval)
    with pytest.raises(dataclasses.FrozenInstanceError):
        interval.lower = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("x", "n", "level", "method", "message"),
    [
        (-1, 10, 0.95, "wilson", "negative"),
        (11, 10, 0.95, "wilson", "cannot exceed"),
        (0, 0, 0.95, "wilson", "positive"),
        (1, -3, 0.95, "wilson", "negative"),
        (1, 10, 0.0, "wilson", "between 0 and 1"),
        (1, 10, 1.0, "wilson", "between 0 and 1"),
        (1, 10, 95, "wilson", "between 0 and 1"),
        (1, 10, float("nan"), "wilson", "between 0 and 1"),
        (1, 10, 0.95, "wald", "unknown"),
        (1.5, 10, 0.95, "wilson", "whole number"),
    ],
)
def test_invalid_input_raises(x: int, n: int, level: float, method: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proportion_interval(x, n, level, method)


def test_integral_float_counts_are_accepted() -> None:
    assert proportion_interval(3.0, 10.0) == proportion_interval(3, 10)  # type: ignore[arg-type]


def test_plain_jeffreys_excludes_the_boundary_estimate() -> None:
    # Documented behaviour of the unmodified Jeffreys interval (reference file, statsmodels);
    # "jeffreys_bcd" is the variant to display.
    assert proportion_interval(0, 10, method="jeffreys").lower > 0.0
    assert proportion_interval(10, 10, method="jeffreys").upper < 1.0
    assert proportion_interval(0, 10, method="jeffreys_bcd").lower == 0.0


def _contains(method: str, x: int, n: int, level: float) -> bool:
    """Every method contains its estimate, except plain Jeffreys at x = 0 or x = n (and,
    being a posterior interval, at levels so low that it misses the mode)."""
    return method != "jeffreys" or (0 < x < n and level >= 0.5)


@settings(max_examples=150, deadline=None)
@given(counts(), LEVELS, st.sampled_from(PROPORTION_METHODS))
def test_interval_is_valid(xn: tuple[int, int], level: float, method: str) -> None:
    x, n = xn
    interval = proportion_interval(x, n, level, method)
    assert 0.0 <= interval.lower <= interval.upper <= 1.0
    if _contains(method, x, n, level):
        assert interval.lower <= interval.estimate <= interval.upper


@settings(max_examples=150, deadline=None)
@given(counts(max_n=300), st.integers(min_value=2, max_value=20), st.sampled_from(PROPORTION_METHODS))
def test_interval_narrows_as_n_grows(xn: tuple[int, int], factor: int, method: str) -> None:
    x, n = xn
    small = proportion_interval(x, n, 0.95, method)
    large = proportion_interval(x * factor, n * factor, 0.95, method)
    assert large.estimate == pytest.approx(small.estimate)
    assert large.upper - large.lower <= small.upper - small.lower + 1e-12


@settings(max_examples=100, deadline=None)
@given(counts(), st.sampled_from(PROPORTION_METHODS))
def test_higher_level_gives_wider_interval(xn: tuple[int, int], method: str) -> None:
    x, n = xn
    narrow = proportion_interval(x, n, 0.90, method)
    wide = proportion_interval(x, n, 0.99, method)
    assert wide.lower <= narrow.lower + 1e-12
    assert wide.upper >= narrow.upper - 1e-12
