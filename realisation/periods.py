"""Reporting periods and their deadlines: pure arithmetic, no database.

An LKPM covers a quarter (``2026-Q2``) or, for small businesses, a half-year (``2026-S1``; ``2026-H1`` is read as
the same); the province publishes totals for those and for whole years (``2025``). The report of a period is due
on a fixed day of the month after it (the 15th since October 2025, DOMAIN.md section 6: a setting), so a
half-year's reports fall due on 15 July and 15 January. When that day is not a working day the deadline may move
to the next working day (a setting too): the caller passes the calendar's rule as ``next_working_day``.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

MIN_YEAR = 2000  # older periods are typos for this register
MAX_YEAR = 2100
ROMAN = ("I", "II", "III", "IV")


class PeriodKind(enum.StrEnum):
    QUARTER = "Q"
    HALF = "S"  # semester
    YEAR = "Y"  # province totals only

    @property
    def months(self) -> int:
        return {"Q": 3, "S": 6, "Y": 12}[self.value]

    @property
    def count(self) -> int:
        """Periods of this kind in a year."""
        return 12 // self.months


class PeriodError(ValueError):
    """Not a period this register knows; ``str()`` says what is expected."""


_PERIOD = re.compile(r"(?P<year>\d{4})(?:\s*[-/ ]\s*(?P<kind>[QSH])\s*(?P<number>\d))?")


@dataclass(frozen=True, order=True)
class Period:
    """A quarter, half-year or year. Ordered by year, then kind, then number (only same-kind order is meaningful)."""

    year: int
    kind: PeriodKind
    number: int = 1

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR or not 1 <= self.number <= self.kind.count:
            raise PeriodError(_("No such period."))

    @classmethod
    def parse(cls, text: str, kinds: tuple[PeriodKind, ...] = (PeriodKind.QUARTER, PeriodKind.HALF)) -> Period:
        """Read ``2026-Q2``, ``2026-S1`` (or ``2026-H1``) and, when ``kinds`` allows, ``2026``; any case and blanks.

        Raises ``PeriodError`` with a message for the user.
        """
        match = _PERIOD.fullmatch((text or "").strip().upper())
        if match is None:
            raise PeriodError(_("Write the period as 2026-Q2 (a quarter) or 2026-S1 (a half-year)."))
        year = int(match["year"])
        if match["kind"] is None:
            kind, number = PeriodKind.YEAR, 1
        else:
            kind = PeriodKind.QUARTER if match["kind"] == "Q" else PeriodKind.HALF
            number = int(match["number"])
        if kind not in kinds:
            raise PeriodError(_("Write the period as 2026-Q2 (a quarter) or 2026-S1 (a half-year)."))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(_("The year must lie between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR))
        if not 1 <= number <= kind.count:
            raise PeriodError(_("A year has quarters Q1 to Q4 and half-years S1 and S2."))
        return cls(year, kind, number)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> Period:
        return cls(day.year, kind, (day.month - 1) // kind.months + 1)

    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return str(self.year)
        return f"{self.year}-{self.kind.value}{self.number}"

    @property
    def label(self) -> str:
        """In words for people: ``Triwulan II 2026``, ``Semester I 2026`` (``Quarter II 2026`` in English)."""
        if self.kind is PeriodKind.QUARTER:
            return _("Quarter %(number)s %(year)s", number=ROMAN[self.number - 1], year=self.year)
        if self.kind is PeriodKind.HALF:
            return _("Half-year %(number)s %(year)s", number=ROMAN[self.number - 1], year=self.year)
        return _("Year %(year)s", year=self.year)

    @property
    def start(self) -> date:
        return date(self.year, (self.number - 1) * self.kind.months + 1, 1)

    @property
    def end(self) -> date:
        month = self.number * self.kind.months
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def next(self) -> Period:
        if self.number < self.kind.count:
            return Period(self.year, self.kind, self.number + 1)
        return Period(self.year + 1, self.kind, 1)

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, self.kind.count)

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period (a quarter inside its half-year and its year)."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def due_on(self, deadline_day: int, next_working_day: Callable[[date], date] | None = None) -> date:
        """The report's deadline: ``deadline_day`` of the month after the period, moved by ``next_working_day``
        (which returns its argument when that is a working day) if given."""
        first_after = self.end + timedelta(days=1)
        due = first_after.replace(day=deadline_day)
        return next_working_day(due) if next_working_day is not None else due


def periods_from(first: Period, last: Period) -> Iterator[Period]:
    """``first`` and each later period of its kind up to ``last`` inclusive (nothing when ``last`` is earlier)."""
    if first.kind is not last.kind:
        raise PeriodError("periods of different kinds")
    period = first
    while period <= last:
        yield period
        period = period.next()


def first_of_kind_from(period: Period, kind: PeriodKind) -> Period:
    """The period of ``kind`` that contains the start of ``period`` (``2026-Q3`` as a half-year is ``2026-S2``)."""
    return Period.containing(period.start, kind)
