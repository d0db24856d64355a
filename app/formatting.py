"""Rupiah, hectares, numbers and WIB dates, formatted by Babel for the current locale.

Indonesian style: ``Rp650.000.000.000``, ``Rp650 miliar``, ``Rp1,2 triliun``; times in WIB as 16.30.
Values are stored in UTC and whole rupiah; these helpers only present them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, numbers
from babel.dates import format_date as babel_date
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, get_timezone


def _locale() -> str:
    return str(get_locale() or "id")


# Babel parses the pattern and looks the locale's symbols up on every call; a page shows a hundred figures, and
# the same ones on every request: each text is kept per value, pattern and locale (typed: 1 and 1.0 apart).
@lru_cache(maxsize=8192, typed=True)
def _decimal(value: int | Decimal | float, pattern: str, locale: str) -> str:
    return numbers.format_decimal(value, format=pattern, locale=locale)


@lru_cache(maxsize=4096)
def _compact(amount: int, locale: str) -> str:
    return numbers.format_compact_decimal(amount, format_type="long", locale=locale, fraction_digits=1)


def _formatted(value: int | Decimal | float, pattern: str) -> str:
    """``value`` in ``pattern`` for the current locale (what ``flask_babel.format_decimal`` gives)."""
    try:
        return _decimal(value, pattern, _locale())
    except TypeError:  # a value that cannot be a key (an unhashable number type): formatted, not kept
        return numbers.format_decimal(value, format=pattern, locale=_locale())


def rupiah(value: int | Decimal | None) -> str:
    """Whole rupiah with thousands separators: ``Rp650.000.000.000`` (id) or ``Rp650,000,000,000`` (en)."""
    if value is None:
        return "—"
    return "Rp" + _formatted(int(value), "#,##0")


def rupiah_short(value: int | Decimal | None) -> str:
    """Rupiah in words for large amounts: ``Rp650 miliar``, ``Rp1,2 triliun`` (``Rp1.2 trillion`` in en)."""
    if value is None:
        return "—"
    amount = int(value)
    if abs(amount) < 1_000_000:
        return rupiah(amount)
    return "Rp" + _compact(amount, _locale())


def hectares(value: Decimal | float | None) -> str:
    """An area in hectares, at most two decimals: ``150 ha``, ``12,5 ha``."""
    if value is None:
        return "—"
    return _formatted(Decimal(value), "#,##0.##") + " ha"


def number(value: int | Decimal | None) -> str:
    if value is None:
        return "—"
    return _formatted(value, "#,##0.##")


# One format for dates and one for times, everywhere: ``30 Nov 2026`` and ``30 Nov 2026 16.30 WIB`` (no
# seconds; ``16:30`` in English). Babel's named widths (short, medium, long, full) all give the date format, so
# no page shows ``30/11/26`` or ``November 30, 2026`` beside it; an explicit pattern (``MMM yyyy`` for a
# month, ``EEE, d MMM y`` for a weekday) is kept.
DATE_FORMAT = "d MMM yyyy"
TIME_FORMATS = {"id": "HH.mm", "en": "HH:mm"}
NAMED_WIDTHS = frozenset({"short", "medium", "long", "full"})


def wib(value: datetime | None, fmt: str | None = None) -> str:
    """A UTC timestamp shown in WIB (Asia/Jakarta), to the minute, with the zone named; ``fmt`` is ignored."""
    if value is None:
        return "—"
    locale = get_locale()
    if locale is None or not isinstance(value, datetime):
        time_format = TIME_FORMATS.get(_locale().split("_")[0], "HH:mm")
        return format_datetime(value, f"{DATE_FORMAT} {time_format}") + " WIB"
    # Babel's text of the date (kept per day) in the request's zone (Flask-Babel's, BABEL_DEFAULT_TIMEZONE) and the
    # time written here in TIME_FORMATS' pattern: Babel's pattern parsed on every call cost more than the rest of a
    # history's line (the same text, tests/test_formatting).
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_timezone())
    sep = TIME_FORMATS.get(str(locale).split("_")[0], "HH:mm")[2]
    return f"{_date_text(local.date(), DATE_FORMAT, locale)} {local.hour:02d}{sep}{local.minute:02d} WIB"


def day(value: date | None, fmt: str | None = None) -> str:
    """A date as ``30 Nov 2026`` (``30 Nov 2026`` in English too); a named width gives the same format."""
    if value is None:
        return "—"
    pattern = DATE_FORMAT if fmt is None or fmt in NAMED_WIDTHS else fmt
    if type(value) is date:  # nothing to move to WIB: Babel directly (Flask-Babel's lookups cost more than the format)
        return _date_text(value, pattern, get_locale())
    return format_date(value, pattern)


@lru_cache(maxsize=4096)
def _date_text(value: date, pattern: str, locale: Locale | None) -> str:
    """Babel's format of a date (a page shows the same quarter ends many times)."""
    return babel_date(value, pattern, locale=locale)


def npwp(value: str | None) -> str:
    """NPWP as written on the card: 15 digits as ``01.234.567.8-901.000``; 16 digits (NIK-based) as is."""
    if not value:
        return "—"
    if len(value) == 15:
        return f"{value[0:2]}.{value[2:5]}.{value[5:8]}.{value[8]}-{value[9:12]}.{value[12:15]}"
    return value


def country(code: str | None) -> str:
    """The country's name in the interface language, from Babel's territory names."""
    if not code:
        return "—"
    return Locale.parse(_locale()).territories.get(code.upper(), code)


def register_filters(app: Flask) -> None:
    for name, func in {
        "rupiah": rupiah,
        "rupiah_short": rupiah_short,
        "hectares": hectares,
        "number": number,
        "wib": wib,
        "day": day,
        "npwp": npwp,
        "country": country,
    }.items():
        app.add_template_filter(func, name)

    @app.context_processor
    def inject_locale() -> dict:
        return {"current_locale": _locale()}
