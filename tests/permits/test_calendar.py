"""The working-day calendar: holidays, cuti bersama, administrators' overrides, the cache and the properties.

Every expected date below was checked by hand against the package's list, printed with
``holidays.country_holidays("ID", years=y, categories=(c,), language="id")`` for 2025 and 2026:

2025 public: 1 Jan, 27 Jan, 29 Jan, 29 Mar (Sat), 31 Mar, 1 Apr, 18 Apr, 20 Apr (Sun), 1 May, 12 May, 29 May,
1 Jun (Sun), 6 Jun, 27 Jun, 17 Aug (Sun), 5 Sep, 25 Dec.
2025 cuti bersama: 28 Jan, 28 Mar, 2-4 Apr, 7 Apr, 13 May, 30 May, 9 Jun, 18 Aug, 26 Dec.
2026 public: 1 Jan, 16 Jan, 17 Feb, 19 Mar, 21-22 Mar (Sat-Sun), 3 Apr, 5 Apr (Sun), 1 May, 14 May, 27 May,
31 May (Sun), 1 Jun, 16 Jun, 17 Aug, 25 Aug, 25 Dec.
2026 cuti bersama: 16 Feb, 18 Mar, 20 Mar, 23-24 Mar, 15 May, 28 May, 24 Dec.
2027: 1 Jan (Fri) and 5 Jan (Tue) are public holidays.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache

import holidays
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import Setting
from permits import calendar
from permits.admin.closures import (
    CalendarOverrideError,
    DuplicateOverrideError,
    OverrideNotFoundError,
    add_override,
    list_overrides,
    remove_override,
)
from permits.calendar import (
    CUTI_BERSAMA_SETTING,
    CalendarRangeError,
    WorkingCalendar,
    add_working_days,
    invalidate_calendar_cache,
    is_working_day,
    working_days_between,
)
from permits.models import CalendarOverride, CalendarOverrideKind

D = date


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """conftest empties the tables behind the cache's back: start and leave every test with an empty cache."""
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


def _set_default(value: str) -> None:
    db.session.get(Setting, CUTI_BERSAMA_SETTING).value = value
    db.session.flush()
    invalidate_calendar_cache()


@cache
def _package_holidays(year: int, cuti_bersama: bool) -> holidays.HolidayBase:
    categories = ("public", "government") if cuti_bersama else ("public",)
    return holidays.country_holidays("ID", years=year, categories=categories)


def _independent_is_working(day: date, cuti_bersama: bool) -> bool:
    """A day-by-day oracle straight from the holidays package, sharing no code with permits.calendar."""
    return day.weekday() < 5 and day not in _package_holidays(day.year, cuti_bersama)


# --- holidays, long weekends and Lebaran, cuti bersama counted (True) or not (False) ---------------------------

