"""Numbers, percentages and periods written the way the reader's locale writes them.

In templates (registered by cml.web.i18n): ``{{ 0.381|percent }}`` → ``38.1%`` (en),
``38,1%`` (uk), ``38,1 %`` (ru); ``{{ 12345.5|number(1) }}`` → ``12 345,5`` (uk);
``{{ 20261|period('quarter') }}`` or ``{{ '2026Q1'|period }}`` → ``1-й кв. 2026`` (uk). Dates use Flask-Babel's own
``dateformat`` and ``datetimeformat`` filters, in the organisation's time zone (``TIMEZONE``);
``{{ moment|time }}`` adds the zone's name: ``12/2/26, 8:27 AM (Kyiv time)``. In Python: ``fmt_percent(0.381)`` and so on,
with an optional ``locale=`` (the request's locale by default).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_skeleton, get_timezone_location
from babel.numbers import format_decimal, format_percent
from flask_babel import format_datetime, get_locale, get_timezone
from flask_babel import gettext as _

from cml.core.periods import parse_period, period_label

_LAST_ZERO = re.compile(r"0(?=[^0#]*$)")
_FRACTION = re.compile(r"\.[0#]+")


def _locale(locale: str | Locale | None) -> Locale:
    if isinstance(locale, Locale):
        return locale
    if locale:
        return Locale.parse(locale)
    return get_locale() or Locale.parse("en")


def _with_fraction(pattern: str, digits: int) -> str:
    """The locale's pattern with exactly `digits` decimals: '#,##0%' -> '#,##0.0%'."""
    # Drop the locale's own decimals first: '#,##0.###' would otherwise keep its '.###'
    # (and show 5.142 where one decimal was asked for).
    positive = _FRACTION.sub("", pattern.split(";")[0], count=1)
    return _LAST_ZERO.sub("0." + "0" * digits, positive, count=1) if digits > 0 else positive


def fmt_percent(value: float | None, digits: int = 1, locale: str | Locale | None = None) -> str:
    """A proportion (0.381) as a percentage in the locale's style, with `digits` decimals; '' for None."""
    if value is None:
        return ""
    loc = _locale(locale)
    pattern = loc.percent_formats[None].pattern
    return format_percent(value, format=_with_fraction(pattern, digits), locale=loc)


def fmt_number(value: float | int | None, digits: int | None = None, locale: str | Locale | None = None) -> str:
    """A number with the locale's separators; `digits` fixes the decimals (else up to 3, as needed)."""
    if value is None:
        return ""
    loc = _locale(locale)
    if digits is None:
        return format_decimal(value, locale=loc)
    return format_decimal(value, format=_with_fraction(loc.decimal_formats[None].pattern, digits), locale=loc)


def fmt_period(period: int | str, grain: str = "quarter", locale: str | Locale | None = None) -> str:
    """A period in words: a key of cml.core.periods (20261 with grain 'quarter', 202603 'month',
    2026 'year') or a label ('2026Q1', '2026-03', '2026') -> 'Q1 2026', '1-й кв. 2026'."""
    if isinstance(period, str):
        parsed = parse_period(period)
        if parsed is None:
            return period
        grain, period = parsed
    loc = _locale(locale)
    if grain == "quarter":
        return format_skeleton("yQQQ", date(period // 10, (period % 10 - 1) * 3 + 1, 1), locale=loc)
    if grain == "month":
        return format_skeleton("yMMMM", date(period // 100, period % 100, 1), locale=loc)
    return str(period)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


def fmt_day(value: date | str | None, format: str = "medium", locale: str | Locale | None = None) -> str:
    """A day as the reader writes it ('2026-03-31' -> '31 бер. 2026 р.'); text that is no ISO day stays as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        if not _ISO_DAY.match(value):
            return value
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return str(format_date(day, format, locale=_locale(locale)))
    return str(format_date(value, format, locale=_locale(locale)))


def zone_name(locale: str | Locale | None = None) -> str:
    """The organisation's time zone by its city, in the reader's language: 'Kyiv', 'Київ'."""
    return str(get_timezone_location(get_timezone(), _locale(locale), return_city=True))


def fmt_time(value: datetime | None, format: str = "short") -> str:
    """A moment in the organisation's time zone (BABEL_DEFAULT_TIMEZONE), naming the zone; '' for None."""
    if value is None:
        return ""
    return _("%(time)s (%(zone)s time)", time=format_datetime(value, format), zone=zone_name())


FILTERS = {"percent": fmt_percent, "number": fmt_number, "period": fmt_period, "period_label": period_label, "time": fmt_time, "day": fmt_day}
