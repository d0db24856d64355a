"""Who files an LKPM, how often, from which period, and by when: read from the settings an administrator edits.

- How often follows the investor (DOMAIN.md section 6): every PMA and every medium or large business quarterly;
  a small business half-yearly; a micro business does not file.
- Who is expected to file: an investor with a NIB (reports are filed in OSS under it), from the later of the
  setting ``lkpm.first_period`` (the first period Pantau checks) and the period in which its NIB was issued,
  when Pantau holds the NIB permit.
- By when: ``lkpm.deadline_day`` of the month after the period (15, UNCONFIRMED); when that day is not a working
  day and ``lkpm.deadline_next_working_day`` says so (UNCONFIRMED, default yes), the next working day.
- A sanction risk: ``lkpm.sanction_missed_periods`` periods in a row missing (2 under PerBKPM 5/2021 Pasal 47;
  the rule under PerBKPM 5/2025 is UNCONFIRMED).

A setting that is missing or unreadable gives the default here, with a warning in the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.settings import setting_value
from estates.models import BusinessSize, CapitalStatus, Estate, Investor
from permits.calendar import CalendarRangeError, add_working_days
from permits.models import Permit, PermitStatus, PermitType
from realisation.periods import Period, PeriodError, PeriodKind

log = logging.getLogger(__name__)

DEADLINE_DAY_SETTING = "lkpm.deadline_day"
NEXT_WORKING_DAY_SETTING = "lkpm.deadline_next_working_day"
SANCTION_SETTING = "lkpm.sanction_missed_periods"
FIRST_PERIOD_SETTING = "lkpm.first_period"
SETTING_KEYS = (DEADLINE_DAY_SETTING, NEXT_WORKING_DAY_SETTING, SANCTION_SETTING, FIRST_PERIOD_SETTING)
DEFAULT_FIRST_PERIOD = Period(2026, PeriodKind.QUARTER, 3)


@dataclass(frozen=True)
class ReportingRules:
    deadline_day: int = 15
    next_working_day: bool = True
    sanction_after: int = 2
    first_period: Period = DEFAULT_FIRST_PERIOD

    def due_on(self, period: Period) -> date:
        """The deadline of ``period``'s report (see the module's rules)."""
        return period.due_on(self.deadline_day, _next_working_day if self.next_working_day else None)


def _next_working_day(day: date) -> date:
    try:
        return add_working_days(day - timedelta(days=1), 1)
    except CalendarRangeError:  # a year the holiday calendar does not know: the day as it is
        return day


def _setting(key: str, parse, default):
    raw = setting_value(key)
    if raw is None:
        return default
    try:
        return parse(raw.strip())
    except (ValueError, PeriodError):
        log.warning("setting %s has an unreadable value %r; using %s", key, raw, default)
        return default


def _day_of_month(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 28:
        raise ValueError(text)
    return value


def _switch(text: str) -> bool:
    if text.lower() in ("true", "yes", "1"):
        return True
    if text.lower() in ("false", "no", "0"):
        return False
    raise ValueError(text)


def _periods_in_a_row(text: str) -> int:
    value = int(text)
    if not 2 <= value <= 12:
        raise ValueError(text)
    return value


def reporting_rules() -> ReportingRules:
    """The rules in force, from the settings."""
    return ReportingRules(
        deadline_day=_setting(DEADLINE_DAY_SETTING, _day_of_month, 15),
        next_working_day=_setting(NEXT_WORKING_DAY_SETTING, _switch, True),
        sanction_after=_setting(SANCTION_SETTING, _periods_in_a_row, 2),
        first_period=_setting(FIRST_PERIOD_SETTING, Period.parse, DEFAULT_FIRST_PERIOD),
    )


def period_kind_of(investor: Investor) -> PeriodKind | None:
    """How often the investor files: quarterly, half-yearly, or ``None`` (a micro business does not file)."""
    if investor.capital_status is CapitalStatus.PMA or investor.business_size is BusinessSize.MEDIUM_LARGE:
        return PeriodKind.QUARTER
    if investor.business_size is BusinessSize.SMALL:
        return PeriodKind.HALF
    return None


def nib_issued_on(investor_ids: list[int]) -> dict[int, date]:
    """When each investor's NIB was issued, where Pantau holds an issued NIB permit on one of its estates."""
    if not investor_ids:
        return {}
    query = (
        select(Estate.investor_id, func.min(Permit.decided_on))
        .join(Permit.estate)
        .join(Permit.permit_type)
        .where(
            Estate.investor_id.in_(investor_ids),
            PermitType.code == "NIB",
            Permit.status.in_((PermitStatus.ISSUED, PermitStatus.DEEMED_GRANTED)),
            Permit.decided_on.is_not(None),
        )
        .group_by(Estate.investor_id)
    )
    return {investor_id: day for investor_id, day in db.session.execute(query) if day is not None}


@dataclass(frozen=True)
class Obligation:
    """An investor's duty to file: the kind of period and the first period expected."""

    kind: PeriodKind
    first: Period

    def due_periods(self, rules: ReportingRules, as_of: date) -> list[Period]:
        """The expected periods whose deadline has passed by the end of the day before ``as_of``: a missing
        report is flagged the day after its deadline."""
        periods: list[Period] = []
        period = self.first
        while rules.due_on(period) < as_of:
            periods.append(period)
            period = period.next()
        return periods


def obligation_of(investor: Investor, rules: ReportingRules, nib_date: date | None) -> Obligation | None:
    """``None`` when the investor is not expected to file (no NIB recorded, or a micro business)."""
    kind = period_kind_of(investor)
    if kind is None or not investor.nib:
        return None
    first = Period.containing(rules.first_period.start, kind)
    if nib_date is not None:
        first = max(first, Period.containing(nib_date, kind))
    return Obligation(kind, first)
