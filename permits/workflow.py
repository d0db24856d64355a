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
from app.models import User
from app.settings import decimal_setting
from app.timezone import WIB, today_wib  # noqa: F401 - WIB is part of this module's interface
from permits.calendar import WorkingCalendar, is_estimated, site_calendar
from permits.clock import ClockFields, ClockState, Limits, clock_state, step
from permits.hooks import run_move_hooks
from permits.models import GRANTED_STATUSES, Permit, PermitEvent, PermitStatus, PermitType
from permits.rules import AgencySilence, PermitRule, Regime
from permits.stages import AGENCY_STATUSES, DECIDED_FROM, DECISIONS, REVISING, TransitionError, check_move

AT_RISK_SETTING = "clock.at_risk_share"
# While an OSS import applies its rows, its batch is named here and every event meanwhile cites it (permits.importing)
IMPORT_BATCH = "permits.import_batch_id"
DECIDING = GRANTED_STATUSES | {PermitStatus.REJECTED, PermitStatus.WITHDRAWN, PermitStatus.DEEMED_WITHDRAWN}


class PrerequisitesMissing(TransitionError):
    def __init__(self, missing: list[PermitType]) -> None:
        self.missing = missing
        codes = ", ".join(t.code for t in missing)
        super().__init__(
            _("Cannot submit yet: these permits must be issued first for this estate: %(codes)s.", codes=codes)
        )


class InvalidMoveDate(TransitionError):
    pass


class NotDeemedGranted(TransitionError):
    """The law does not grant this permit by the agency's silence, or not yet."""


class TooManyRevisions(TransitionError):
    def __init__(self, rounds: int) -> None:
        super().__init__(
            _(
                "The law allows at most %(num)d revision rounds for this permit: reject it or decide instead.",
                num=rounds,
            )
        )


class MissingRule(LookupError):
    """The catalogue holds no rule for this permit type under this regime (an administrator must add it)."""


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


def regime_for(day: date) -> Regime:
    """The regime a file first filed on ``day`` is counted under: the latest whose ``applies_from`` is on or
    before ``day`` (the earliest regime for a day before every one)."""
    regime = db.session.scalars(
        select(Regime).where(Regime.applies_from <= day).order_by(Regime.applies_from.desc()).limit(1)
    ).first()
    return regime or db.session.scalars(select(Regime).order_by(Regime.applies_from).limit(1)).one()


def rule_of(permit: Permit, today: date | None = None) -> PermitRule:
    """The rule the permit is counted under: its regime's, or, before it is filed, the regime of ``today``."""
    regime_id = permit.regime_id if permit.regime_id is not None else regime_for(today or today_wib()).id
    rule = permit.permit_type.rule_for(regime_id)
    if rule is None:
        raise MissingRule(f"no rule for {permit.permit_type.code} under regime {regime_id}")
    return rule


def limits_of(rule: PermitRule, share: Decimal | None = None) -> Limits:
    """The clock's view of a rule, with the at-risk share now in force (a setting)."""
    return Limits(
        sla_working_days=rule.sla_working_days,
        at_risk_share=share if share is not None else at_risk_share(),
        fix_working_days=rule.fix_working_days,
        revision_working_days=rule.revision_working_days,
        clock_starts_at=rule.clock_starts_at,
        applicant_silence=rule.applicant_silence,
        applicant_silence_days=rule.applicant_silence_days,
        confirmed=rule.confirmed,
    )


def limits_for(permit: Permit, share: Decimal | None = None, today: date | None = None) -> Limits:
    """The permit's limits as they stand now: its rule (the catalogue is editable) and the at-risk setting."""
    return limits_of(rule_of(permit, today), share)


def clock_fields(permit: Permit) -> ClockFields:
    return ClockFields(**{f.name: getattr(permit, f.name) for f in fields(ClockFields)})


def permit_clock(permit: Permit, today: date | None = None, cal: WorkingCalendar | None = None) -> ClockState:
    """The permit's clock at the end of ``today`` (WIB by default)."""
    today = today or today_wib()
    return clock_state(
        permit.status, clock_fields(permit), limits_for(permit, today=today), today, cal or site_calendar()
    )


def permit_clocks(
    permits: list[Permit], today: date | None = None, cal: WorkingCalendar | None = None
) -> dict[int, ClockState]:
    """The clocks of many permits at once (one settings read, one read of the rules), keyed by permit id, for
    lists and panels."""
    today = today or today_wib()
    cal = cal or site_calendar()
    share = at_risk_share()
    rules = {(r.permit_type_id, r.regime_id): r for r in db.session.scalars(select(PermitRule))}
    current = regime_for(today).id if any(p.regime_id is None for p in permits) else None
    return {
        p.id: clock_state(
            p.status, clock_fields(p), limits_of(rules[p.permit_type_id, p.regime_id or current], share), today, cal
        )
        for p in permits
    }


