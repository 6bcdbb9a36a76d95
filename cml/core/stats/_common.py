"""Shared checks and critical values for the statistics modules (private)."""

from __future__ import annotations

import math
import operator
from functools import lru_cache
from typing import SupportsIndex


def check_level(level: float) -> float:
    """Return `level` as a float, or raise ValueError unless 0 < level < 1."""
    if isinstance(level, bool) or not isinstance(level, (int, float)):
        raise ValueError(f"confidence level must be a number strictly between 0 and 1, got {level!r}")
    value = float(level)
    if not (0.0 < value < 1.0):
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    return value


def as_count(value: object, name: str) -> int:
    """Return `value` as a non-negative int; accept int-like and integral floats/Decimals."""
    if type(value) is int:  # the common case, without the slow Protocol isinstance below
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value!r}")
        return value
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, SupportsIndex):
        count = operator.index(value)
    else:
        try:
            as_float = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a whole number, got {value!r}") from None
        if not math.isfinite(as_float) or as_float != math.floor(as_float):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        count = int(as_float)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return count


@lru_cache(maxsize=1024)
def z_value(level: float) -> float:
    """Two-sided normal critical value Phi^-1(1 - alpha/2)."""
    # Imported on first use: scipy adds ~70 MB to every process that loads this module (a raw export never needs it).
    from scipy import stats  # type: ignore[import-untyped, unused-ignore]
    return float(stats.norm.ppf(0.5 + level / 2.0))


@lru_cache(maxsize=4096)
def t_value(level: float, df: float) -> float:
    """Two-sided Student t critical value t_{1 - alpha/2, df}."""
    # Imported on first use, as in z_value.
    from scipy import stats  # type: ignore[import-untyped, unused-ignore]
    return float(stats.t.ppf(0.5 + level / 2.0, df))


def clamp(value: float, low: float, high: float) -> float:
    """`value` limited to [low, high]."""
    return min(high, max(low, value))


def contain(estimate: float, lower: float, upper: float, low: float = 0.0, high: float = 1.0) -> tuple[float, float]:
    """Limits clipped to [low, high] and widened, if rounding pushed them past, to hold `estimate`.

    The formulas in this package contain the estimate exactly; this guard only absorbs
    floating-point noise (and out-of-range Wald limits) so callers can rely on
    low <= lower <= estimate <= upper <= high.
    """
    return clamp(min(lower, estimate), low, high), clamp(max(upper, estimate), low, high)
