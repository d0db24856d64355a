"""The single place a permit changes status: ``advance_permit``.

It checks the transition table and the catalogue's prerequisites, moves the clock, writes a PermitEvent in the
same transaction and refuses a save based on a stale version. Events are append-only: the ORM refuses to
update or delete one, and ``rebuild_from_events`` recomputes a permit's status and clock from them alone.
Functions here flush, never commit.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.settings import decimal_setting
from app.timezone import WIB, today_wib  # noqa: F401 - WIB is part of this module's interface
from permits.calendar import WorkingCalendar, site_calendar
from permits.clock import ClockFields, ClockState, Limits, clock_state, step
from permits.models import Permit, PermitEvent, PermitStatus, PermitType
from permits.stages import TransitionError, check_move

AT_RISK_SETTING = "clock.at_risk_share"
DECIDING = frozenset({PermitStatus.ISSUED, PermitStatus.DEEMED_GRANTED, PermitStatus.REJECTED, PermitStatus.WITHDRAWN})


class PrerequisitesMissing(TransitionError):
    def __init__(self, missing: list[PermitType]) -> None:
        self.missing = missing
        codes = ", ".join(t.code for t in missing)
        super().__init__(
            _("Cannot submit yet: these permits must be issued first for this estate: %(codes)s.", codes=codes)
        )


class InvalidMoveDate(TransitionError):
    pass


class ConcurrentEdit(TransitionError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this permit while you were editing it. Nothing was saved: "
                "reload the page to see their change, then try again."
            )
        )


class EventImmutable(RuntimeError):
    """Raised when code tries to update or delete a PermitEvent: the history is append-only."""


@event.listens_for(PermitEvent, "before_update")
def _refuse_event_update(mapper, connection, target) -> None:
    raise EventImmutable("permit events are never edited")


@event.listens_for(PermitEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target) -> None:
    raise EventImmutable("permit events are never deleted")


def at_risk_share() -> Decimal:
    return decimal_setting(AT_RISK_SETTING, Decimal("0.75"))


def limits_for(permit_type: PermitType, share: Decimal | None = None) -> Limits:
    """The permit type's limits as they stand now (the catalogue and the at-risk setting are editable)."""
    return Limits(
        sla_working_days=permit_type.sla_working_days,
        applicant_fix_working_days=permit_type.applicant_fix_working_days,
        at_risk_share=share if share is not None else at_risk_share(),
        silence_withdrawal_days=permit_type.silence_withdrawal_days,
    )


def clock_fields(permit: Permit) -> ClockFields:
    return ClockFields(**{f.name: getattr(permit, f.name) for f in fields(ClockFields)})


def permit_clock(permit: Permit, today: date | None = None, cal: WorkingCalendar | None = None) -> ClockState:
    """The permit's clock at the end of ``today`` (WIB by default)."""
    return clock_state(
        permit.status,
        clock_fields(permit),
        limits_for(permit.permit_type),
        today or today_wib(),
        cal or site_calendar(),
    )


def permit_clocks(
    permits: list[Permit], today: date | None = None, cal: WorkingCalendar | None = None
) -> dict[int, ClockState]:
    """The clocks of many permits at once (one settings read), keyed by permit id, for lists and panels."""
    today = today or today_wib()
    cal = cal or site_calendar()
    share = at_risk_share()
    return {p.id: clock_state(p.status, clock_fields(p), limits_for(p.permit_type, share), today, cal) for p in permits}


def missing_prerequisites(permit: Permit) -> list[PermitType]:
    """Prerequisite types with no issued or deemed-granted permit for the same estate."""
    needed = permit.permit_type.prerequisites
    if not needed:
        return []
    granted = set(
        db.session.scalars(
            select(Permit.permit_type_id).where(
                Permit.estate_id == (permit.estate_id or permit.estate.id),  # a new permit is not flushed yet
                Permit.status.in_([PermitStatus.ISSUED, PermitStatus.DEEMED_GRANTED]),
            )
        )
    )
    return [t for t in needed if t.id not in granted]


def record_creation(permit: Permit, *, actor: str, on: date | None = None, note: str | None = None) -> PermitEvent:
    """Write the first event of a new permit (status not started), with its clock as of ``on`` (default today,
    WIB). The event moves no clock. Adds the row to the session (reading the settings may autoflush), never
    commits."""
    on = on or today_wib()
    state = clock_state(permit.status, clock_fields(permit), limits_for(permit.permit_type), on, site_calendar())
    return _write_event(permit, None, on, actor, note, state)


