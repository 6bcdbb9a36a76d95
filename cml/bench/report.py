"""One JSON object per line: {"metric", "value", "unit", "baseline", "ratio", ...context}.

Every figure is printed next to its baseline from the same run. `ratio` is value /
baseline (for a rate, baseline / value would read the other way round; we keep one rule
and say in the unit which way is better). Invariant checks (the fault run) are recorded
as well: a broken invariant makes `python -m cml.bench` exit 1, a slow timing never does.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

REQUIRED_KEYS = ("metric", "value", "unit", "baseline", "ratio")


class Report:
    def __init__(self, out: TextIO | None = None, **context: Any) -> None:
        self.out = out or sys.stdout
        self.context = context
        self.failures: list[str] = []
        self.lines: list[dict[str, Any]] = []

    def emit(self, metric: str, value: float | None, unit: str, baseline: float | None = None, **context: Any) -> dict[str, Any]:
        ratio = None
        if value is not None and baseline not in (None, 0):
            ratio = round(value / baseline, 3)
        line = {"metric": metric, "value": _round(value), "unit": unit, "baseline": _round(baseline), "ratio": ratio, **self.context, **context}
        self.lines.append(line)
        print(json.dumps(line, default=str), file=self.out, flush=True)
        return line

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        """An invariant (never a timing): a failure makes the whole run fail."""
        if not ok:
            self.failures.append(f"{name}: {detail}")

    def note(self, text: str) -> None:
        print(f"# {text}", file=sys.stderr, flush=True)


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return round(float(value), 6 if abs(value) < 1 else 3)


@contextmanager
def timer() -> Iterator[list[float]]:
    """`with timer() as t: ...` then t[0] is the elapsed seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