def due_is_estimated(due: date | None, today: date | None = None) -> bool:
    """Whether a due date still ahead rests on holidays the calendar only estimates (shown as "perkiraan")."""
    today = today or today_wib()
    return due is not None and due > today and is_estimated(today, due)


def missing_prerequisites(permit: Permit, needed: tuple | list | None = None) -> list:
    """Prerequisite types (``needed``, else the type's records) with no issued or deemed-granted permit there."""
    needed = permit.permit_type.prerequisites if needed is None else needed
    if not needed:
        return []
    granted = set(
        db.session.scalars(
            select(Permit.permit_type_id).where(
                Permit.estate_id == (permit.estate_id or permit.estate.id),  # a new permit is not flushed yet
                Permit.status.in_(GRANTED_STATUSES),
            )
        )
    )
    return [t for t in needed if t.id not in granted]


Actor = User | str  # the signed-in user, or a label (the demo, the command line, history typed by hand)


def record_creation(permit: Permit, *, actor: Actor, on: date | None = None, note: str | None = None) -> PermitEvent:
    """Write the first event of a new permit (status not started), with its clock as of ``on`` (default today,
    WIB). The event moves no clock. Adds the row to the session (reading the settings may autoflush), never
    commits."""
    on = on or today_wib()
    state = clock_state(permit.status, clock_fields(permit), limits_for(permit, today=on), on, site_calendar())
    return _write_event(permit, None, on, actor, note, state)


def advance_permit(
    permit: Permit,
    target: PermitStatus,
    *,
    actor: Actor,
    note: str | None = None,
    on: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    flush: bool = True,
    evidence_fingerprint: str | None = None,
    actor_id: int | None = None,
) -> PermitEvent:
    """Move ``permit`` to ``target`` effective on ``on`` (default today, WIB) and record the event.

    ``actor`` is the signed-in ``User`` (named by ``actor_id``, their name kept as a label) or a label alone. After
    a flushed move the hooks of ``permits.hooks`` run in the same transaction (flags follow, notices go out).

    The clock moves by one ``permits.clock.step``: its fields are written to the permit and its state (the
    clock at the end of ``on``) to the event.

    Raises ForbiddenTransition or NoteRequired (the table), PrerequisitesMissing (filing before the catalogue's
    prerequisites are granted), InvalidMoveDate (in the future, or before the previous move), ConcurrentEdit
    (``expected_version`` is not the permit's version, or another transaction saved first), NotDeemedGranted (a
    deemed grant where the permit's rule grants nothing by silence, where its limit is unconfirmed, before the
    limit has passed, or without the ``evidence_fingerprint`` of the evidence page it rests on),
    TooManyRevisions (a revision round past the law's maximum). The first filing fixes the permit's regime
    (``regime_for`` the day). Nothing is
    written when it raises (after ConcurrentEdit the caller must roll back). Flushes (unless ``flush`` is
    false, for a caller that builds a new permit's history in memory), never commits.
    """
    today = today or today_wib()
    on = on or today
    source = permit.status
    _check_move(permit, target, note, on, today, expected_version)
    with db.session.no_autoflush:  # nothing of this move reaches the database before the one flush below
        regime = permit.regime if permit.regime_id is not None else regime_for(on)
        rule = permit.permit_type.rule_for(regime.id)
        if rule is None:
            raise MissingRule(f"no rule for {permit.permit_type.code} under {regime.name}")
        _check_rule(permit, rule, target, on, evidence_fingerprint)
    cal = site_calendar()
    moved = step(clock_fields(permit), source, target, on, limits_of(rule), cal)
    try:
        with db.session.no_autoflush:  # one flush at the end, where a stale version is caught
            if permit.regime_id is None:
                permit.regime = regime  # the first filing fixes the regulation the permit is counted under
            for name, value in asdict(moved.fields).items():
                setattr(permit, name, value)
            if target is PermitStatus.SUBMITTED and permit.submitted_on is None:
                permit.submitted_on = on
            if target in DECIDING and permit.decided_on is None:
                permit.decided_on = on
            if target in DECISIONS and source in DECIDED_FROM and permit.decision_days is None:  # figures' counters
                permit.decision_days, permit.decision_sla = moved.state.agency_days_used, moved.state.sla_working_days
            permit.status = target
            event_row = _write_event(permit, source, on, actor, note, moved.state)
            event_row.actor_id = event_row.actor_id or actor_id
            event_row.evidence_fingerprint = evidence_fingerprint if target is PermitStatus.DEEMED_GRANTED else None
        if flush:
            db.session.flush()
    except StaleDataError as exc:
        raise ConcurrentEdit() from exc
    if flush:
        run_move_hooks(permit, event_row)
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


