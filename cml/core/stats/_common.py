"""Shared checks and critical values for the statistics modules (private)."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
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


def clean_totals(totals: Iterable[tuple[float, int, float]]) -> list[tuple[float, int, float]]:
    """Per-facility (sum of y, n, sum of y squared), checked; facilities without answers left out."""
    triples: list[tuple[float, int, float]] = []
    for index, triple in enumerate(totals):
        if len(triple) != 3:
            raise ValueError(f"facility {index}: expected (sum_y, n, sum_y_squared), got {triple!r}")
        sum_y, sum_sq = float(triple[0]), float(triple[2])
        n = as_count(triple[1], f"facility {index}: n")
        if not (math.isfinite(sum_y) and math.isfinite(sum_sq)):
            raise ValueError(f"facility {index}: sums must be finite numbers, got {triple!r}")
        if n == 0:
            if sum_y != 0.0 or sum_sq != 0.0:
                raise ValueError(f"facility {index}: non-zero sums with n = 0: {triple!r}")
            continue
        # Cauchy-Schwarz: sum y^2 >= (sum y)^2 / n; a violation means swapped columns.
        if sum_sq < sum_y * sum_y / n - 1e-9 * max(1.0, abs(sum_sq)):
            raise ValueError(f"facility {index}: sum of squares {sum_sq} is below (sum y)^2/n; wrong columns?")
        triples.append((sum_y, n, sum_sq))
    return triples
