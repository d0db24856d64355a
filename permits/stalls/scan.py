"""The stall scan: which permits are at risk, overdue, or where the law may now decide for the agency.

``scan_stalled(as_of)`` is set-based: one statement raises the new flags of every kind, one resolves those that
no longer hold, whatever the number of permits; recording the day scanned confirms the rest (``StallScan``). It
reads the threshold dates the workflow keeps on each permit (``at_risk_on``, ``overdue_on``,
``investor_overdue_on``, ``investor_silent_on``), so a flag rises exactly on the working day its threshold is
reached. A flag belongs to an *episode*: the permit's status since its last event (``Permit.last_event_seq``);
moving the permit on resolves it, and the same episode never raises the same flag twice. Running the scan twice
for one day changes nothing the second time. Flushes, never commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    literal,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from app.database import UTCDateTime, utcnow
from app.extensions import db
from permits.models import Permit, PermitEvent, PermitStatus
from permits.rules import AgencySilence, PermitRule
from permits.stages import AGENCY_STATUSES, ASKED
from permits.stalls.models import LAST_SCANNED, FlagKind, StalledPermit, StallFlag, StallScan
from permits.stalls.stalled import keep_stalled


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


# The columns a raise writes, in the order of its SELECT.
RAISED_COLUMNS = [
    StallFlag.permit_id,
    StallFlag.kind,
    StallFlag.episode,
    StallFlag.raised_on,
    StallFlag.raised_at,
    StallFlag.stored_confirmed_on,
]
# What a resolution writes on the flag: its last confirmation, the latest day scanned so far if later than the
# one on the row (the day scanned is recorded at the end of a scan, so a scan's resolutions read the day before).
LAST_CONFIRMED = case((StallFlag.stored_confirmed_on < LAST_SCANNED, LAST_SCANNED), else_=StallFlag.stored_confirmed_on)


def _insert_new(table):
    """An INSERT that skips the rows the unique constraint already holds (ON CONFLICT DO NOTHING, which both
    engines have), so raising never reads the flags it is writing: with NOT EXISTS, PostgreSQL planned a
    nested loop over the flag table when its statistics said "empty", quadratic in the flags raised."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def holds(kind: ColumnElement, as_of: date) -> ColumnElement[bool]:
    """SQL for "the flag kind named by ``kind`` (a column or a literal) holds for the permit at the end of
    ``as_of``": ``flag_condition`` of each kind in one CASE, true or false (never NULL, a threshold date may be)."""
    return case(*((and_(kind == k.value, flag_condition(k, as_of)), true()) for k in FlagKind), else_=false())


def scan_stalled(as_of: date) -> ScanResult:
    """Raise, confirm and resolve every flag kind for ``as_of``; returns the counts per kind.

    A few statements for all the kinds, whatever the number of permits: one INSERT raises the flags of every
    kind, one UPDATE resolves the open flags that no longer hold (a join of the open flags to their permits),
    two keep the permits with an open flag (``StalledPermit``, only what changes: no permit row is written), one
    records the day scanned (which confirms every flag left open: no flag is rewritten to say so), one counts the
    open flags. A first scan over a backlog (no flag open before it) raises the flags and adds their permits to
    ``StalledPermit`` in one statement, with nothing to resolve or count (``_raise_first``)."""
    result = ScanResult(as_of)
    now = utcnow()
    settings = _plan_for_bulk()
    # With no flag open before this run (a first scan over a backlog), every open flag is one it raises, which holds:
    # nothing to resolve, and the join of the open flags to the permits (0.4-0.56 s under load at 200,000) is skipped.
    had_open, had_any = db.session.execute(
        select(exists().where(StallFlag.resolved_on.is_(None)), exists(select(StallFlag.id)))
    ).one()
    if not had_open and settings:  # settings: on PostgreSQL only (a data-modifying WITH)
        result.raised = _raise_first(as_of, now, fresh=not had_any)
    else:
        result.raised = _counted(
            _insert_new(StallFlag)
            .from_select(RAISED_COLUMNS, _new_flags(as_of, now))
            .on_conflict_do_nothing(index_elements=["permit_id", "kind", "episode"])
            .returning(StallFlag.kind)
        )
    open_flag = and_(StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None))
    still_holds = and_(Permit.last_event_seq == StallFlag.episode, holds(StallFlag.kind, as_of))
    resolve = (
        update(StallFlag)
        .where(open_flag, StallFlag.raised_on <= as_of, ~still_holds)
        .values(resolved_on=as_of, stored_confirmed_on=LAST_CONFIRMED)
        .returning(StallFlag.kind)
        .execution_options(synchronize_session=False)
    )
    result.resolved = _counted(resolve) if had_open else _counts([])
    if had_open or not settings:
        keep_stalled(db.session)
    _record_scan(as_of, now)
    if had_open:
        result.open = _counts(
            db.session.execute(
                select(StallFlag.kind, func.count()).where(StallFlag.resolved_on.is_(None)).group_by(StallFlag.kind)
            )
        )
    else:  # every open flag is one this run raised
        result.open = dict(result.raised)
    if settings:
        db.session.execute(text("SELECT set_config('jit', :jit, true), set_config('work_mem', :mem, true)"), settings)
    db.session.flush()
    return result


def _counts(rows) -> dict[str, int]:
    """{kind: count} for every kind, from (kind, count) rows."""
    return {k.value: 0 for k in FlagKind} | {FlagKind(kind).value: n for kind, n in rows}


