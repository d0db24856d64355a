"""The number helpers give Babel's output and id_url gives url_for's (issue 13: Babel's format_decimal per cell
and url_for per link were a good part of the forecast page): whole numbers go through a formatter built from the
locale's symbols, everything else through Babel."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from babel.numbers import format_compact_decimal
from babel.numbers import format_decimal as babel_decimal
from flask import Flask, url_for
from flask_babel import force_locale
from flask_babel import format_date as flask_babel_date
from flask_babel import format_datetime as flask_babel_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formatting import DATE_FORMAT, TIME_FORMATS, day, number, rupiah, rupiah_short, wib
from app.urls import id_url

LOCALES = ("id", "en")


@settings(max_examples=400, deadline=None)
@given(value=st.integers(min_value=-(10**20), max_value=10**20), locale=st.sampled_from(LOCALES))
def test_whole_numbers_as_babel_formats_them(app: Flask, value: int, locale: str) -> None:
    with app.test_request_context(), force_locale(locale):
        assert number(value) == babel_decimal(value, format="#,##0.##", locale=locale)
        assert rupiah(value) == "Rp" + babel_decimal(value, format="#,##0", locale=locale)


@settings(max_examples=200, deadline=None)
@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=4),
    locale=st.sampled_from(LOCALES),
)
def test_decimals_still_babel(app: Flask, value: Decimal, locale: str) -> None:
    with app.test_request_context(), force_locale(locale):
        assert number(value) == babel_decimal(value, format="#,##0.##", locale=locale)
        assert rupiah(value) == "Rp" + babel_decimal(int(value), format="#,##0", locale=locale)


def test_examples(app: Flask) -> None:
    with app.test_request_context(), force_locale("id"):
        assert (number(1234567), number(-1234567), number(0), number(None)) == ("1.234.567", "-1.234.567", "0", "—")
        assert (rupiah(650_000_000_000), number(Decimal("12.5"))) == ("Rp650.000.000.000", "12,5")
    with app.test_request_context(), force_locale("en"):
        assert (number(1234567), rupiah(-5000)) == ("1,234,567", "Rp-5,000")


@settings(max_examples=100, deadline=None)
@given(
    value=st.dates(), locale=st.sampled_from(LOCALES), fmt=st.sampled_from([None, "medium", "MMM yyyy", "EEE, d MMM y"])
)
def test_dates_as_flask_babel_formats_them(app: Flask, value: date, locale: str, fmt: str | None) -> None:
    pattern = DATE_FORMAT if fmt in (None, "medium") else fmt
    with app.test_request_context(), force_locale(locale):
        assert day(value, fmt) == flask_babel_date(value, pattern)


def test_a_timestamp_is_still_moved_to_wib(app: Flask) -> None:
    with app.test_request_context(), force_locale("id"):
        assert day(datetime(2026, 11, 30, 20, 0)) == "1 Des 2026"


@settings(max_examples=400, deadline=None)
@given(
    value=st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 12, 31)),
    offset=st.none() | st.integers(min_value=-14 * 60, max_value=14 * 60),
    locale=st.sampled_from(LOCALES),
)
def test_timestamps_as_flask_babel_formats_them(app: Flask, value: datetime, offset: int | None, locale: str) -> None:
    """``wib`` writes the time itself beside Babel's date (issue 13): the same text as Flask-Babel's pattern in the
    app's zone, for naive (UTC) and aware timestamps."""
    if offset is not None:
        value = value.replace(tzinfo=timezone(timedelta(minutes=offset)))
    with app.test_request_context(), force_locale(locale):
        expected = flask_babel_datetime(value, f"{DATE_FORMAT} {TIME_FORMATS[locale]}") + " WIB"
        assert wib(value) == expected


def test_a_wib_timestamp_crosses_midnight(app: Flask) -> None:
    with app.test_request_context(), force_locale("id"):
        assert wib(datetime(2026, 12, 31, 17, 5)) == "1 Jan 2027 00.05 WIB"
    with app.test_request_context(), force_locale("en"):
        assert wib(datetime(2026, 12, 31, 16, 59)) == "31 Dec 2026 23:59 WIB"
        assert wib(None) == "—"


@settings(max_examples=50, deadline=None)
@given(permit_id=st.integers(min_value=1, max_value=2**31 - 1))
def test_an_id_url_is_url_for(app: Flask, permit_id: int) -> None:
    with app.test_request_context():
        assert id_url("permits.permit_detail", "permit_id")(permit_id) == url_for(
            "permits.permit_detail", permit_id=permit_id
        )
        assert id_url("portal.permit_detail", "permit_id", _anchor="answer")(permit_id) == url_for(
            "portal.permit_detail", permit_id=permit_id, _anchor="answer"
        )


@settings(max_examples=100, deadline=None)
@given(value=st.integers(min_value=-(10**16), max_value=10**16), locale=st.sampled_from(LOCALES))
def test_short_rupiah_as_babel_formats_it(app: Flask, value: int, locale: str) -> None:
    with app.test_request_context(), force_locale(locale):
        words = format_compact_decimal(value, format_type="long", locale=locale, fraction_digits=1)
        expected = "Rp" + (babel_decimal(value, format="#,##0", locale=locale) if abs(value) < 1_000_000 else words)
        assert rupiah_short(value) == expected == rupiah_short(value)
