"""Flags for estimates too imprecise to read at face value (shown, not hidden, internally)."""

from __future__ import annotations

LOW_EFFECTIVE_N = "low_effective_n"
WIDE_INTERVAL = "wide_interval"
FEW_DF = "few_df"


def reliability_flags(
    effective_n: float,
    lower: float,
    upper: float,
    df: int | None,
    *,
    min_effective_n: float = 30.0,
    max_width: float = 0.30,
    min_df: int = 8,
) -> tuple[str, ...]:
    """Reliability flags of an estimate, in a fixed order (empty when none applies).

    - "low_effective_n": effective_n < min_effective_n (30);
    - "wide_interval": upper - lower > max_width (0.30, for proportions; pass a width
      suited to the scale for means);
    - "few_df": df < min_df (8); df None (not design-based) is not flagged.
    Source: Parker et al. (2017) NCHS Data Presentation Standards for Proportions,
    Vital Health Stat 2(175): effective sample size < 30, and degrees of freedom < 8.
    The absolute-width threshold is this project's choice (DESIGN.md, "a wide interval").
    """
    flags: list[str] = []
    if effective_n < min_effective_n:
        flags.append(LOW_EFFECTIVE_N)
    if upper - lower > max_width:
        flags.append(WIDE_INTERVAL)
    if df is not None and df < min_df:
        flags.append(FEW_DF)
    return tuple(flags)