def _check_rule(permit: Permit, rule: PermitRule, target: PermitStatus, on: date, fingerprint: str | None) -> None:
    """The refusals that follow the law of the permit's type under its regime."""
    if target is PermitStatus.DEEMED_GRANTED:
        if rule.agency_silence is not AgencySilence.DEEMED_GRANTED:
            raise NotDeemedGranted(
                _(
                    "The law does not grant %(code)s by the agency's silence (%(outcome)s).",
                    code=permit.permit_type.code,
                    outcome=rule.agency_silence.label,
                )
            )
        if not rule.confirmed:
            raise NotDeemedGranted(_("The limit of this permit is unconfirmed: the law's outcome cannot be applied."))
        if permit.overdue_on is None or on < permit.overdue_on:
            raise NotDeemedGranted(
                _("The agency's limit has not passed yet: a deemed grant is possible from the first day past it.")
            )
        if not fingerprint:
            raise NotDeemedGranted(_("A deemed grant must cite the evidence page of the clock."))
    rounds = rule.max_revision_rounds
    if target is PermitStatus.REVISION and rounds is not None and permit.revision_rounds >= rounds:
        raise TooManyRevisions(rounds)


def last_event_date(permit: Permit) -> date | None:
    return max((e.effective_on for e in permit.events), default=None)


def _write_event(
    permit: Permit, source: PermitStatus | None, on: date, actor: Actor, note: str | None, state: ClockState
) -> PermitEvent:
    """Add the next event of ``permit`` (now in its new status) to the session, with the clock figures of
    ``state`` (the clock at the end of ``on``), ``last_event_seq`` advanced and ``answered`` kept (``Permit``)."""
    seq = max((e.seq for e in permit.events), default=0) + 1
    actor_id = actor.id if isinstance(actor, User) else None
    permit.last_event_seq, permit.answered = seq, permit.status in AGENCY_STATUSES and source in REVISING
    row = PermitEvent(
        permit=permit,
        seq=seq,
        effective_on=on,
        actor=(actor.name if isinstance(actor, User) else actor)[:120],
        actor_id=actor_id,
        from_status=source,
        to_status=permit.status,
        note=(note or "").strip() or None,
        clock_running=state.running,
        agency_days_used=state.agency_days_used,
        investor_days_used=state.investor_days_used,
        sla_working_days=state.sla_working_days,
        due_on=state.due_on,
        regulation=permit.regime.name if permit.regime is not None else None,
        import_batch_id=db.session.info.get(IMPORT_BATCH),
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
    limits = limits or limits_for(permit)
    status = PermitStatus.NOT_STARTED
    clock = ClockFields()
    for ev in events:
        if ev.from_status is None:
            status = ev.to_status
            continue
        clock = step(clock, ev.from_status, ev.to_status, ev.effective_on, limits, cal).fields
        status = ev.to_status
    return status, clock


def recompute_open_deadlines(
    session: Session | None = None, *, permit_type_id: int | None = None, regime_id: int | None = None
) -> int:
    """Replay the clock of every permit whose clock is open (the agency's or the investor's), after a change of
    the calendar, the catalogue or the at-risk setting, so that days already counted and due dates follow it.
    A change of one rule recomputes only the permits of that type under that regime (``permit_type_id``,
    ``regime_id``): editing PP 28/2025 never moves a permit counted under PP 5/2021.

    Returns how many permits changed. Flushes.
    """
    session = session or db.session
    cal = site_calendar()
    share = at_risk_share()
    changed = 0
    query = select(Permit).where(Permit.running_since.is_not(None) | Permit.investor_since.is_not(None))
    if permit_type_id is not None:
        query = query.where(Permit.permit_type_id == permit_type_id)
    if regime_id is not None:
        query = query.where(Permit.regime_id == regime_id)
    open_clocks = session.scalars(query.options(selectinload(Permit.permit_type), selectinload(Permit.events))).all()
    for permit in open_clocks:
        old = clock_fields(permit)
        _status, new = rebuild_from_events(permit, permit.events, cal, limits_for(permit, share))
        if new != old:
            for name, value in asdict(new).items():
                setattr(permit, name, value)
            changed += 1
    session.flush()
    return changed
