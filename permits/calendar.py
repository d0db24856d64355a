"""Indonesian working days (*hari kerja*) for statutory deadlines.

The rule (DOMAIN.md section 4): government offices work Monday to Friday, except on national holidays and,
when the site counts them (the setting ``calendar.cuti_bersama_non_working``, UNCONFIRMED, default yes), the
decreed collective-leave days (*cuti bersama*); both come from the ``holidays`` package. An administrator's
``CalendarOverride`` wins over all of that: a ``closed`` date is non-working, a ``working`` date is working.
Day 1 is the first working day *after* the day the clock starts; the start day itself never counts.

``WorkingCalendar`` is the pure algorithm (no database). The module-level functions use one calendar per app,
cached in-process per (year, cuti bersama) and rebuilt when an override changes in this process, or at most
``CACHE_TTL_SECONDS`` after another process changed one. The override services live in
``permits.admin.closures``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.settings import setting_value
from permits.models import CalendarOverride, CalendarOverrideKind

MIN_YEAR: int = holidays.Indonesia.start_year
MAX_YEAR: int = holidays.Indonesia.end_year
CUTI_BERSAMA_SETTING = "calendar.cuti_bersama_non_working"
CACHE_TTL_SECONDS = 60.0
_EXTENSION_KEY = "pantau.calendar"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class CalendarRangeError(ValueError):
    """A date outside the years the holidays package knows (``MIN_YEAR``..``MAX_YEAR``)."""


@dataclass(frozen=True, slots=True)
class _YearIndex:
    """One year's working days as ordinals, and for each day of the year how many working days precede it."""

    first: int  # ordinal of 1 January
    working: list[int]  # ordinals of the working days, ascending
    upto: list[int]  # upto[i]: working days from 1 January to day first + i, inclusive
    non_working: frozenset[date]