# (start, n, expected with cuti bersama non-working, expected with cuti bersama working)
LONG_WEEKENDS = [
    # 2025 Isra Mikraj Mon 27 Jan, cuti Tue 28 Jan, Imlek Wed 29 Jan
    pytest.param(D(2025, 1, 24), 1, D(2025, 1, 30), D(2025, 1, 28), id="2025-imlek-before"),
    pytest.param(D(2025, 1, 29), 1, D(2025, 1, 30), D(2025, 1, 30), id="2025-imlek-after"),
    # 2025 Nyepi and Idul Fitri: cuti Fri 28 Mar, Nyepi Sat 29, Idul Fitri Mon 31 - Tue 1 Apr, cuti 2-4 and 7 Apr
    pytest.param(D(2025, 3, 26), 1, D(2025, 3, 27), D(2025, 3, 27), id="2025-lebaran-last-day-before"),
    pytest.param(D(2025, 3, 27), 1, D(2025, 4, 8), D(2025, 3, 28), id="2025-lebaran-before"),
    pytest.param(D(2025, 3, 27), 2, D(2025, 4, 9), D(2025, 4, 2), id="2025-lebaran-two-days"),
    pytest.param(D(2025, 3, 26), 5, D(2025, 4, 11), D(2025, 4, 4), id="2025-lebaran-five-days"),
    pytest.param(D(2025, 4, 7), 1, D(2025, 4, 8), D(2025, 4, 8), id="2025-lebaran-after"),
    # 2025 Good Friday 18 Apr
    pytest.param(D(2025, 4, 17), 1, D(2025, 4, 21), D(2025, 4, 21), id="2025-good-friday"),
    # 2025 Labour Day Thu 1 May, no cuti bersama on Fri 2 May
    pytest.param(D(2025, 4, 30), 1, D(2025, 5, 2), D(2025, 5, 2), id="2025-labour-day"),
    # 2025 Waisak Mon 12 May, cuti Tue 13 May
    pytest.param(D(2025, 5, 9), 1, D(2025, 5, 14), D(2025, 5, 13), id="2025-waisak-before"),
    pytest.param(D(2025, 5, 13), 1, D(2025, 5, 14), D(2025, 5, 14), id="2025-waisak-after"),
    # 2025 Kenaikan Thu 29 May, cuti Fri 30 May, Pancasila Sun 1 Jun
    pytest.param(D(2025, 5, 28), 1, D(2025, 6, 2), D(2025, 5, 30), id="2025-kenaikan-before"),
    pytest.param(D(2025, 5, 30), 1, D(2025, 6, 2), D(2025, 6, 2), id="2025-kenaikan-after"),
    # 2025 Idul Adha Fri 6 Jun, cuti Mon 9 Jun
    pytest.param(D(2025, 6, 5), 1, D(2025, 6, 10), D(2025, 6, 9), id="2025-idul-adha-before"),
    pytest.param(D(2025, 6, 9), 1, D(2025, 6, 10), D(2025, 6, 10), id="2025-idul-adha-after"),
    # 2025 Independence Day Sun 17 Aug, cuti Mon 18 Aug (added by decree in mid-2025)
    pytest.param(D(2025, 8, 15), 1, D(2025, 8, 19), D(2025, 8, 18), id="2025-17-aug-before"),
    pytest.param(D(2025, 8, 18), 1, D(2025, 8, 19), D(2025, 8, 19), id="2025-17-aug-after"),
    # 2025 Christmas Thu 25 Dec, cuti Fri 26 Dec
    pytest.param(D(2025, 12, 24), 1, D(2025, 12, 29), D(2025, 12, 26), id="2025-christmas-before"),
    pytest.param(D(2025, 12, 26), 1, D(2025, 12, 29), D(2025, 12, 29), id="2025-christmas-after"),
    # 2026 cuti Mon 16 Feb, Imlek Tue 17 Feb
    pytest.param(D(2026, 2, 13), 1, D(2026, 2, 18), D(2026, 2, 16), id="2026-imlek-before"),
    pytest.param(D(2026, 2, 17), 1, D(2026, 2, 18), D(2026, 2, 18), id="2026-imlek-after"),
    # 2026 cuti Wed 18 Mar, Nyepi Thu 19, cuti Fri 20, Idul Fitri Sat 21 - Sun 22, cuti Mon 23 - Tue 24 Mar
    pytest.param(D(2026, 3, 17), 1, D(2026, 3, 25), D(2026, 3, 18), id="2026-lebaran-before"),
    pytest.param(D(2026, 3, 17), 2, D(2026, 3, 26), D(2026, 3, 20), id="2026-lebaran-two-days"),
    pytest.param(D(2026, 3, 17), 3, D(2026, 3, 27), D(2026, 3, 23), id="2026-lebaran-three-days"),
    pytest.param(D(2026, 3, 24), 1, D(2026, 3, 25), D(2026, 3, 25), id="2026-lebaran-after"),
    # 2026 Good Friday 3 Apr
    pytest.param(D(2026, 4, 2), 1, D(2026, 4, 6), D(2026, 4, 6), id="2026-good-friday"),
    # 2026 Kenaikan Thu 14 May, cuti Fri 15 May
    pytest.param(D(2026, 5, 13), 1, D(2026, 5, 18), D(2026, 5, 15), id="2026-kenaikan-before"),
    pytest.param(D(2026, 5, 15), 1, D(2026, 5, 18), D(2026, 5, 18), id="2026-kenaikan-after"),
    # 2026 Idul Adha Wed 27 May, cuti Thu 28 May; Waisak Sun 31 May, Pancasila Mon 1 Jun
    pytest.param(D(2026, 5, 26), 1, D(2026, 5, 29), D(2026, 5, 28), id="2026-idul-adha-before"),
    pytest.param(D(2026, 5, 29), 1, D(2026, 6, 2), D(2026, 6, 2), id="2026-waisak-pancasila"),
    # 2026 Independence Day Mon 17 Aug, no cuti bersama
    pytest.param(D(2026, 8, 14), 1, D(2026, 8, 18), D(2026, 8, 18), id="2026-17-aug"),
    # 2026 cuti Thu 24 Dec, Christmas Fri 25 Dec
    pytest.param(D(2026, 12, 23), 1, D(2026, 12, 28), D(2026, 12, 24), id="2026-christmas-before"),
    pytest.param(D(2026, 12, 24), 1, D(2026, 12, 28), D(2026, 12, 28), id="2026-christmas-after"),
    # year boundaries: New Year's Day Thu 1 Jan 2026; Fri 1 Jan 2027 then the weekend, Isra Mikraj Tue 5 Jan 2027
    pytest.param(D(2025, 12, 31), 1, D(2026, 1, 2), D(2026, 1, 2), id="2025-2026-boundary"),
    pytest.param(D(2026, 12, 31), 1, D(2027, 1, 4), D(2027, 1, 4), id="2026-2027-boundary"),
    pytest.param(D(2026, 12, 31), 2, D(2027, 1, 6), D(2027, 1, 6), id="2026-2027-boundary-two-days"),
    pytest.param(D(2026, 12, 23), 6, D(2027, 1, 6), D(2027, 1, 4), id="2026-2027-span"),
]


