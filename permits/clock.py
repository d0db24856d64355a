"""The statutory deadline clock: pure arithmetic on working days, no database and no Flask.

The agency's clock runs only while it holds the file (``permits.stages.clock_runs``: checking, assessing,
testing, recommending) and stops while the file is with the investor, whose own time is counted apart against
the window of what it was asked (an administrative fix, a substantive revision). Working days follow the
convention of ``permits.calendar``: day 1 is the first working day after the day the clock (re)starts.

A permit is *at risk* once it has used the at-risk share (a setting, 75% by default) of its statutory working
days, and *overdue* once it has used more than all of them. ``due_on`` is the last working day within the limit.
Lateness is kept after the file leaves the agency: a decided or returned permit still shows how many working
days late the agency was.
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
from permits.rules import ApplicantSilence, ClockStart
from permits.stages import ASKED, REVISING, Holder, clock_runs, holder


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

    agency_days_banked: int = 0
    running_since: date | None = None
    investor_days_banked: int = 0
    investor_since: date | None = None
    clock_stops: int = 0
    revision_rounds: int = 0
    due_on: date | None = None
    at_risk_on: date | None = None
    overdue_on: date | None = None
    investor_due_on: date | None = None
    investor_overdue_on: date | None = None
    investor_silent_on: date | None = None


@dataclass(frozen=True)
class Limits:
    """A permit type's rule under the permit's regime, as the clock needs it (``permits.rules.PermitRule``)."""

    sla_working_days: int
    at_risk_share: Decimal
    fix_working_days: int | None = None
    revision_working_days: int | None = None
    clock_starts_at: ClockStart = ClockStart.SUBMITTED
    applicant_silence: ApplicantSilence = ApplicantSilence.NONE
    applicant_silence_days: int | None = None
    confirmed: bool = True

    def window(self, status: PermitStatus) -> int | None:
        """The investor's working days for what it was asked in ``status`` (None: no window)."""
        if status is PermitStatus.RETURNED:
            return self.fix_working_days
        if status is PermitStatus.REVISION:
            return self.revision_working_days
        return None

    def silence_days(self, status: PermitStatus) -> int | None:
        """Calendar days the investor may stay silent in ``status`` before the law's outcome applies."""
        if self.applicant_silence is ApplicantSilence.REJECTED_AFTER_STOP and status is PermitStatus.PROCESS_STOPPED:
            return self.applicant_silence_days
        if self.applicant_silence is ApplicantSilence.DEEMED_WITHDRAWN and status is PermitStatus.SUBMITTED:
            return self.applicant_silence_days if self.clock_starts_at is ClockStart.DECLARED_COMPLETE else None
        return None


def investor_counts(status: PermitStatus, limits: Limits) -> bool:
    """Whether the investor's time is being counted in ``status`` (a revision, a stop, a fee awaited)."""
    return status in REVISING or limits.silence_days(status) is not None


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