class WorkingCalendar:
    """Working-day arithmetic over a per-year set of non-working dates, without a database.

    ``non_working(year)`` returns every non-working date of that year, weekends included (dates of other
    years are ignored). Each year is indexed once, so both operations cost O(1) per calendar year crossed.
    """

    def __init__(self, non_working: Callable[[int], Collection[date]]) -> None:
        self._non_working = non_working
        self._years: dict[int, _YearIndex] = {}

    @classmethod
    def with_weekends(cls, closed: Iterable[date] = (), working: Iterable[date] = ()) -> WorkingCalendar:
        """A calendar where Saturdays, Sundays and ``closed`` are non-working, except the dates in ``working``."""
        closed_set, working_set = frozenset(closed), frozenset(working)
        return cls(lambda year: (weekend_days(year) | closed_set) - working_set)

    def non_working_days(self, year: int) -> frozenset[date]:
        """Every non-working date of ``year``. Raises ``CalendarRangeError`` outside MIN_YEAR..MAX_YEAR."""
        return self._year(year).non_working

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day. Raises ``CalendarRangeError`` outside MIN_YEAR..MAX_YEAR."""
        return day not in self._year(day.year).non_working

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself never counts); ``start`` when n is 0.

        Raises ``ValueError`` for a negative n and ``CalendarRangeError`` past ``MAX_YEAR``.
        """
        if n < 0:
            raise ValueError(f"n must be zero or more, not {n}")
        if n == 0:
            return start
        year = start.year
        index = self._year(year)
        rank = index.upto[start.toordinal() - index.first] + n  # rank of the result among this year's working days
        while rank > len(index.working):
            rank -= len(index.working)
            year += 1
            index = self._year(year)
        return date.fromordinal(index.working[rank - 1])

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d satisfy start < d <= end (0 when end <= start).

        Raises ``CalendarRangeError`` when either date lies outside MIN_YEAR..MAX_YEAR.
        """
        if end <= start:
            return 0
        year = start.year
        index = self._year(year)
        count = -index.upto[start.toordinal() - index.first]
        while year < end.year:
            count += len(index.working)
            year += 1
            index = self._year(year)
        return count + index.upto[end.toordinal() - index.first]

    def _year(self, year: int) -> _YearIndex:
        index = self._years.get(year)
        if index is None:
            index = self._years[year] = self._build(year)
        return index

    def _build(self, year: int) -> _YearIndex:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarRangeError(f"the working-day calendar covers {MIN_YEAR} to {MAX_YEAR}, not {year}")
        non_working = frozenset(d for d in self._non_working(year) if d.year == year)
        closed = {d.toordinal() for d in non_working}
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        working: list[int] = []
        upto: list[int] = []
        for ordinal in range(first, last + 1):
            if ordinal not in closed:
                working.append(ordinal)
            upto.append(len(working))
        return _YearIndex(first, working, upto, non_working)


def weekend_days(year: int) -> frozenset[date]:
    """Every Saturday and Sunday of ``year``."""
    day = date(year, 1, 1)
    day += timedelta(days=(5 - day.weekday()) % 7)  # the first Saturday
    days: set[date] = set()
    while day.year == year:
        days.add(day)
        sunday = day + timedelta(days=1)
        if sunday.year == year:
            days.add(sunday)
        day += timedelta(days=7)
    return frozenset(days)


@cache
def national_holidays(year: int) -> frozenset[date]:
    """Indonesia's national holidays of ``year`` (the package's "public" category)."""
    return frozenset(holidays.country_holidays("ID", years=year, categories=("public",)))


@cache
def cuti_bersama_days(year: int) -> frozenset[date]:
    """The decreed collective-leave days of ``year`` (the package's "government" category)."""
    return frozenset(holidays.country_holidays("ID", years=year, categories=("government",)))


@cache
def estimated_days(year: int) -> frozenset[date]:
    """The holidays of ``year`` whose dates the package only estimates (lunar dates not yet decreed: their
    Indonesian names carry "(perkiraan)")."""
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return frozenset(day for day, name in found.items() if "perkiraan" in name.lower())


def is_estimated(start: date, end: date) -> bool:
    """Whether a count of working days from ``start`` to ``end`` rests on dates the calendar only estimates: a
    holiday whose date is estimated falls in between, or a year in between has no cuti bersama decreed yet."""
    for year in range(start.year, end.year + 1):
        if not cuti_bersama_days(year) or any(start < day <= end for day in estimated_days(year)):
            return True
    return False


# --- the app's calendar, cached in-process -------------------------------------------------------------------

_version = 0  # bumped by invalidate_calendar_cache(); every app's cache built for an older version is dropped
_monotonic = time.monotonic  # tests replace it to step past the TTL


@dataclass(slots=True)
class _AppCalendars:
    built_at: float
    version: int
    default_cuti_bersama: bool | None = None
    calendars: dict[bool, WorkingCalendar] = field(default_factory=dict)


def invalidate_calendar_cache() -> None:
    """Drop every cached calendar in this process; the next call reads the overrides and the setting again.

    Call it after changing overrides or the cuti bersama setting by any other route than the services.
    """
    global _version
    _version += 1


def _state() -> _AppCalendars:
    state: _AppCalendars | None = current_app.extensions.get(_EXTENSION_KEY)
    now = _monotonic()
    if state is None or state.version != _version or now - state.built_at >= CACHE_TTL_SECONDS:
        state = _AppCalendars(built_at=now, version=_version)
        current_app.extensions[_EXTENSION_KEY] = state
    return state


def cuti_bersama_non_working() -> bool:
    """Whether cuti bersama are non-working on this site: the setting, parsed; a missing row or an unreadable
    value means non-working (the safe default)."""
    with db.session.no_autoflush:
        raw = setting_value(CUTI_BERSAMA_SETTING)  # kept until the next committed write (app.fragments)
    value = raw.strip().lower() if raw else ""
    if value in _FALSE:
        return False
    if value not in _TRUE:
        current_app.logger.warning(
            "setting %s=%r is not true/false: cuti bersama count as non-working",
            CUTI_BERSAMA_SETTING,
            raw,
        )
    return True


def _overrides(*conditions) -> list[tuple[date, CalendarOverrideKind]]:
    query = select(CalendarOverride.day, CalendarOverride.kind).where(*conditions)
    with db.session.no_autoflush:  # reading the calendar must not flush a caller's half-built objects
        return [(day, kind) for day, kind in db.session.execute(query)]


def _non_working(year: int, cuti_bersama: bool, overrides: Iterable[tuple[date, CalendarOverrideKind]]) -> frozenset:
    """Weekends, national holidays, cuti bersama when counted, plus closures, minus working-day overrides (those of
    ``overrides`` in ``year``)."""
    days = weekend_days(year) | national_holidays(year)
    if cuti_bersama:
        days |= cuti_bersama_days(year)
    closed = {day for day, kind in overrides if kind == CalendarOverrideKind.CLOSED and day.year == year}
    working = {day for day, kind in overrides if kind == CalendarOverrideKind.WORKING and day.year == year}
    return frozenset((days | closed) - working)


def _site_non_working(year: int, cuti_bersama: bool) -> frozenset[date]:
    overrides = _overrides(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return _non_working(year, cuti_bersama, overrides)


def preloaded_calendar() -> WorkingCalendar:
    """This site's calendar (as ``site_calendar()`` has it) with every override read now, in one query: it never
    reads the database again, so a computation may use it while its connection is busy (a ``COPY`` in progress)."""
    state = _state()
    if state.default_cuti_bersama is None:
        state.default_cuti_bersama = cuti_bersama_non_working()
    counted, overrides = state.default_cuti_bersama, _overrides()
    return WorkingCalendar(lambda year: _non_working(year, counted, overrides))


def site_calendar(cuti_bersama: bool | None = None) -> WorkingCalendar:
    """The current app's calendar; ``cuti_bersama=None`` follows the site setting. Needs an app context."""
    state = _state()
    if cuti_bersama is None:
        if state.default_cuti_bersama is None:
            state.default_cuti_bersama = cuti_bersama_non_working()
        cuti_bersama = state.default_cuti_bersama
    calendar = state.calendars.get(cuti_bersama)
    if calendar is None:
        counted = cuti_bersama
        calendar = state.calendars[counted] = WorkingCalendar(lambda year: _site_non_working(year, counted))
    return calendar


def add_working_days(start: date, n: int, *, cuti_bersama: bool | None = None) -> date:
    """The n-th working day after ``start`` on this site's calendar (see ``WorkingCalendar.add_working_days``)."""
    return site_calendar(cuti_bersama).add_working_days(start, n)


def working_days_between(start: date, end: date, *, cuti_bersama: bool | None = None) -> int:
    """Working days d with start < d <= end on this site's calendar, so that it inverts ``add_working_days``."""
    return site_calendar(cuti_bersama).working_days_between(start, end)


def is_working_day(day: date, *, cuti_bersama: bool | None = None) -> bool:
    """Whether ``day`` is a working day on this site's calendar, overrides applied."""
    return site_calendar(cuti_bersama).is_working_day(day)


def non_working_days(year: int, *, cuti_bersama: bool | None = None) -> frozenset[date]:
    """Every non-working date of ``year`` on this site's calendar, overrides applied."""
    return site_calendar(cuti_bersama).non_working_days(year)
