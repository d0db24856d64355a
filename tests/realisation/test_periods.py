"""Period arithmetic: quarters and half-years, their bounds, order, and the report deadlines (working days too)."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Setting
from permits.admin.closures import add_closure
from realisation.periods import Period, PeriodError, PeriodKind, periods_from
from realisation.rules import reporting_rules

Q, S, Y = PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026-Q2", Period(2026, Q, 2)),
        (" 2026-q4 ", Period(2026, Q, 4)),
        ("2026-S1", Period(2026, S, 1)),
        ("2025-H1", Period(2025, S, 1)),  # the province's releases write half-years so
        ("2026 / S2", Period(2026, S, 2)),
    ],
)
def test_periods_are_read_as_officers_and_files_write_them(text, period):
    assert Period.parse(text) == period


@pytest.mark.parametrize(
    "text", ["", "2026", "2026-Q5", "2026-Q0", "2026-S3", "26-Q1", "2026-M1", "1999-Q1", "Q2-2026"]
)
def test_a_period_that_is_not_a_quarter_or_half_year_is_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_year_is_a_period_only_where_it_is_asked_for():
    assert Period.parse("2025", kinds=(Y, S, Q)) == Period(2025, Y, 1)
    assert str(Period(2025, Y, 1)) == "2025"


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Period(2026, Q, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (Period(2026, Q, 2), date(2026, 4, 1), date(2026, 6, 30)),
        (Period(2026, Q, 3), date(2026, 7, 1), date(2026, 9, 30)),
        (Period(2026, Q, 4), date(2026, 10, 1), date(2026, 12, 31)),
        (Period(2026, S, 1), date(2026, 1, 1), date(2026, 6, 30)),
        (Period(2026, S, 2), date(2026, 7, 1), date(2026, 12, 31)),
        (Period(2028, Y, 1), date(2028, 1, 1), date(2028, 12, 31)),
    ],
)
def test_each_period_runs_from_its_first_to_its_last_day(period, start, end):
    assert (period.start, period.end) == (start, end)


def test_periods_follow_each_other_across_years():
    assert Period(2026, Q, 4).next() == Period(2027, Q, 1)
    assert Period(2027, Q, 1).previous() == Period(2026, Q, 4)
    assert Period(2026, S, 2).next() == Period(2027, S, 1)
    assert Period(2027, S, 1).previous() == Period(2026, S, 2)
    assert [str(p) for p in periods_from(Period(2026, Q, 3), Period(2027, Q, 2))] == [
        "2026-Q3",
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
    ]
    assert list(periods_from(Period(2027, Q, 1), Period(2026, Q, 4))) == []


def test_the_period_containing_a_day():
    assert Period.containing(date(2026, 8, 3), Q) == Period(2026, Q, 3)
    assert Period.containing(date(2026, 8, 3), S) == Period(2026, S, 2)
    assert Period.containing(date(2026, 6, 30), S) == Period(2026, S, 1)
    assert Period.containing(date(2026, 7, 1), Q) == Period(2026, Q, 3)


def test_containing_and_overlapping():
    half = Period(2026, S, 1)
    assert half.contains(Period(2026, Q, 2)) and not half.contains(Period(2026, Q, 3))
    assert Period(2026, Y, 1).contains(half)
    assert half.overlaps(Period(2026, Q, 1)) and not half.overlaps(Period(2026, Q, 3))
    assert Period(2026, Q, 2).overlaps(half) and not Period(2026, Q, 2).contains(half)


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (Period(2026, Q, 1), date(2026, 4, 15)),
        (Period(2026, Q, 2), date(2026, 7, 15)),
        (Period(2026, Q, 3), date(2026, 10, 15)),
        (Period(2026, Q, 4), date(2027, 1, 15)),  # the year's last quarter is due the next year
        (Period(2026, S, 1), date(2026, 7, 15)),  # half-years: 15 July and 15 January
        (Period(2026, S, 2), date(2027, 1, 15)),
    ],
)
def test_a_report_is_due_on_the_15th_of_the_month_after_its_period(period, due):
    assert period.due_on(15) == due
    assert reporting_rules().due_on(period) == due  # the seeded setting says 15, and each of these is a working day


def test_the_deadline_day_is_a_setting():
    db.session.get(Setting, "lkpm.deadline_day").value = "10"  # the rule before October 2025
    assert reporting_rules().due_on(Period(2026, Q, 2)) == date(2026, 7, 10)


def test_a_deadline_on_a_weekend_moves_to_the_next_working_day_unless_the_setting_says_not():
    # 15 January 2028 is a Saturday.
    assert reporting_rules().due_on(Period(2027, Q, 4)) == date(2028, 1, 17)
    db.session.get(Setting, "lkpm.deadline_next_working_day").value = "false"
    assert reporting_rules().due_on(Period(2027, Q, 4)) == date(2028, 1, 15)


def test_a_deadline_on_a_closure_date_moves_past_it():
    assert reporting_rules().due_on(Period(2026, Q, 3)) == date(2026, 10, 15)
    add_closure(date(2026, 10, 15), "closed", "Hari libur daerah", "Admin")  # a Thursday made non-working
    db.session.flush()
    assert reporting_rules().due_on(Period(2026, Q, 3)) == date(2026, 10, 16)


def test_an_unreadable_setting_falls_back_to_the_default():
    db.session.get(Setting, "lkpm.deadline_day").value = "lima belas"
    assert reporting_rules().deadline_day == 15