def advance_permit(
    permit: Permit,
    target: PermitStatus,
    *,
    actor: str,
    note: str | None = None,
    on: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    flush: bool = True,
) -> PermitEvent:
    """Move ``permit`` to ``target`` effective on ``on`` (default today, WIB) and record the event.

    The clock moves by one ``permits.clock.step``: its fields are written to the permit and its state (the
    clock at the end of ``on``) to the event.

    Raises ForbiddenTransition or NoteRequired (the table), PrerequisitesMissing (filing before the catalogue's
    prerequisites are granted), InvalidMoveDate (in the future, or before the previous move), ConcurrentEdit
    (``expected_version`` is not the permit's version, or another transaction saved first). Nothing is
    written when it raises (after ConcurrentEdit the caller must roll back). Flushes (unless ``flush`` is
    false, for a caller that builds a new permit's history in memory), never commits.
    """
    today = today or today_wib()
    on = on or today
    source = permit.status
    _check_move(permit, target, note, on, today, expected_version)
    cal = site_calendar()
    moved = step(clock_fields(permit), source, target, on, limits_for(permit.permit_type), cal)
    try:
        with db.session.no_autoflush:  # one flush at the end, where a stale version is caught
            for name, value in asdict(moved.fields).items():
                setattr(permit, name, value)
            if target is PermitStatus.SUBMITTED and permit.submitted_on is None:
                permit.submitted_on = on
            if target in DECIDING and permit.decided_on is None:
                permit.decided_on = on
            permit.status = target
            event_row = _write_event(permit, source, on, actor, note, moved.state)
        if flush:
            db.session.flush()
    except StaleDataError as exc:
        raise ConcurrentEdit() from exc
    return event_row


def _check_move(
    permit: Permit, target: PermitStatus, note: str | None, on: date, today: date, expected_version: int | None
) -> None:
    """Every refusal of ``advance_permit``, raised before anything changes."""
    if expected_version is not None and expected_version != permit.version:
        raise ConcurrentEdit()
    source = permit.status
    check_move(source, target, note)
    if on > today:
        raise InvalidMoveDate(_("The date of a move cannot be in the future."))
    last = last_event_date(permit)
    if last is not None and on < last:
        raise InvalidMoveDate(_("The date cannot be before the previous move (%(day)s).", day=last.isoformat()))
    if source is PermitStatus.NOT_STARTED and target is PermitStatus.SUBMITTED:
        missing = missing_prerequisites(permit)
        if missing:
            raise PrerequisitesMissing(missing)


def last_event_date(permit: Permit) -> date | None:
    return max((e.effective_on for e in permit.events), default=None)


def _write_event(
    permit: Permit, source: PermitStatus | None, on: date, actor: str, note: str | None, state: ClockState
) -> PermitEvent:
    """Add the next event of ``permit`` (now in its new status) to the session, with the clock figures of
    ``state`` (the clock at the end of ``on``, counted by the caller) and ``permit.last_event_seq`` advanced."""
    seq = max((e.seq for e in permit.events), default=0) + 1
    permit.last_event_seq = seq
    row = PermitEvent(
        permit=permit,
        seq=seq,
        effective_on=on,
        actor=actor,
        from_status=source,
        to_status=permit.status,
        note=(note or "").strip() or None,
        clock_running=state.running,
        agency_days_used=state.agency_days_used,
        investor_days_used=state.investor_days_used,
        sla_working_days=state.sla_working_days,
        due_on=state.due_on,
        regulation=permit.regulation,
    )
    db.session.add(row)
    return row


def rebuild_from_events(
    permit: Permit,
    events: list[PermitEvent] | None = None,
    cal: WorkingCalendar | None = None,
    limits: Limits | None = None,
) -> tuple[PermitStatus, ClockFields]:
    """Replay the permit's events from scratch: the status and clock they imply (nothing is written).

    Every event after the first moves the clock by ``permits.clock.step`` under today's ``limits`` (the
    catalogue's by default) and calendar; the first only sets the status. Reads the events when not given.
    """
    cal = cal or site_calendar()
    events = (
        events
        if events is not None
        else list(
            db.session.scalars(select(PermitEvent).where(PermitEvent.permit_id == permit.id).order_by(PermitEvent.seq))
        )
    )
    limits = limits or limits_for(permit.permit_type)
    status = PermitStatus.NOT_STARTED
    clock = ClockFields()
    for ev in events:
        if ev.from_status is None:
            status = ev.to_status
            continue
        clock = step(clock, ev.from_status, ev.to_status, ev.effective_on, limits, cal).fields
        status = ev.to_status
    return status, clock


def recompute_open_deadlines(session: Session | None = None) -> int:
    """Replay the clock of every permit whose clock is open (the agency's or the investor's), after a change of
    the calendar, the catalogue or the at-risk setting, so that days already counted and due dates follow it.

    Returns how many permits changed. Flushes.
    """
    session = session or db.session
    cal = site_calendar()
    share = at_risk_share()
    changed = 0
    open_clocks = session.scalars(
        select(Permit)
        .where(Permit.running_since.is_not(None) | Permit.investor_since.is_not(None))
        .options(selectinload(Permit.permit_type), selectinload(Permit.events))
    ).all()
    for permit in open_clocks:
        old = clock_fields(permit)
        _status, new = rebuild_from_events(permit, permit.events, cal, limits_for(permit.permit_type, share))
        if new != old:
            for name, value in asdict(new).items():
                setattr(permit, name, value)
            changed += 1
    session.flush()
    return changed
