"""Confidence intervals for one proportion x of n (one facility, or any simple count).

The building blocks `wilson_bounds` and `clopper_pearson_bounds` accept a
non-integer ("effective") sample size so the clustered estimators can reuse them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from ._common import as_count, check_level, contain, z_value

PROPORTION_METHODS: Final = ("wilson", "clopper-pearson", "jeffreys", "jeffreys_bcd", "agresti-coull")


@dataclass(frozen=True)
class Interval:
    """A proportion with its confidence interval; `lower <= estimate <= upper` in [0, 1]
    (except method "jeffreys" at x = 0 or x = n, see `proportion_interval`)."""

    estimate: float
    lower: float
    upper: float
    method: str
    level: float
    x: int
    n: int


def wilson_bounds(p: float, n: float, crit: float) -> tuple[float, float]:
    """Wilson score limits for proportion `p` on a (possibly effective, non-integer) size `n`.

    Formula: (p + c^2/(2n) -/+ c*sqrt(p(1-p)/n + c^2/(4n^2))) / (1 + c^2/n), with the
    exact identities lower = 0 at p = 0 and upper = 1 at p = 1.
    Source: Wilson E.B. (1927) JASA 22:209; Newcombe R.G. (1998) Stat Med 17:857, method 3.
    """
    c2 = crit * crit
    denom = 1.0 + c2 / n
    centre = (p + c2 / (2.0 * n)) / denom
    half = crit * math.sqrt(max(p * (1.0 - p), 0.0) / n + c2 / (4.0 * n * n)) / denom
    lower = 0.0 if p <= 0.0 else max(0.0, centre - half)
    upper = 1.0 if p >= 1.0 else min(1.0, centre + half)
    return lower, upper


def clopper_pearson_bounds(x: float, n: float, level: float) -> tuple[float, float]:
    """Clopper-Pearson ("exact") limits, also for non-integer x and n (Korn-Graubard use).

    Formula: lower = Beta_{alpha/2}(x, n-x+1) (0 if x = 0);
    upper = Beta_{1-alpha/2}(x+1, n-x) (1 if x = n), Beta_q = q-quantile of the Beta law.
    Source: Clopper C.J. & Pearson E.S. (1934) Biometrika 26:404; Korn E.L. & Graubard B.I.
    (1998) Survey Methodology 24:193 for the non-integer form.
    """
    # Beta quantiles straight from scipy.special: the same numbers as scipy.stats.beta.ppf
    # without its per-call argument machinery (about 40x faster; dashboards compute hundreds).
    # Imported on first use, as in _common.z_value.
    from scipy.special import betaincinv  # type: ignore[import-untyped, unused-ignore]

    alpha = 1.0 - level
    lower = 0.0 if x <= 0.0 else float(betaincinv(x, n - x + 1.0, alpha / 2.0))
    upper = 1.0 if x >= n else float(betaincinv(x + 1.0, n - x, 1.0 - alpha / 2.0))
    return lower, upper


def _jeffreys(x: int, n: int, level: float) -> tuple[float, float]:
    # Imported on first use, as in _common.z_value.
    from scipy.special import betaincinv  # type: ignore[import-untyped, unused-ignore]

    alpha = 1.0 - level
    lower = float(betaincinv(x + 0.5, n - x + 0.5, alpha / 2.0))
    upper = float(betaincinv(x + 0.5, n - x + 0.5, 1.0 - alpha / 2.0))
    return lower, upper


def _agresti_coull(x: int, n: int, z: float) -> tuple[float, float]:
    n_tilde = n + z * z
    p_tilde = (x + z * z / 2.0) / n_tilde
    half = z * math.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)
    return max(0.0, p_tilde - half), min(1.0, p_tilde + half)


def proportion_interval(x: int, n: int, level: float = 0.95, method: str = "wilson") -> Interval:
    """Confidence interval for the proportion p = x/n of a simple random sample.

    Notation: alpha = 1 - level, z = Phi^-1(1 - alpha/2), Beta_q(a, b) = q-quantile of Beta(a, b).

    - "wilson" (default): score interval, (p + z^2/(2n) -/+ z*sqrt(p(1-p)/n + z^2/(4n^2)))
      / (1 + z^2/n), lower = 0 at x = 0 and upper = 1 at x = n.
      Wilson (1927) JASA 22:209; Newcombe (1998) Stat Med 17:857, method 3.
    - "clopper-pearson": Beta_{alpha/2}(x, n-x+1), Beta_{1-alpha/2}(x+1, n-x), 0 at x = 0
      and 1 at x = n. Clopper & Pearson (1934) Biometrika 26:404.
    - "jeffreys": equal-tailed Jeffreys posterior interval Beta_{alpha/2}(x+1/2, n-x+1/2),
      Beta_{1-alpha/2}(x+1/2, n-x+1/2), with NO boundary modification (as statsmodels):
      at x = 0 the lower limit is above 0 and at x = n the upper limit below 1, so it
      does not contain the estimate there. Brown, Cai & DasGupta (2001) Stat Sci 16:101.
    - "jeffreys_bcd": as "jeffreys" but lower = 0 at x = 0 and upper = 1 at x = n
      (Brown, Cai & DasGupta 2001, sec. 4.1.2); use this one for display.
    - "agresti-coull": n~ = n + z^2, p~ = (x + z^2/2)/n~, p~ -/+ z*sqrt(p~(1-p~)/n~), clipped
      to [0, 1]. Agresti & Coull (1998) Am Stat 52:119.

    Raises ValueError if n <= 0 (no interval without respondents), x < 0, x > n,
    level outside (0, 1) or the method is unknown.
    """
    level = check_level(level)
    x = as_count(x, "x")
    n = as_count(n, "n")
    if n == 0:
        raise ValueError("n must be positive: there is no proportion of zero respondents")
    if x > n:
        raise ValueError(f"x ({x}) cannot exceed n ({n})")
    p = x / n
    if method == "wilson":
        lower, upper = wilson_bounds(p, float(n), z_value(level))
    elif method == "clopper-pearson":
        lower, upper = clopper_pearson_bounds(float(x), float(n), level)
    elif method in ("jeffreys", "jeffreys_bcd"):
        lower, upper = _jeffreys(x, n, level)
        if method == "jeffreys_bcd":
            lower = 0.0 if x == 0 else lower
            upper = 1.0 if x == n else upper
        else:
            return Interval(p, lower, upper, method, level, x, n)
    elif method == "agresti-coull":
        lower, upper = _agresti_coull(x, n, z_value(level))
    else:
        raise ValueError(f"unknown proportion interval method {method!r}; choose one of {', '.join(PROPORTION_METHODS)}")
    lower, upper = contain(p, lower, upper)
    return Interval(p, lower, upper, method, level, x, n)
