"""When a warning stops being shown: computed from its expiry moment each time it is read (no job to run).

The lead chooses the last day it is shown; it is shown through that whole day (UTC) and gone at the next midnight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

DEFAULT_WARNING_DAYS = 90
MAX_WARNING_DAYS = 366
"""A warning is about a danger now; a year later it is history, and an old description may point at the wrong person."""

PAST, TOO_FAR = "past", "too_far"


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite gives back naive ones, which were written in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def default_last_day(today: date, days: int = DEFAULT_WARNING_DAYS) -> date:
    """The last day shown when the lead does not choose: `days` days from today, within the allowed range."""
    return today + timedelta(days=min(max(days, 1), MAX_WARNING_DAYS))


def expiry_moment(last_day: date) -> datetime:
    """The moment a warning whose last day is `last_day` leaves the bulletin: the next midnight, UTC."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UTC)


def last_day_of(expires_at: datetime) -> date:
    """The last day a warning is shown, from its expiry moment."""
    return (as_utc(expires_at) - timedelta(microseconds=1)).date()


def expiry_problem(last_day: date, today: date) -> str | None:
    """PAST when the day is before today, TOO_FAR when it is more than MAX_WARNING_DAYS ahead, else None."""
    if last_day < today:
        return PAST
    if last_day > today + timedelta(days=MAX_WARNING_DAYS):
        return TOO_FAR
    return None


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    """Whether a warning with this expiry moment has left the bulletin at `now` (no moment: not published yet)."""
    return expires_at is not None and as_utc(expires_at) <= as_utc(now)