@pytest.mark.parametrize(("start", "n", "with_cuti", "without_cuti"), LONG_WEEKENDS)
def test_long_weekends_and_lebaran(start: date, n: int, with_cuti: date, without_cuti: date) -> None:
    assert add_working_days(start, n, cuti_bersama=True) == with_cuti
    assert add_working_days(start, n, cuti_bersama=False) == without_cuti
    assert working_days_between(start, with_cuti, cuti_bersama=True) == n
    assert working_days_between(start, without_cuti, cuti_bersama=False) == n
    # the day before the result is still short of n: the result is the first date that reaches n
    assert working_days_between(start, with_cuti - timedelta(days=1), cuti_bersama=True) == n - 1
    assert working_days_between(start, without_cuti - timedelta(days=1), cuti_bersama=False) == n - 1


@pytest.mark.parametrize(
    ("start", "end", "with_cuti", "without_cuti"),
    [
        (D(2025, 3, 27), D(2025, 4, 8), 1, 6),  # Lebaran 2025: 28 Mar, 2, 3, 4, 7, 8 Apr without cuti bersama
        (D(2026, 3, 17), D(2026, 3, 25), 1, 5),  # Lebaran 2026: 18, 20, 23, 24, 25 Mar
        (D(2025, 1, 24), D(2025, 1, 30), 1, 2),  # Imlek 2025: 28 and 30 Jan
        (D(2026, 12, 23), D(2027, 1, 6), 6, 7),  # 24 Dec, 28-31 Dec 2026, 4 and 6 Jan 2027
        (D(2025, 1, 1), D(2025, 12, 31), 237, 248),  # 2025: 261 weekdays, 13 holidays on weekdays, 11 cuti
        (D(2025, 4, 8), D(2025, 4, 8), 0, 0),  # end == start
        (D(2025, 4, 8), D(2025, 4, 1), 0, 0),  # end before start
    ],
)
def test_working_days_between(start: date, end: date, with_cuti: int, without_cuti: int) -> None:
    assert working_days_between(start, end, cuti_bersama=True) == with_cuti
    assert working_days_between(start, end, cuti_bersama=False) == without_cuti


