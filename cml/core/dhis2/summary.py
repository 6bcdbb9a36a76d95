"""DHIS2's answer to a dataValueSets import, read into counts and conflicts.

DHIS2 2.36 and later wrap the ImportSummary in a web message (`{"httpStatus": …,
"response": {"responseType": "ImportSummary", …}}`, with HTTP 409 when values were
refused); older servers answer with the ImportSummary itself. Both are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_CONFLICTS = 50
"""Conflicts kept for the report; DHIS2 may list one per refused value."""


@dataclass(frozen=True)
class ImportResult:
    status: str
    """DHIS2's status: SUCCESS, WARNING or ERROR."""
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """(object, message) pairs, at most MAX_CONFLICTS."""
    conflict_count: int = 0
    description: str = ""
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The summary for the command line."""
        head = "dry run (nothing stored): " if self.dry_run else ""
        out = [f"{head}{self.status}: imported {self.imported}, updated {self.updated}, ignored {self.ignored}, deleted {self.deleted}"]
        if self.description:
            out.append(self.description)
        out += [f"conflict: {obj}: {value}" for obj, value in self.conflicts]
        if self.conflict_count > len(self.conflicts):
            out.append(f"… and {self.conflict_count - len(self.conflicts)} more conflict(s)")
        return out


def read_import_summary(body: Any) -> ImportResult | None:
    """The import summary in DHIS2's JSON answer, or None when the answer holds none."""
    if not isinstance(body, dict):
        return None
    summary = body.get("response") if isinstance(body.get("response"), dict) else body
    if not isinstance(summary, dict) or not isinstance(summary.get("importCount"), dict):
        return None
    counts = summary["importCount"]
    found, given = summary.get("conflicts"), summary.get("importOptions")
    raw: list[Any] = found if isinstance(found, list) else []
    options: dict[str, Any] = given if isinstance(given, dict) else {}
    conflicts = [_conflict(item) for item in raw[:MAX_CONFLICTS] if isinstance(item, dict)]
    return ImportResult(
        status=_text(summary.get("status") or body.get("status") or "UNKNOWN"),
        imported=_count(counts.get("imported")),
        updated=_count(counts.get("updated")),
        ignored=_count(counts.get("ignored")),
        deleted=_count(counts.get("deleted")),
        conflicts=conflicts,
        conflict_count=len(raw),
        description=_text(summary.get("description") or ""),
        dry_run=options.get("dryRun") is True,
    )


def _conflict(item: dict[str, Any]) -> tuple[str, str]:
    """A conflict as (object, message): `object` in older servers, `objects` (a map) in newer ones."""
    obj = item.get("object")
    if obj is None and isinstance(item.get("objects"), dict):
        obj = ", ".join(f"{k}={v}" for k, v in item["objects"].items())
    return _text(obj or ""), _text(item.get("value") or item.get("errorCode") or "")


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _text(value: object) -> str:
    """Server text, shortened and without control characters, for a terminal."""
    text = "".join(c if c.isprintable() else " " for c in str(value))
    return text if len(text) <= 300 else text[:297] + "…"
