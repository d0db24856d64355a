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

import hashlib
import json
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.timezone import WIB, today_wib
from permits.calendar import CalendarRangeError, WorkingCalendar, cuti_bersama_non_working, site_calendar
from permits.clock import deadlines
from permits.models import CalendarOverride, CalendarOverrideKind, Permit, PermitEvent, PermitStatus
from permits.rules import ClockStart, PermitRule
from permits.stages import REVISING, Holder, Stage, clock_runs, holder, stage_of
from permits.stalls.skipped import SkippedDay, SkipReason, _skipped
from permits.workflow import limits_of, rebuild_from_events, rule_of

EVIDENCE_FORMAT = "pantau-evidence/2"  # 2: the regime, its rule, sub-stages and lateness


@dataclass(frozen=True)
class Interval:
    """Days the file spent with one holder: the agency (its clock runs) or the investor (revising).

    Working days are those d with start < d <= end (day 1 is the first working day after the start).
    """

    holder: Holder
    stage: Stage | None  # the sub-stage the law counts these days in
    status: PermitStatus
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
            "stage": self.stage.value if self.stage else None,
            "status": self.status.value,
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


STAGE_LABELS = {
    Stage.CHECK: _l("Administrative check"),
    Stage.REVIEW: _l("Substantive review"),
    Stage.DECISION: _l("Recommendation to decree"),
    Stage.FIX: _l("Applicant's administrative fix"),
    Stage.REVISION: _l("Applicant's substantive revision"),
    Stage.STOPPED: _l("Process stopped"),
}


@dataclass(frozen=True)
class StageUsage:
    """The working days one sub-stage used against its own limit (None: the law sets none for this type)."""

    stage: Stage
    limit: int | None
    used: int

    @property
    def late(self) -> int:
        return max(self.used - self.limit, 0) if self.limit is not None else 0

    def facts(self) -> dict:
        return {"stage": self.stage.value, "limit": self.limit, "used": self.used, "late": self.late}


@dataclass(frozen=True)
class Evidence:
    as_of: date
    permit: Permit  # for the page's links; its facts are copied below
    status: PermitStatus  # as of the as-of day
    rule: PermitRule
    cuti_bersama_counted: bool
    events: tuple[EventFact, ...]
    intervals: tuple[Interval, ...]
    agency_days_used: int
    due_on: date | None
    days_late: int  # past the limit, kept after the agency decided or returned the file
    stages: tuple[StageUsage, ...]

    @property
    def ptype(self):
        return self.permit.permit_type

    @property
    def sla_working_days(self) -> int:
        return self.rule.sla_working_days

    @property
    def regime(self) -> str:
        return self.rule.regime.name

    @property
    def overdue(self) -> bool:
        return self.running and self.days_late > 0

    @property
    def running(self) -> bool:
        return clock_runs(self.status, self.rule.clock_starts_at)

    @property
    def silence_outcome_due(self) -> bool:
        """Overdue with the agency where the law decides for it (a confirmed limit with an automatic outcome)."""
        return self.overdue and self.rule.flags_silence

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
                "regime": self.regime,
                "sla_working_days": self.sla_working_days,
                "clock_starts_at": self.rule.clock_starts_at.value,
                "legal_basis": self.rule.legal_basis,
                "confirmed": self.rule.confirmed,
                "agency_silence": self.rule.agency_silence.value,
                "applicant_silence": self.rule.applicant_silence.value,
                "applicant_silence_days": self.rule.applicant_silence_days,
                "fix_working_days": self.rule.fix_working_days,
                "revision_working_days": self.rule.revision_working_days,
                "max_revision_rounds": self.rule.max_revision_rounds,
            },
            "calendar": {"cuti_bersama_non_working": self.cuti_bersama_counted},
            "events": [e.facts() for e in self.events],
            "intervals": [i.facts() for i in self.intervals],
            "result": {
                "agency_working_days_used": self.agency_days_used,
                "due_on": self.due_on.isoformat() if self.due_on else None,
                "working_days_late": self.days_late,
                "silence_outcome_due": self.silence_outcome_due,
                "stages": [s.facts() for s in self.stages],
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
    status, _fields = rebuild_from_events(permit, rows, cal)
    rule = rule_of(permit, as_of)
    limits = limits_of(rule)
    intervals = _intervals(rows, status, as_of, cal, counted, rule.clock_starts_at)
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
        rule=rule,
        cuti_bersama_counted=counted,
        events=tuple(_event_fact(e) for e in rows),
        intervals=tuple(intervals),
        agency_days_used=used,
        due_on=due_on,
        days_late=max(used - rule.sla_working_days, 0),
        stages=_stage_usage(intervals, rule),
    )


