"""The stall scan: which permits are at risk, overdue, or where the law may now decide for the agency.

``scan_stalled(as_of)`` is set-based: for each flag kind, three statements (raise the new, confirm the
holding, resolve the rest) whatever the number of permits. It reads the threshold dates the workflow keeps on
each permit (``at_risk_on``, ``overdue_on``, ``investor_overdue_on``, ``investor_silent_on``), so a flag rises
exactly on the working day its threshold is reached. A flag belongs to an *episode*: the permit's status since
its last event (``Permit.last_event_seq``); moving the permit on resolves it, and the same episode never raises
the same flag twice. Running the scan twice for one day changes nothing the second time. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Date, and_, case, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from app.database import UTCDateTime, utcnow
from app.extensions import db
from permits.models import Permit, PermitEvent, PermitStatus
from permits.rules import AgencySilence, PermitRule
from permits.stages import AGENCY_STATUSES, ASKED
from permits.stalls.models import FlagKind, StallFlag


def _rule_says(*outcomes: AgencySilence) -> ColumnElement[bool]:
    """The permit's rule (its type under its regime) is confirmed and has one of these silence outcomes."""
    return (
        select(PermitRule.id)
        .where(
            PermitRule.permit_type_id == Permit.permit_type_id,
            PermitRule.regime_id == Permit.regime_id,
            PermitRule.confirmed.is_(True),
            PermitRule.agency_silence.in_(outcomes),
        )
        .exists()
    )


AUTOMATIC = (
    AgencySilence.ISSUED_BY_OSS,
    AgencySilence.ISSUED_WITHOUT_LAND_CONSIDERATION,
    AgencySilence.LEVY_SET_AUTOMATICALLY,
)


def flag_condition(kind: FlagKind, as_of: date) -> ColumnElement[bool]:
    """SQL for "this permit deserves a ``kind`` flag at the end of ``as_of``".

    The silence flags follow the law of the permit's type under its regime: a deemed grant only where the law
    deems it granted, the system's automatic outcome only where there is one, neither on an unconfirmed limit;
    the applicant's silence where it counts (a stopped process, a KKPR fee awaited).
    """
    running = Permit.status.in_(AGENCY_STATUSES) & Permit.running_since.is_not(None)
    overdue = running & (Permit.overdue_on <= as_of)
    if kind is FlagKind.AT_RISK:
        return running & (Permit.at_risk_on <= as_of) & (Permit.overdue_on > as_of)
    if kind is FlagKind.OVERDUE:
        return overdue
    if kind is FlagKind.DEEMED_GRANTED_CANDIDATE:
        return overdue & _rule_says(AgencySilence.DEEMED_GRANTED)
    if kind is FlagKind.AUTOMATIC_OUTCOME:
        return overdue & _rule_says(*AUTOMATIC)
    if kind is FlagKind.INVESTOR_OVERDUE:
        return Permit.status.in_(ASKED) & (Permit.investor_overdue_on <= as_of)
    if kind is FlagKind.REJECTION_CANDIDATE:
        return (Permit.status == PermitStatus.PROCESS_STOPPED) & (Permit.investor_silent_on <= as_of)
    return (Permit.status == PermitStatus.SUBMITTED) & (Permit.investor_silent_on <= as_of)


@dataclass
class ScanResult:
    as_of: date
    raised: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)
    open: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "raised": self.raised, "resolved": self.resolved, "open": self.open}


