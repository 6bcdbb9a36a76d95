"""Adjustment of p-values for many comparisons (many indicators, regions or clinics at once)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given.

    Formula: with the m p-values sorted, p_(1) <= ... <= p_(m),
    q_(i) = min_{j >= i} min(1, m p_(j) / j); a comparison is a discovery at false
    discovery rate alpha when q <= alpha. The adjusted values are monotone in p.
    Source: Benjamini & Hochberg (1995) JRSS B 57:289; same as R p.adjust(method = "BH")
    and scipy.stats.false_discovery_control(method = "bh").
    Raises ValueError for a p-value outside [0, 1] or not a number.
    """
    values = [float(p) for p in p_values]
    for index, p in enumerate(values):
        if math.isnan(p) or not 0.0 <= p <= 1.0:
            raise ValueError(f"p-value {index} must lie in [0, 1], got {p_values[index]!r}")
    m = len(values)
    order = sorted(range(m), key=values.__getitem__)
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, m * values[index] / rank)
        adjusted[index] = running
    return adjusted
