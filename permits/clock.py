"""The statutory deadline clock: pure arithmetic on working days, no database and no Flask.

The agency's clock runs only while it holds the file (submitted, under review) and stops while the file is
back with the investor (returned for revision), whose own revision time is counted apart against the permit
type's limit. Working days follow the convention of ``permits.calendar``: day 1 is the first working day after
the day the clock (re)starts.

A permit is *at risk* once it has used the at-risk share (a setting, 75% by default) of its statutory working
days, and *overdue* once it has used more than all of them. ``due_on`` is the last working day within the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l

from app.enums import LabelledEnum
from permits.calendar import WorkingCalendar
from permits.models import PermitStatus
from permits.stages import CLOCK_RUNNING, HOLDER, Holder

# PP 28/2025 took effect on 5 June 2025; applications already under way stayed under PP 5/2021 (Pasal 547).
PP28_IN_FORCE = date(2025, 6, 5)
PP28 = "PP 28/2025"
PP5 = "PP 5/2021"


def regulation_for(first_submitted: date) -> str:
    """The regulation a deadline is computed under, from the day the file first reached the agency."""
    return PP5 if first_submitted < PP28_IN_FORCE else PP28


class Band(LabelledEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    STOPPED = "stopped"  # the file is with the investor: the agency clock is stopped
    IDLE = "idle"  # not filed yet, or decided: no clock

    @classmethod
    def _labels(cls) -> dict:
        return {
            "on_track": _l("On track"),
            "at_risk": _l("At risk"),
            "overdue": _l("Overdue"),
            "stopped": _l("Clock stopped (with the investor)"),
            "idle": _l("No clock"),
        }

    @property
    def css(self) -> str:
        return {"on_track": "success", "at_risk": "warning", "overdue": "danger", "stopped": "info"}.get(
            self.value, "secondary"
        )


@dataclass(frozen=True)
class ClockFields:
    """The clock columns of a permit; ``step`` turns one into the next."""

    regulation: str | None = None
    agency_days_banked: int = 0
    running_since: date | None = None
    investor_days_banked: int = 0
    investor_since: date | None = None
    clock_stops: int = 0
    due_on: date | None = None
    at_risk_on: date | None = None
    overdue_on: date | None = None
    investor_due_on: date | None = None
    investor_overdue_on: date | None = None
    investor_silent_on: date | None = None


@dataclass(frozen=True)
class Limits:
    sla_working_days: int
    applicant_fix_working_days: int | None
    at_risk_share: Decimal
    silence_withdrawal_days: int | None = None


def deadlines(running_since: date, banked: int, limits: Limits, cal: WorkingCalendar) -> tuple[date, date, date]:
    """(due_on, at_risk_on, overdue_on) for a clock running since ``running_since`` with ``banked`` days used.

    A threshold already passed before the clock resumed falls on ``running_since`` itself. Each distinct
    number of working days is counted once (the at-risk day may be the due day). Raises ``CalendarRangeError``
    past the calendar's last year.
    """
    sla = limits.sla_working_days
    at_risk_days = math.ceil(limits.at_risk_share * sla)

    @cache
    def after(days: int) -> date:
        return cal.add_working_days(running_since, days)

    def nth(n: int) -> date:
        return after(max(n - banked, 0))

    return nth(sla), nth(at_risk_days), nth(sla + 1)


def refresh_thresholds(f: ClockFields, limits: Limits, cal: WorkingCalendar) -> ClockFields:
    """The stored threshold dates of a clock, from its running or revision interval and the limits now in force.

    Agency: ``due_on``, ``at_risk_on``, ``overdue_on`` while the agency holds the file. Investor, while it
    revises: ``investor_due_on`` (last working day of the revision window), ``investor_overdue_on`` (first
    working day past it) and ``investor_silent_on`` (first calendar day past the silence limit, after which
    the file may be deemed withdrawn).
    """
    if f.running_since is not None:
        due, at_risk, overdue = deadlines(f.running_since, f.agency_days_banked, limits, cal)
        f = replace(f, due_on=due, at_risk_on=at_risk, overdue_on=overdue)
    else:
        f = replace(f, due_on=None, at_risk_on=None, overdue_on=None)
    since, fix, silence = f.investor_since, limits.applicant_fix_working_days, limits.silence_withdrawal_days
    return replace(
        f,
        investor_due_on=cal.add_working_days(since, fix) if since and fix is not None else None,
        investor_overdue_on=cal.add_working_days(since, fix + 1) if since and fix is not None else None,
        investor_silent_on=since + timedelta(days=silence + 1) if since and silence is not None else None,
    )


@dataclass(frozen=True)
class ClockState:
    """What an officer or investor needs to see about a permit's clock on a given day."""

    status: PermitStatus
    holder: Holder
    band: Band
    sla_working_days: int
    agency_days_used: int
    agency_days_left: int  # negative when overdue
    days_overdue: int
    due_on: date | None
    investor_days_used: int
    investor_round_days_used: int
    investor_limit: int | None
    investor_due_on: date | None
    investor_overdue: bool
    regulation: str | None
    clock_stops: int

    @property
    def running(self) -> bool:
        return self.status in CLOCK_RUNNING