def refresh_thresholds(f: ClockFields, status: PermitStatus, limits: Limits, cal: WorkingCalendar) -> ClockFields:
    """The stored threshold dates of a clock in ``status``, from its running or investor interval and the limits.

    Agency: ``due_on``, ``at_risk_on``, ``overdue_on`` while the agency holds the file. Investor: while it fixes
    or revises, ``investor_due_on`` (last working day of its window) and ``investor_overdue_on`` (first working
    day past it); while the law counts its silence (a stopped AMDAL, a KKPR fee awaited), ``investor_silent_on``
    (the first calendar day past the limit, from which the law's outcome applies).
    """
    if f.running_since is not None:
        due, at_risk, overdue = deadlines(f.running_since, f.agency_days_banked, limits, cal)
        f = replace(f, due_on=due, at_risk_on=at_risk, overdue_on=overdue)
    else:
        f = replace(f, due_on=None, at_risk_on=None, overdue_on=None)
    since, window, silence = f.investor_since, limits.window(status), limits.silence_days(status)
    return replace(
        f,
        investor_due_on=cal.add_working_days(since, window) if since and window is not None else None,
        investor_overdue_on=cal.add_working_days(since, window + 1) if since and window is not None else None,
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
    days_overdue: int  # while the agency holds the file
    days_late: int  # how late the agency was (or is), kept after it decided or returned the file
    due_on: date | None
    investor_days_used: int
    investor_round_days_used: int
    investor_limit: int | None
    investor_due_on: date | None
    investor_overdue: bool
    investor_silent_on: date | None
    clock_stops: int
    revision_rounds: int
    confirmed: bool

    @property
    def running(self) -> bool:
        return self.holder is Holder.AGENCY


def clock_state(
    status: PermitStatus, fields: ClockFields, limits: Limits, today: date, cal: WorkingCalendar
) -> ClockState:
    """The clock of a permit in ``status`` with ``fields``, as it stands at the end of ``today``.

    Counts the open agency interval (while the agency holds the file) and the open investor interval up to
    ``today``. Pure. Raises ``CalendarRangeError`` for a date the calendar does not cover.
    """
    used = fields.agency_days_banked
    if fields.running_since is not None and clock_runs(status, limits.clock_starts_at):
        used += cal.working_days_between(fields.running_since, today)
    round_used = 0
    if fields.investor_since is not None and investor_counts(status, limits):
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

    The rule: a move out of a status where the agency's clock runs banks its working days since
    ``running_since``; a move into one from a stopped status restarts the clock on ``on``. A move out of a
    status where the investor's time counts banks the investor's days; a move into one opens an interval on
    ``on``; a return or a revision request counts one clock stop, a revision request one revision round. The
    threshold dates then follow ``refresh_thresholds``. Each interval is counted once.

    Pure: no database and no Flask; nothing is mutated. Raises ``CalendarRangeError`` for a date the calendar
    does not cover.
    """
    f = fields
    start = limits.clock_starts_at
    was_running = source is not None and clock_runs(source, start)
    runs = clock_runs(target, start)
    agency_elapsed = 0
    if was_running and f.running_since is not None:
        agency_elapsed = cal.working_days_between(f.running_since, on)
        if not runs:
            f = replace(f, agency_days_banked=f.agency_days_banked + agency_elapsed, running_since=None)
    if runs and not was_running:
        f = replace(f, running_since=on)
    if source is not None and investor_counts(source, limits) and f.investor_since is not None:
        f = replace(
            f,
            investor_days_banked=f.investor_days_banked + cal.working_days_between(f.investor_since, on),
            investor_since=None,
        )
    if investor_counts(target, limits):
        f = replace(f, investor_since=on)
    if target in ASKED:
        f = replace(f, clock_stops=f.clock_stops + 1)
    if target is PermitStatus.REVISION:
        f = replace(f, revision_rounds=f.revision_rounds + 1)
    f = refresh_thresholds(f, target, limits, cal)
    return ClockStep(f, _state(target, f, limits, fields.agency_days_banked + agency_elapsed, round_used=0))


def _state(status: PermitStatus, fields: ClockFields, limits: Limits, used: int, round_used: int) -> ClockState:
    """The clock of a permit in ``status`` whose agency has used ``used`` working days and whose investor has
    used ``round_used`` in its current interval: the band follows the at-risk share and the limit."""
    sla = limits.sla_working_days
    who = holder(status, limits.clock_starts_at)
    if who is Holder.AGENCY:
        if used > sla:
            band = Band.OVERDUE
        elif used >= math.ceil(limits.at_risk_share * sla):
            band = Band.AT_RISK
        else:
            band = Band.ON_TRACK
    elif status in REVISING:
        band = Band.STOPPED
    else:
        band = Band.IDLE
    window = limits.window(status)
    counting = investor_counts(status, limits)
    return ClockState(
        status=status,
        holder=who,
        band=band,
        sla_working_days=sla,
        agency_days_used=used,
        agency_days_left=sla - used,
        days_overdue=max(used - sla, 0) if band is Band.OVERDUE else 0,
        days_late=max(used - sla, 0),
        due_on=fields.due_on if who is Holder.AGENCY else None,
        investor_days_used=fields.investor_days_banked + round_used,
        investor_round_days_used=round_used,
        investor_limit=window,
        investor_due_on=fields.investor_due_on if counting else None,
        investor_overdue=bool(window is not None and round_used > window),
        investor_silent_on=fields.investor_silent_on if counting else None,
        clock_stops=fields.clock_stops,
        revision_rounds=fields.revision_rounds,
        confirmed=limits.confirmed,
    )