def _stage_usage(intervals: list[Interval], rule: PermitRule) -> tuple[StageUsage, ...]:
    """Working days per sub-stage the law counts, with its limit from the rule, in the order of the law."""
    used: dict[Stage, int] = {}
    for interval in intervals:
        if interval.stage is not None:
            used[interval.stage] = used.get(interval.stage, 0) + interval.working_days
    return _usage(used, rule)


def _usage(used: dict[Stage, int], rule: PermitRule) -> tuple[StageUsage, ...]:
    limits = {
        Stage.CHECK: rule.check_working_days,
        Stage.REVIEW: rule.review_working_days,
        Stage.DECISION: rule.decision_working_days,
        Stage.FIX: rule.fix_working_days,
        Stage.REVISION: rule.revision_working_days,
        Stage.STOPPED: None,
    }
    return tuple(
        StageUsage(stage, limit, used.get(stage, 0))
        for stage, limit in limits.items()
        if stage in used or limit is not None
    )


def stage_usage(
    permit: Permit, events: Sequence[PermitEvent], as_of: date, rule: PermitRule | None = None
) -> tuple[StageUsage, ...]:
    """``build_evidence(permit, as_of).stages`` from the permit's events, already read (the permit page shows
    them too), without what only the evidence shows: the skipped days with the closures' reasons (a query) and
    the clock replayed from the events. ``rule``: the permit's rule when the caller has it (the permit page's,
    from the kept catalogue), else ``rule_of``."""
    cal = site_calendar(cuti_bersama_non_working())
    rows = [e for e in events if e.recorded_at.astimezone(WIB).date() <= as_of]
    rule = rule or rule_of(permit, as_of)
    used: dict[Stage, int] = {}
    for _who, status, start, end, _ongoing in _spans(rows, as_of, rule.clock_starts_at):
        if (stage := stage_of(status, rule.clock_starts_at)) is not None:
            used[stage] = used.get(stage, 0) + cal.working_days_between(start, end)
    return _usage(used, rule)


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
    events: list[PermitEvent],
    status: PermitStatus,
    as_of: date,
    cal: WorkingCalendar,
    cuti_counted: bool,
    start: ClockStart,
) -> list[Interval]:
    """The days between moves, each with who held the file and the sub-stage the law counts them in, the last
    one ending on ``as_of``. Only the agency's and the counted investor's time appear (as ``permits.clock``
    counts them); working days are additive over consecutive intervals.
    """
    kept = _spans(events, as_of, start)
    closures = _closures([(h, a, b, o) for h, _s, a, b, o in kept])
    return [
        Interval(
            who,
            stage_of(s, start),
            s,
            a,
            b,
            ongoing and s is status,
            cal.working_days_between(a, b),
            _skipped(a, b, cal, closures, cuti_counted),
        )
        for who, s, a, b, ongoing in kept
    ]


def _spans(
    events: Sequence[PermitEvent], as_of: date, start: ClockStart
) -> list[tuple[Holder, PermitStatus, date, date, bool]]:
    """The spans between moves that the clock counts: (holder, status, start, end, ongoing)."""
    spans: list[tuple[PermitStatus, date, date, bool]] = []
    moves = [e for e in events if e.from_status is not None]
    for event, following in zip(moves, [*moves[1:], None][: len(moves)], strict=True):
        end = following.effective_on if following else max(as_of, event.effective_on)
        if following is None or end > event.effective_on:  # two moves on one day leave no interval between
            spans.append((event.to_status, event.effective_on, end, following is None))
    return [
        (holder(s, start), s, a, b, ongoing)
        for s, a, b, ongoing in spans
        if clock_runs(s, start)
        or s in REVISING
        or (s is PermitStatus.SUBMITTED and start is ClockStart.DECLARED_COMPLETE)
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


def evidence_for(permit: Permit, target: PermitStatus, on: date | None) -> str | None:
    """A deemed grant cites the evidence of the clock as of its day: the fingerprint goes into the event."""
    if target is not PermitStatus.DEEMED_GRANTED:
        return None
    with suppress(CalendarRangeError):
        return build_evidence(permit, on or today_wib()).fingerprint
    return None