def clock_state(
    status: PermitStatus, fields: ClockFields, limits: Limits, today: date, cal: WorkingCalendar
) -> ClockState:
    """The clock of a permit in ``status`` with ``fields``, as it stands at the end of ``today``.

    Counts the open agency interval (while ``status`` runs the clock) and the open revision round (while it is
    "returned") up to ``today``. Pure. Raises ``CalendarRangeError`` for a date the calendar does not cover.
    """
    used = fields.agency_days_banked
    if fields.running_since is not None and status in CLOCK_RUNNING:
        used += cal.working_days_between(fields.running_since, today)
    round_used = 0
    if fields.investor_since is not None and status is PermitStatus.RETURNED:
        round_used = cal.working_days_between(fields.investor_since, today)
    return _state(status, fields, limits, used, round_used)


@dataclass(frozen=True)
class ClockStep:
    """One move of the clock: the new clock columns, and the clock as it stands at the end of the move's day."""

    fields: ClockFields
    state: ClockState


def step(
    fields: ClockFields,
    source: PermitStatus | None,
    target: PermitStatus,
    on: date,
    limits: Limits,
    cal: WorkingCalendar,
) -> ClockStep:
    """The clock after a move from ``source`` to ``target`` effective on ``on``, and its state at the end of ``on``.

    The rule: a move out of a running status banks the agency's working days since ``running_since``; a move
    into one from a stopped status restarts the clock on ``on`` (and fixes the regulation the first time). A
    move out of "returned" banks the investor's revision days since ``investor_since``; a move into it opens a
    revision round on ``on`` and counts one clock stop. The threshold dates then follow ``refresh_thresholds``.
    The state equals ``clock_state(target, new_fields, limits, on, cal)``, but each interval is counted once:
    the agency has used its banked days plus the interval that ran until ``on``, and a revision round still
    open on ``on`` opened that day, so it has used none.

    Pure: no database and no Flask; nothing is mutated. Raises ``CalendarRangeError`` for a date the calendar
    does not cover.
    """
    f = fields
    was_running = source in CLOCK_RUNNING
    runs = target in CLOCK_RUNNING
    agency_elapsed = 0
    if was_running and f.running_since is not None:
        agency_elapsed = cal.working_days_between(f.running_since, on)
        if not runs:
            f = replace(f, agency_days_banked=f.agency_days_banked + agency_elapsed, running_since=None)
    if runs and not was_running:
        f = replace(f, running_since=on, regulation=f.regulation or regulation_for(on))
    if source is PermitStatus.RETURNED and f.investor_since is not None:
        f = replace(
            f,
            investor_days_banked=f.investor_days_banked + cal.working_days_between(f.investor_since, on),
            investor_since=None,
        )
    if target is PermitStatus.RETURNED:
        f = replace(f, investor_since=on, clock_stops=f.clock_stops + 1)
    f = refresh_thresholds(f, limits, cal)
    return ClockStep(f, _state(target, f, limits, fields.agency_days_banked + agency_elapsed, round_used=0))


def _state(status: PermitStatus, fields: ClockFields, limits: Limits, used: int, round_used: int) -> ClockState:
    """The clock of a permit in ``status`` whose agency has used ``used`` working days and whose investor has
    used ``round_used`` in the current revision round: the band follows the at-risk share and the limit."""
    sla = limits.sla_working_days
    if status in CLOCK_RUNNING:
        if used > sla:
            band = Band.OVERDUE
        elif used >= math.ceil(limits.at_risk_share * sla):
            band = Band.AT_RISK
        else:
            band = Band.ON_TRACK
    elif status is PermitStatus.RETURNED:
        band = Band.STOPPED
    else:
        band = Band.IDLE
    fix = limits.applicant_fix_working_days
    return ClockState(
        status=status,
        holder=HOLDER[status],
        band=band,
        sla_working_days=sla,
        agency_days_used=used,
        agency_days_left=sla - used,
        days_overdue=max(used - sla, 0) if band is Band.OVERDUE else 0,
        due_on=fields.due_on if status in CLOCK_RUNNING else None,
        investor_days_used=fields.investor_days_banked + round_used,
        investor_round_days_used=round_used,
        investor_limit=fix,
        investor_due_on=fields.investor_due_on if status is PermitStatus.RETURNED else None,
        investor_overdue=bool(status is PermitStatus.RETURNED and fix is not None and round_used > fix),
        regulation=fields.regulation,
        clock_stops=fields.clock_stops,
    )
