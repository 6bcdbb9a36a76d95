"""The brief's section "What we asked last time and what changed": the latest meeting of the brief's council
held by the end of its quarter, and the re-check of each action on its agenda, gated as a published output."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from flask_login import current_user

from cml.core.periods import month_range
from cml.meetings import lines
from cml.models import Meeting
from cml.services import meetings
from cml.services.actions import recheck


@dataclass(frozen=True)
class LastTime:
    meeting: Meeting | None
    items: list[lines.ActionLine]


def quarter_end(period: int) -> date:
    last = month_range(period, "quarter")[1]
    year, month = divmod(last, 100)
    return date(year, month, monthrange(year, month)[1])


def last_time(region_id: int | None, period: int, language: str) -> LastTime:
    """The council of a region's brief (or the national council's, for the nation's) as of the quarter's end.
    The brief leaves the platform, so every figure passes the published gate whoever prints it."""
    meeting = meetings.latest_meeting(region_id, quarter_end(period))
    if meeting is None:
        return LastTime(None, [])
    items = [lines.line(a, lines.published_recheck(a, recheck(a, current_user)), language, current_user, published=True) for a in meetings.agenda(current_user, meeting)]
    return LastTime(meeting, items)
