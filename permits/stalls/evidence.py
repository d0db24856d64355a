"""The evidence of a permit's clock, fit to print and to check later: what the law says, what happened, and
how every working day was counted.

``build_evidence(permit, as_of)`` gathers the facts: the permit, its statutory limit and legal basis, the
regulation its deadline is computed under, every event, the working days counted interval by interval with the
non-working dates skipped inside each (and why: weekend, national holiday, cuti bersama, administrator
closure), the total, the due date and the working days past the limit as of ``as_of``. ``Evidence.canonical``
is those facts as canonical JSON (sorted keys, no spaces, UTF-8), ``Evidence.fingerprint`` its SHA-256: the
page shows exactly these facts, so a printed copy can be checked by recomputing the hash of the JSON download.

The facts hold no interface text (codes, ISO dates, names as recorded), so the fingerprint is the same in
every language and on every database engine. Evidence "as of" a past day leaves out the events recorded after
that day (WIB), so a copy printed then can still be checked after the permit has moved on; any change to an
event it covered changes the fingerprint. Nothing here writes.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import holidays
from sqlalchemy import select

from app.extensions import db
from app.timezone import WIB
from permits.calendar import WorkingCalendar, cuti_bersama_non_working, site_calendar
from permits.clock import deadlines
from permits.models import CalendarOverride, CalendarOverrideKind, Permit, PermitEvent, PermitStatus
from permits.stages import CLOCK_RUNNING, Holder
from permits.workflow import limits_for, rebuild_from_events

EVIDENCE_FORMAT = "pantau-evidence/1"
_NOT_COUNTED = frozenset({"false", "0", "no", "off"})


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


@dataclass(frozen=True)
class Interval:
    """Days the file spent with one holder: the agency (its clock runs) or the investor (revising).

    Working days are those d with start < d <= end (day 1 is the first working day after the start).
    """

    holder: Holder
    start: date
    end: date
    ongoing: bool  # still running on the as-of day, which is then its end
    working_days: int
    skipped: tuple[SkippedDay, ...]

    @property
    def weekend_days(self) -> list[date]:
        return [s.day for s in self.skipped if s.reason is SkipReason.WEEKEND]

    @property
    def weekends_by_month(self) -> list[tuple[date, list[int]]]:
        """The weekend days as (first of the month, [days of the month]), for a compact listing."""
        months: dict[date, list[int]] = {}
        for day in self.weekend_days:
            months.setdefault(day.replace(day=1), []).append(day.day)
        return list(months.items())

    @property
    def other_skipped(self) -> list[SkippedDay]:
        return [s for s in self.skipped if s.reason is not SkipReason.WEEKEND]

    def facts(self) -> dict:
        return {
            "holder": self.holder.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "ongoing": self.ongoing,
            "working_days": self.working_days,
            "skipped": [s.facts() for s in self.skipped],
        }


@dataclass(frozen=True)
class EventFact:
    seq: int
    effective_on: date
    recorded_at: datetime  # in WIB, to the second
    actor: str
    from_status: PermitStatus | None
    to_status: PermitStatus
    note: str | None
    agency_days_used: int
    sla_working_days: int

    def facts(self) -> dict:
        return {
            "seq": self.seq,
            "effective_on": self.effective_on.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "from_status": self.from_status.value if self.from_status else None,
            "to_status": self.to_status.value,
            "note": self.note,
            "agency_days_used": self.agency_days_used,
            "sla_working_days": self.sla_working_days,
        }


@dataclass(frozen=True)
class Evidence:
    as_of: date
    permit: Permit  # for the page's links; its facts are copied below
    status: PermitStatus  # as of the as-of day
    sla_working_days: int
    regulation: str | None
    cuti_bersama_counted: bool
    events: tuple[EventFact, ...]
    intervals: tuple[Interval, ...]
    agency_days_used: int
    due_on: date | None
    days_overdue: int

    @property
    def ptype(self):
        return self.permit.permit_type

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def running(self) -> bool:
        return self.status in CLOCK_RUNNING

    @property
    def deemed_granted_candidate(self) -> bool:
        """Overdue with the agency, where the permit type's legal basis gives an automatic outcome."""
        return self.running and self.overdue and bool(self.ptype.automatic_outcome_when_late)

    @property
    def agency_intervals(self) -> list[Interval]:
        return [i for i in self.intervals if i.holder is Holder.AGENCY]

    def facts(self) -> dict:
        """Every fact the evidence page shows, as JSON values (no interface text)."""
        permit, ptype = self.permit, self.ptype
        estate = permit.estate
        return {
            "format": EVIDENCE_FORMAT,
            "as_of": self.as_of.isoformat(),
            "permit": {
                "id": permit.id,
                "estate": estate.name,
                "investor": estate.investor.legal_name,
                "kab_kota": estate.region.name,
                "permit_type": ptype.code,
                "permit_type_name": ptype.name_id,
                "issuing_authority": permit.agency_name("id"),  # the agency record's Indonesian name
                "reference_number": permit.reference_number,
                "status": self.status.value,
            },
            "statute": {
                "sla_working_days": self.sla_working_days,
                "legal_basis": ptype.legal_basis,
                "confirmed": ptype.confirmed,
                "confirmation_note": ptype.confirmation_note,
                "automatic_outcome_when_late": ptype.automatic_outcome_when_late,
                "applicant_fix_working_days": ptype.applicant_fix_working_days,
                "silence_withdrawal_days": ptype.silence_withdrawal_days,
            },
            "regulation": self.regulation,
            "calendar": {"cuti_bersama_non_working": self.cuti_bersama_counted},
            "events": [e.facts() for e in self.events],
            "intervals": [i.facts() for i in self.intervals],
            "result": {
                "agency_working_days_used": self.agency_days_used,
                "due_on": self.due_on.isoformat() if self.due_on else None,
                "working_days_overdue": self.days_overdue,
                "deemed_granted_candidate": self.deemed_granted_candidate,
            },
        }

    @property
    def canonical(self) -> bytes:
        """The facts as canonical JSON: sorted keys, no insignificant spaces, UTF-8, no trailing newline."""
        text = json.dumps(self.facts(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")

    @property
    def fingerprint(self) -> str:
        """SHA-256 of ``canonical``, in hex: what ``sha256sum`` prints for the JSON download."""
        return hashlib.sha256(self.canonical).hexdigest()


def build_evidence(permit: Permit, as_of: date) -> Evidence:
    """The evidence of ``permit``'s clock at the end of ``as_of`` (a WIB calendar day).

    Uses the events recorded on or before ``as_of`` (WIB) and today's calendar (closures included) and
    catalogue: the working days are counted again from the events, not copied from the stored clock.
    Raises ``CalendarRangeError`` for a date the holidays package does not cover.
    """
    counted = cuti_bersama_non_working()
    cal = site_calendar(counted)
    rows = db.session.scalars(
        select(PermitEvent).where(PermitEvent.permit_id == permit.id).order_by(PermitEvent.seq)
    ).all()
    rows = [e for e in rows if e.recorded_at.astimezone(WIB).date() <= as_of]
    status, fields = rebuild_from_events(permit, rows, cal)
    limits = limits_for(permit.permit_type)
    intervals = _intervals(rows, status, as_of, cal, counted)
    agency = [i for i in intervals if i.holder is Holder.AGENCY]
    due_on = None
    if agency:
        banked_before_last = sum(i.working_days for i in agency[:-1])
        due_on = deadlines(agency[-1].start, banked_before_last, limits, cal)[0]
    used = sum(i.working_days for i in agency)
    return Evidence(
        as_of=as_of,
        permit=permit,
        status=status,
        sla_working_days=limits.sla_working_days,
        regulation=fields.regulation,
        cuti_bersama_counted=counted,
        events=tuple(_event_fact(e) for e in rows),
        intervals=tuple(intervals),
        agency_days_used=used,
        due_on=due_on,
        days_overdue=max(used - limits.sla_working_days, 0),
    )


def _event_fact(event: PermitEvent) -> EventFact:
    return EventFact(
        seq=event.seq,
        effective_on=event.effective_on,
        recorded_at=event.recorded_at.astimezone(WIB).replace(microsecond=0),
        actor=event.actor,
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
        agency_days_used=event.agency_days_used,
        sla_working_days=event.sla_working_days,
    )


def _intervals(
    events: list[PermitEvent], status: PermitStatus, as_of: date, cal: WorkingCalendar, cuti_counted: bool
) -> list[Interval]:
    """The agency and investor intervals the events imply, the open one ending on ``as_of``.

    Follows ``permits.clock.step``: the agency clock runs from a move into a running status until a move
    out of one; the investor's revision runs from a return until the next move.
    """
    spans: list[tuple[Holder, date, date, bool]] = []
    agency_since: date | None = None
    investor_since: date | None = None
    for event in events:
        if event.from_status is None:
            continue
        was_running, runs = event.from_status in CLOCK_RUNNING, event.to_status in CLOCK_RUNNING
        if was_running and not runs and agency_since is not None:
            spans.append((Holder.AGENCY, agency_since, event.effective_on, False))
            agency_since = None
        if runs and not was_running:
            agency_since = event.effective_on
        if event.from_status is PermitStatus.RETURNED and investor_since is not None:
            spans.append((Holder.INVESTOR, investor_since, event.effective_on, False))
            investor_since = None
        if event.to_status is PermitStatus.RETURNED:
            investor_since = event.effective_on
    if agency_since is not None and status in CLOCK_RUNNING:
        spans.append((Holder.AGENCY, agency_since, max(as_of, agency_since), True))
    if investor_since is not None and status is PermitStatus.RETURNED:
        spans.append((Holder.INVESTOR, investor_since, max(as_of, investor_since), True))
    spans.sort(key=lambda s: (s[1], s[2]))
    closures = _closures(spans)
    return [
        Interval(
            holder,
            start,
            end,
            ongoing,
            cal.working_days_between(start, end),
            _skipped(start, end, cal, closures, cuti_counted),
        )
        for holder, start, end, ongoing in spans
    ]


def _closures(spans: list[tuple[Holder, date, date, bool]]) -> dict[date, str]:
    """The administrator's closed dates within the spans, with their reasons (one query)."""
    if not spans:
        return {}
    first, last = min(s[1] for s in spans), max(s[2] for s in spans)
    query = select(CalendarOverride.day, CalendarOverride.reason).where(
        CalendarOverride.kind == CalendarOverrideKind.CLOSED,
        CalendarOverride.day > first,
        CalendarOverride.day <= last,
    )
    return dict(db.session.execute(query).all())


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