def test_cuti_bersama_days_are_working_only_when_not_counted() -> None:
    assert not is_working_day(D(2025, 8, 18), cuti_bersama=True)
    assert is_working_day(D(2025, 8, 18), cuti_bersama=False)
    # a national holiday stays non-working either way
    assert not is_working_day(D(2025, 3, 31), cuti_bersama=False)
    assert is_working_day(D(2025, 8, 19), cuti_bersama=True)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2025, 4, 5), D(2025, 4, 8)),  # a Saturday inside Lebaran
        (D(2025, 4, 6), D(2025, 4, 8)),  # a Sunday
        (D(2025, 3, 31), D(2025, 4, 8)),  # Idul Fitri itself
        (D(2025, 4, 7), D(2025, 4, 8)),  # a cuti bersama day
        (D(2025, 12, 25), D(2025, 12, 29)),  # Christmas
    ],
)
def test_start_on_a_non_working_day_counts_from_the_next_working_day(start: date, expected: date) -> None:
    assert add_working_days(start, 1, cuti_bersama=True) == expected


@pytest.mark.parametrize("start", [D(2025, 4, 5), D(2025, 3, 31), D(2025, 4, 8), D(2025, 12, 31)])
def test_zero_days_returns_the_start_whatever_day_it_is(start: date) -> None:
    assert add_working_days(start, 0) == start
    assert working_days_between(start, start) == 0


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(D(2025, 4, 8), -1)


def test_years_outside_the_package_are_refused_not_miscounted() -> None:
    assert add_working_days(D(2100, 12, 29), 1, cuti_bersama=False) == D(2100, 12, 30)
    with pytest.raises(CalendarRangeError):
        add_working_days(D(2100, 12, 30), 2)
    with pytest.raises(CalendarRangeError):
        working_days_between(D(1945, 12, 31), D(1946, 1, 3))
    assert add_working_days(D(2101, 1, 1), 0) == D(2101, 1, 1)  # nothing to count


@pytest.mark.parametrize("year", range(2015, 2041))
@pytest.mark.parametrize("cuti", [True, False])
def test_every_year_from_2015_to_2040_matches_a_day_by_day_count(year: int, cuti: bool) -> None:
    days = [D(year, 1, 1) + timedelta(days=i) for i in range(366) if (D(year, 1, 1) + timedelta(days=i)).year == year]
    expected = sum(_independent_is_working(d, cuti) for d in days)
    assert 230 <= expected <= 256  # the oracle itself is sane: 260-262 weekdays less the holidays
    assert working_days_between(D(year - 1, 12, 31), D(year, 12, 31), cuti_bersama=cuti) == expected


# --- the site default --------------------------------------------------------------------------------------


def test_site_default_counts_cuti_bersama_as_non_working() -> None:
    assert db.session.get(Setting, CUTI_BERSAMA_SETTING).value == "true"
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 19)


def test_site_default_false_makes_cuti_bersama_working_and_an_explicit_argument_still_wins() -> None:
    _set_default("false")
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 18)
    assert working_days_between(D(2025, 3, 27), D(2025, 4, 8)) == 6
    assert add_working_days(D(2025, 8, 15), 1, cuti_bersama=True) == D(2025, 8, 19)


@pytest.mark.parametrize("value", ["TRUE", "yes", "maybe", ""])
def test_site_default_is_non_working_for_true_or_unreadable_values(value: str) -> None:
    _set_default(value)
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 19)


def test_site_default_is_non_working_without_the_setting_row() -> None:
    db.session.delete(db.session.get(Setting, CUTI_BERSAMA_SETTING))
    db.session.flush()
    invalidate_calendar_cache()
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 19)


# --- administrators' overrides and the cache ---------------------------------------------------------------


def test_a_closure_date_makes_a_working_day_non_working_and_refreshes_the_cache() -> None:
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)  # fills the cache for 2025
    add_override(D(2025, 4, 8), CalendarOverrideKind.CLOSED, "Surat Edaran Gubernur (test)", "admin")
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 9)
    assert add_working_days(D(2025, 3, 27), 1, cuti_bersama=False) == D(2025, 3, 28)  # applies to both
    assert working_days_between(D(2025, 3, 27), D(2025, 4, 9)) == 1
    assert not is_working_day(D(2025, 4, 8))