def _insert_new(table):
    """An INSERT that skips the rows the unique constraint already holds (ON CONFLICT DO NOTHING, which both
    engines have), so raising never reads the flags it is writing: with NOT EXISTS, PostgreSQL planned a
    nested loop over the flag table when its statistics said "empty", quadratic in the flags raised."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def scan_stalled(as_of: date) -> ScanResult:
    """Raise, confirm and resolve every flag kind for ``as_of``; returns the counts per kind."""
    result = ScanResult(as_of)
    now = utcnow()
    for kind in FlagKind:
        holds = flag_condition(kind, as_of)
        same_episode = and_(Permit.id == StallFlag.permit_id, Permit.last_event_seq == StallFlag.episode)
        new_flags = select(
            Permit.id,
            literal(kind.value),
            Permit.last_event_seq,
            literal(as_of, Date()),
            literal(now, UTCDateTime()),
            literal(as_of, Date()),
        ).where(holds)
        raised = db.session.execute(
            _insert_new(StallFlag)
            .from_select(["permit_id", "kind", "episode", "raised_on", "raised_at", "last_confirmed_on"], new_flags)
            .on_conflict_do_nothing(index_elements=["permit_id", "kind", "episode"])
            .execution_options(preserve_rowcount=True)
        ).rowcount
        still_holds = select(Permit.id).where(same_episode, holds).exists()
        open_flags = (StallFlag.kind == kind) & StallFlag.resolved_on.is_(None)
        db.session.execute(
            update(StallFlag)
            .where(open_flags, StallFlag.last_confirmed_on < as_of, still_holds)
            .values(last_confirmed_on=as_of)
            .execution_options(synchronize_session=False)
        )
        resolved = db.session.execute(
            update(StallFlag)
            .where(open_flags, StallFlag.raised_on <= as_of, ~still_holds)
            .values(resolved_on=as_of)
            .execution_options(synchronize_session=False)
        ).rowcount
        result.raised[kind.value] = raised
        result.resolved[kind.value] = resolved
    _mark_flagged()
    counts = db.session.execute(
        select(StallFlag.kind, func.count(StallFlag.id)).where(StallFlag.resolved_on.is_(None)).group_by(StallFlag.kind)
    ).all()
    result.open = {kind.value: 0 for kind in FlagKind} | {kind.value: n for kind, n in counts}
    db.session.flush()
    return result


def _mark_flagged() -> None:
    """``Permit.flagged`` from the open flags, written only where it changes: the permits not flagged that have an
    open flag (a semi-join), then the flagged ones (their partial index) that have none left (an anti-join).
    ``updated_at`` is left as it was (a flag is not an edit of the permit)."""
    open_flag = select(StallFlag.id).where(StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None)).exists()
    for flagged, where in ((True, ~Permit.flagged & open_flag), (False, Permit.flagged & ~open_flag)):
        db.session.execute(
            update(Permit)
            .where(where)
            .values(flagged=flagged, updated_at=Permit.updated_at)
            .execution_options(synchronize_session=False)
        )


def resolve_on_move(permit: Permit, event: PermitEvent) -> int:
    """A move starts a new episode, so the permit's open flags (of earlier episodes) are resolved at once, in
    the mover's transaction: no list shows a decided or returned permit as late until the next scan. The
    morning scan raises the flags the new episode deserves. They are resolved on the move's day (never before
    they were raised). Returns how many were resolved; flushes."""
    on = event.effective_on
    resolved = db.session.execute(
        update(StallFlag)
        .where(
            StallFlag.permit_id == permit.id,
            StallFlag.resolved_on.is_(None),
            StallFlag.episode < permit.last_event_seq,
        )
        .values(resolved_on=case((StallFlag.raised_on > on, StallFlag.raised_on), else_=on))
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if permit.flagged:  # every open flag was of an earlier episode: the move resolved them all
        db.session.execute(
            update(Permit)
            .where(Permit.id == permit.id)
            .values(flagged=False, updated_at=Permit.updated_at)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(permit, "flagged", False)  # not an edit: the permit's version stays
    db.session.flush()
    return resolved


def open_flags_query(kinds: tuple[FlagKind, ...] = tuple(FlagKind)):
    return select(StallFlag).where(StallFlag.resolved_on.is_(None), StallFlag.kind.in_(kinds))


def has_open_flag(permit_id: int, kind: FlagKind) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    StallFlag.permit_id == permit_id, StallFlag.kind == kind, StallFlag.resolved_on.is_(None)
                )
            )
        )
    )
