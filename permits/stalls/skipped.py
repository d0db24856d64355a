"""Why a day inside a clock interval was not counted: an administrator's closure, a national holiday, cuti
bersama or the weekend, with the official Indonesian name of the holiday.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays

from permits.calendar import WorkingCalendar


class SkipReason(enum.StrEnum):
    """Why a date inside a clock interval was not counted, in the order the calendar applies them."""

    CLOSURE = "closure"  # an administrator's closed date (CalendarOverride)
    NATIONAL_HOLIDAY = "national_holiday"
    CUTI_BERSAMA = "cuti_bersama"
    WEEKEND = "weekend"


@dataclass(frozen=True)
class SkippedDay:
    day: date
    reason: SkipReason
    name: str | None  # the holiday's official name, or the closure's reason; none for a weekend

    def facts(self) -> dict:
        return {"date": self.day.isoformat(), "reason": self.reason.value, "name": self.name}


def _skipped(
    start: date, end: date, cal: WorkingCalendar, closures: dict[date, str], cuti_counted: bool
) -> tuple[SkippedDay, ...]:
    """Every non-working date d with start < d <= end, with the first reason that applies."""
    days: list[SkippedDay] = []
    for year in range(start.year, end.year + 1):
        for day in sorted(d for d in cal.non_working_days(year) if start < d <= end):
            days.append(_reason(day, closures, cuti_counted))
    return tuple(days)


def _reason(day: date, closures: dict[date, str], cuti_counted: bool) -> SkippedDay:
    """Why the calendar skips ``day``: a closure, else a national holiday, else cuti bersama, else the weekend."""
    if day in closures:
        return SkippedDay(day, SkipReason.CLOSURE, closures[day])
    national = _holiday_names(day.year, "public").get(day)
    if national:
        return SkippedDay(day, SkipReason.NATIONAL_HOLIDAY, national)
    cuti = _holiday_names(day.year, "government").get(day) if cuti_counted else None
    if cuti:
        return SkippedDay(day, SkipReason.CUTI_BERSAMA, cuti)
    return SkippedDay(day, SkipReason.WEEKEND, None)


@cache
def _holiday_names(year: int, category: str) -> dict[date, str]:
    """The official Indonesian names of the year's holidays of one category (whatever the interface language)."""
    found = holidays.country_holidays("ID", years=year, categories=(category,), language="id")
    return {day: "; ".join(found.get_list(day)) for day in found}