def test_a_working_override_makes_a_holiday_working_until_it_is_removed() -> None:
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)
    override = add_override(D(2025, 4, 7), "working", "SKB cuti bersama revised (test)", "admin")
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 7)
    assert working_days_between(D(2025, 3, 27), D(2025, 4, 8)) == 2
    removed = remove_override(override.id)
    assert removed.day == D(2025, 4, 7)
    assert db.session.get(CalendarOverride, override.id) is None
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)


def test_a_working_override_can_open_a_saturday() -> None:
    add_override(D(2025, 4, 5), CalendarOverrideKind.WORKING, "Office open on Saturday (test)", "admin")
    assert add_working_days(D(2025, 4, 4), 1) == D(2025, 4, 5)


def test_a_closure_changes_a_span_across_the_year_boundary() -> None:
    assert working_days_between(D(2025, 12, 24), D(2026, 1, 9)) == 9  # 29-31 Dec, 2 Jan, 5-9 Jan
    add_override(D(2026, 1, 2), CalendarOverrideKind.CLOSED, "Bridge day (test)", "admin")
    assert working_days_between(D(2025, 12, 24), D(2026, 1, 9)) == 8
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)


def test_a_rolled_back_override_leaves_no_trace_in_the_cache() -> None:
    add_override(D(2025, 4, 8), CalendarOverrideKind.CLOSED, "Never committed (test)", "admin")
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 9)  # the cache now holds the uncommitted row
    db.session.rollback()
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)


def test_another_process_s_edit_shows_after_the_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(calendar, "_monotonic", lambda: now[0])
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)
    # another worker writes a row: this process's cache is not told
    db.session.add(CalendarOverride(day=D(2025, 4, 8), kind=CalendarOverrideKind.CLOSED, reason="x", created_by="w2"))
    db.session.flush()
    now[0] += calendar.CACHE_TTL_SECONDS - 0.5
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)  # still cached
    now[0] += 0.5
    assert add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 9)  # expired and rebuilt


def test_the_setting_is_cached_until_invalidated() -> None:
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 19)
    db.session.get(Setting, CUTI_BERSAMA_SETTING).value = "false"
    db.session.flush()
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 19)
    invalidate_calendar_cache()
    assert add_working_days(D(2025, 8, 15), 1) == D(2025, 8, 18)


def test_a_duplicate_date_is_refused_with_a_message_and_nothing_is_written(app: Flask) -> None:
    add_override(D(2025, 4, 8), CalendarOverrideKind.CLOSED, "First (test)", "admin")
    with pytest.raises(DuplicateOverrideError) as excinfo:
        add_override(D(2025, 4, 8), CalendarOverrideKind.WORKING, "Second (test)", "admin")
    assert excinfo.value.day == D(2025, 4, 8)
    with app.test_request_context():  # the message is translated when shown, in the request's language
        assert str(excinfo.value) == "8 Apr 2025 already has a calendar entry."
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 1


@pytest.mark.parametrize(
    ("day", "kind", "reason", "created_by"),
    [
        (D(2025, 4, 8), "holiday", "A reason", "admin"),  # unknown kind
        (D(2025, 4, 8), "closed", "   ", "admin"),  # blank reason
        (D(2025, 4, 8), "closed", "A reason", ""),  # nobody
        (D(2101, 1, 3), "closed", "A reason", "admin"),  # beyond the calendar
    ],
)
def test_invalid_overrides_are_refused_and_nothing_is_written(
    day: date, kind: str, reason: str, created_by: str
) -> None:
    with pytest.raises(CalendarOverrideError):
        add_override(day, kind, reason, created_by)
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_override_fields_are_stored_trimmed_with_a_utc_timestamp() -> None:
    override = add_override(D(2025, 4, 8), "closed", "  Keputusan Gubernur (test)  ", " admin ")
    db.session.expire_all()
    stored = db.session.get(CalendarOverride, override.id)
    assert (stored.reason, stored.created_by, stored.kind) == ("Keputusan Gubernur (test)", "admin", "closed")
    assert stored.created_at.utcoffset() == timedelta(0)


