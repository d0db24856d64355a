"""Rupiah, hectares, numbers and WIB dates, formatted by Babel for the current locale.

Indonesian style: ``Rp650.000.000.000``, ``Rp650 miliar``, ``Rp1,2 triliun``; times in WIB as 16.30.
Values are stored in UTC and whole rupiah; these helpers only present them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_compact_decimal
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale


def _locale() -> str:
    return str(get_locale() or "id")


def rupiah(value: int | Decimal | None) -> str:
    """Whole rupiah with thousands separators: ``Rp650.000.000.000`` (id) or ``Rp650,000,000,000`` (en)."""
    if value is None:
        return "—"
    return "Rp" + format_decimal(int(value), format="#,##0")


def rupiah_short(value: int | Decimal | None) -> str:
    """Rupiah in words for large amounts: ``Rp650 miliar``, ``Rp1,2 triliun`` (``Rp1.2 trillion`` in en)."""
    if value is None:
        return "—"
    amount = int(value)
    if abs(amount) < 1_000_000:
        return rupiah(amount)
    words = format_compact_decimal(amount, format_type="long", locale=_locale(), fraction_digits=1)
    return "Rp" + words


def hectares(value: Decimal | float | None) -> str:
    """An area in hectares, at most two decimals: ``150 ha``, ``12,5 ha``."""
    if value is None:
        return "—"
    return format_decimal(Decimal(value), format="#,##0.##") + " ha"


def number(value: int | Decimal | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##")


def wib(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC timestamp shown in WIB (Asia/Jakarta), with the zone named."""
    if value is None:
        return "—"
    return format_datetime(value, fmt) + " WIB"


def day(value: date | None, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    return format_date(value, fmt)


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
    from babel import Locale

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