def _counted(statement) -> dict[str, int]:
    """Run a statement that writes flags, RETURNING the kind of each; the counts per kind. On PostgreSQL counted by
    the database (the statement in a WITH: seven rows come back, not one per flag, 94,519 on a first scan); SQLite
    has no INSERT or UPDATE inside a WITH, so there the kinds come back and are counted here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return _counts(Counter(db.session.scalars(statement)).items())
    written = statement.cte("written")
    return _counts(db.session.execute(select(written.c.kind, func.count()).group_by(written.c.kind)))


def _plan_for_bulk() -> dict[str, str] | None:
    """On PostgreSQL, for the scan's statements only (restored after them): no JIT compilation, which the
    planner picks for statements over every permit (compiling took 0.26-0.4 s of a 1.8 s raise); and enough
    ``work_mem`` for the joins of the open flags to the permits to hash in memory (with the default 4 MB, in four
    batches through temporary files). Returns the settings to restore."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    jit, mem = db.session.execute(
        text(
            "SELECT current_setting('jit'), current_setting('work_mem'), "
            "set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
        )
    ).one()[:2]
    return {"jit": jit, "mem": mem}


def _new_flags(as_of: date, now: datetime):
    """The SELECT of the flags that hold on ``as_of``, every kind: on PostgreSQL the kinds' SELECTs in one UNION ALL
    (each a pass over the permits with the kind's condition, planned by itself: 0.66 s for a scan that raises
    nothing at 200,000 permits, 1.7 s as a join of the permits to the seven kinds, whose condition is a CASE the
    planner cannot estimate); on SQLite that join (one pass over the permits: SQLite reads each kind's permits
    through the status index, row by row, 1.9 s in a UNION ALL, 1.1 s in the join)."""
    columns = (
        Permit.id,
        Permit.last_event_seq,
        literal(as_of, Date()),
        literal(now, UTCDateTime()),
        literal(as_of, Date()),
    )
    if db.session.get_bind().dialect.name == "postgresql":
        return union_all(
            *(select(columns[0], literal(k.value), *columns[1:]).where(flag_condition(k, as_of)) for k in FlagKind)
        )
    kinds = union_all(*(select(literal(k.value).label("kind")) for k in FlagKind)).subquery("kinds")
    return select(columns[0], kinds.c.kind, *columns[1:]).select_from(Permit).join(kinds, holds(kinds.c.kind, as_of))


def _raise_first(as_of: date, now: datetime, fresh: bool) -> dict[str, int]:
    """A first scan over a backlog on PostgreSQL (no flag open before it): the flags and the permits they stall
    (``StalledPermit``) written by one statement, the permits read once. With no open flag before, every row of
    ``StalledPermit`` is out of step (removed first), and the permits with an open flag after it are exactly those of
    the flags it raises: what ``keep_stalled`` would find, without its pass over the permits and the open flags
    (0.4-0.9 s at 200,000 permits). On a fresh flag table (no flag at all: the tracker's first morning) nothing can
    conflict (each kind's SELECT gives a permit once), so a plain INSERT, without ON CONFLICT's probe of the unique
    index and its second write of every row (the speculative insertion confirmed), and every permit it reads is
    stalled. In permit order, so that the foreign key's checks and the index entries walk their pages in order (no
    gain measured with the permits in cache; a 20 ms sort). Returns the counts raised per kind."""
    db.session.execute(delete(StalledPermit).execution_options(synchronize_session=False))
    holding = union_all(
        *(
            select(
                Permit.id.label("permit_id"),
                literal(k.value).label("kind"),
                Permit.last_event_seq.label("episode"),
                Permit.region_id,
                Permit.agency_id,
            ).where(flag_condition(k, as_of))
            for k in FlagKind
        )
    ).cte("holding")
    day = literal(as_of, Date())
    flags = select(holding.c.permit_id, holding.c.kind, holding.c.episode, day, literal(now, UTCDateTime()), day)
    insert = _insert_new(StallFlag).from_select(RAISED_COLUMNS, flags.order_by(holding.c.permit_id))
    if not fresh:
        insert = insert.on_conflict_do_nothing(index_elements=["permit_id", "kind", "episode"])
    raised = insert.returning(StallFlag.permit_id, StallFlag.kind).cte("raised")
    stalled = select(holding.c.permit_id, holding.c.region_id, holding.c.agency_id).distinct()
    if not fresh:  # a flag of the same episode resolved before is not raised again
        stalled = stalled.where(holding.c.permit_id.in_(select(raised.c.permit_id)))
    kept = StalledPermit.__table__.insert().from_select(["permit_id", "region_id", "agency_id"], stalled).cte("kept")
    return _counts(db.session.execute(select(raised.c.kind, func.count()).group_by(raised.c.kind).add_cte(kept)))


def _record_scan(as_of: date, now: datetime) -> None:
    """The day scanned (``StallScan``), which confirms every flag still open: last, so that the resolutions
    above read the latest day scanned before this run."""
    statement = _insert_new(StallScan).values(as_of=as_of, scanned_at=now)
    db.session.execute(statement.on_conflict_do_update(index_elements=["as_of"], set_={"scanned_at": now}))


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
        .values(
            resolved_on=case((StallFlag.raised_on > on, StallFlag.raised_on), else_=on),
            stored_confirmed_on=LAST_CONFIRMED,
        )
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if resolved:  # every open flag was of an earlier episode: the move resolved them all
        db.session.execute(
            delete(StalledPermit)
            .where(StalledPermit.permit_id == permit.id)
            .execution_options(synchronize_session=False)
        )
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