def test_removing_an_unknown_override_is_refused() -> None:
    with pytest.raises(OverrideNotFoundError):
        remove_override(12345)


def test_list_overrides_gives_one_year_in_date_order() -> None:
    add_override(D(2025, 12, 31), "closed", "C (test)", "admin")
    add_override(D(2025, 1, 2), "working", "A (test)", "admin")
    add_override(D(2026, 1, 1), "working", "Next year (test)", "admin")
    add_override(D(2024, 12, 31), "closed", "Last year (test)", "admin")
    assert [o.day for o in list_overrides(2025)] == [D(2025, 1, 2), D(2025, 12, 31)]
    assert list_overrides(2027) == []
    with pytest.raises(CalendarRangeError):
        list_overrides(99999)


# --- the pure calendar --------------------------------------------------------------------------------------


def test_pure_calendar_with_weekends_and_closures() -> None:
    cal = WorkingCalendar.with_weekends(closed=[D(2025, 4, 8)], working=[D(2025, 4, 5)])
    assert cal.add_working_days(D(2025, 4, 4), 1) == D(2025, 4, 5)  # opened Saturday
    assert cal.add_working_days(D(2025, 4, 4), 2) == D(2025, 4, 7)
    assert cal.add_working_days(D(2025, 4, 4), 3) == D(2025, 4, 9)  # closed Tuesday skipped
    assert cal.working_days_between(D(2025, 4, 4), D(2025, 4, 9)) == 3


def test_pure_calendar_skips_a_year_without_working_days() -> None:
    def non_working(year: int) -> set[date]:
        if year == 2030:
            return {D(2030, 1, 1) + timedelta(days=i) for i in range(365)}
        return set(calendar.weekend_days(year))

    cal = WorkingCalendar(non_working)
    assert cal.add_working_days(D(2029, 12, 31), 1) == D(2031, 1, 1)
    assert cal.working_days_between(D(2029, 12, 30), D(2031, 1, 1)) == 2


# --- properties ------------------------------------------------------------------------------------------------

START = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,  # the first example builds a few years of holidays
    # the examples only read: the per-test database and cache need no reset between them
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY_SETTINGS
@given(start=START, n=st.integers(0, 400), cuti=st.booleans())
def test_property_the_two_functions_are_inverses(start: date, n: int, cuti: bool) -> None:
    end = add_working_days(start, n, cuti_bersama=cuti)
    assert working_days_between(start, end, cuti_bersama=cuti) == n
    if n > 0:
        assert end > start
        assert is_working_day(end, cuti_bersama=cuti)
        assert _independent_is_working(end, cuti)
        assert working_days_between(start, end - timedelta(days=1), cuti_bersama=cuti) == n - 1
    else:
        assert end == start


@PROPERTY_SETTINGS
@given(start=START, n=st.integers(0, 400), cuti=st.booleans())
def test_property_add_working_days_is_strictly_increasing_in_n(start: date, n: int, cuti: bool) -> None:
    assert add_working_days(start, n, cuti_bersama=cuti) < add_working_days(start, n + 1, cuti_bersama=cuti)


@PROPERTY_SETTINGS
@given(start=START, a=st.integers(0, 800), b=st.integers(0, 800), cuti=st.booleans())
def test_property_counting_is_monotone_and_matches_a_day_by_day_count(start: date, a: int, b: int, cuti: bool) -> None:
    near, far = start + timedelta(days=min(a, b)), start + timedelta(days=max(a, b))
    assert working_days_between(start, near, cuti_bersama=cuti) <= working_days_between(start, far, cuti_bersama=cuti)
    days = (start + timedelta(days=i) for i in range(1, max(a, b) + 1))
    expected = sum(_independent_is_working(d, cuti) for d in days)
    assert working_days_between(start, far, cuti_bersama=cuti) == expected


@PROPERTY_SETTINGS
@given(start=START, n=st.integers(0, 400), cuti=st.booleans())
def test_property_a_later_start_never_ends_earlier(start: date, n: int, cuti: bool) -> None:
    later = start + timedelta(days=1)
    assert add_working_days(start, n, cuti_bersama=cuti) <= add_working_days(later, n, cuti_bersama=cuti)
