"""Expiry is a moment computed from the lead's last day; the identifying-details check finds what it says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cml.core.warnings.expiry import (
    MAX_WARNING_DAYS,
    PAST,
    TOO_FAR,
    default_last_day,
    expiry_moment,
    expiry_problem,
    is_expired,
    last_day_of,
)
from cml.core.warnings.identifying import ADDRESS, EMAIL, HANDLE, LINK, PHONE, identifying_details


def test_a_warning_is_shown_through_its_last_day() -> None:
    moment = expiry_moment(date(2027, 3, 2))
    assert moment == datetime(2027, 3, 3, tzinfo=UTC)
    assert not is_expired(moment, datetime(2027, 3, 2, 23, 59, 59, tzinfo=UTC))
    assert is_expired(moment, datetime(2027, 3, 3, tzinfo=UTC))
    assert last_day_of(moment) == date(2027, 3, 2)
    assert last_day_of(moment.replace(tzinfo=None)) == date(2027, 3, 2)  # SQLite's naive UTC
    assert is_expired(moment.replace(tzinfo=None), datetime(2027, 3, 3, 0, 0, 1, tzinfo=UTC))
    assert not is_expired(None, datetime(2030, 1, 1, tzinfo=UTC))


def test_the_lead_chooses_a_last_day_within_a_year() -> None:
    today = date(2026, 12, 2)
    assert default_last_day(today) == today + timedelta(days=90)
    assert default_last_day(today, 5000) == today + timedelta(days=MAX_WARNING_DAYS)
    assert expiry_problem(today, today) is None
    assert expiry_problem(today - timedelta(days=1), today) == PAST
    assert expiry_problem(today + timedelta(days=MAX_WARNING_DAYS + 1), today) == TOO_FAR


@pytest.mark.parametrize(("text", "kinds"), [
    ("Call him on +380 67 123 45 67 or 067-123-4567", [PHONE, PHONE]),
    ("пишіть на olena.k@gmail.com", [EMAIL]),
    ("в телеграмі @bad_guy_22, https://t.me/something", [HANDLE, LINK]),
    ("вул. Хрещатик, 22, кв. 5", [ADDRESS, ADDRESS]),
    ("на ул. Ленина 5", [ADDRESS]),
    ("near 12 Baker Street", [ADDRESS]),
    # Not identifying: dates, periods, a car's plate, counts, an area.
    ("on 2026-11-30 or 30.11.2026, late November", []),
    ("Toyota Camry AA 1234 BC, 3 men, about 40 years", []),
    ("біля центрального ринку, Оболонь", []),
])
def test_identifying_details(text: str, kinds: list[str]) -> None:
    assert [f.kind for f in identifying_details(text)] == kinds
