"""The shared reference cases (tests/core/stats/data/ci_reference_public.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent / "data" / "ci_reference_public.json"
# The original lives beside the repository on the development machines (not in CI).
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "ci_reference_public.json"

REFERENCE: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))


def cases(section: str) -> list[Any]:
    """pytest.param objects for a section, one per case, identified by the case id."""
    return [pytest.param(case, id=case["id"]) for case in REFERENCE[section]]
