"""Reads of LKPM entries and flags, each through the caller's ``Scope``; nothing here writes.

Who sees which entry: the administrator, the governor's office and a province officer see every entry; an officer
of one kab/kota sees the entries of the estates there (``estates.queries.estates_visible_to``), and not the
company-wide ones (no estate: they belong to no kab/kota); an investor user sees its own investor's. An entry
outside the scope is ``NotFound``, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from app.errors import NotFound, found
from app.extensions import db
from app.listing import Sort, read_sort, sort_clauses
from app.models import Role
from app.security import Scope
from app.urls import MAX_ID
from estates.models import Estate, Investor
from estates.queries import contains_text, estates_visible_to, limited_region
from realisation.models import LkpmEntry, LkpmFlag, LkpmFlagKind, LkpmStatus
from realisation.periods import Period, PeriodError, PeriodKind
from realisation.rules import nib_issued_on, obligation_of, period_kind_of, reporting_rules

MAX_SEARCH_LENGTH = 100


def entries_visible_to(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on ``LkpmEntry``: the entries the scope may see."""
    if scope.sees_everything:
        return true()
    if limited_region(scope) is not None:
        return LkpmEntry.estate_id.in_(select(Estate.id).where(estates_visible_to(scope)))
    if scope.role == Role.INVESTOR and scope.investor_id is not None:
        return LkpmEntry.investor_id == scope.investor_id
    return false()


def get_entry(entry_id: int, scope: Scope) -> LkpmEntry:
    """The entry with its investor, estate and history, or ``NotFound`` (unknown, or outside the scope)."""
    if not 0 < entry_id <= MAX_ID:
        raise NotFound(entry_id)
    query = (
        select(LkpmEntry)
        .where(LkpmEntry.id == entry_id, entries_visible_to(scope))
        .options(
            joinedload(LkpmEntry.investor),
            joinedload(LkpmEntry.estate).joinedload(Estate.region),
            selectinload(LkpmEntry.revisions),
            joinedload(LkpmEntry.import_batch),
        )
    )
    return found(db.session.scalars(query).unique().one_or_none())


@dataclass(frozen=True)
class EntryFilters:
    q: str = ""
    period: str = ""
    status: LkpmStatus | None = None
    region_id: int | None = None
    sort: Sort = field(default_factory=Sort)  # a key of ENTRY_SORTS; the default: the latest period first

    @property
    def active(self) -> bool:
        return bool(self.q or self.period or self.status or self.region_id)


# The columns the list sorts by (``sort=key``, ``sort=-key``).
ENTRY_SORTS = {
    "period": LkpmEntry.period_end,
    "investor": Investor.legal_name,
    "estate": Estate.name,
    "investment": LkpmEntry.investment_rp,
    "tki": LkpmEntry.tki,
    "tka": LkpmEntry.tka,
    "status": LkpmEntry.status,
    "reported": LkpmEntry.reported_on,
}


def _id(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 10 and int(text) > 0 else None


def entry_filters(args: Mapping[str, str]) -> EntryFilters:
    """The list's filters from the query string; a value that makes no sense is dropped."""
    try:
        period = str(Period.parse(args.get("period") or "")) if args.get("period") else ""
    except PeriodError:
        period = ""
    try:
        status = LkpmStatus(args.get("status") or "")
    except ValueError:
        status = None
    return EntryFilters(
        q=(args.get("q") or "").strip()[:MAX_SEARCH_LENGTH],
        period=period,
        status=status,
        region_id=_id(args.get("region")),
        sort=read_sort(ENTRY_SORTS, args, default=Sort("period", descending=True)),
    )


def search_entries(filters: EntryFilters, *, scope: Scope) -> Select:
    """Entries the scope may see, matching the filters (investor name or NIB, period, status, kab/kota of the
    estate), the latest period first (or in the order of ``filters.sort``), then by investor."""
    query = (
        select(LkpmEntry)
        .join(LkpmEntry.investor)
        .outerjoin(LkpmEntry.estate)
        .where(entries_visible_to(scope))
        .options(joinedload(LkpmEntry.investor), joinedload(LkpmEntry.estate).joinedload(Estate.region))
    )
    if filters.q:
        query = query.where(or_(contains_text(Investor.legal_name, filters.q), contains_text(Investor.nib, filters.q)))
    if filters.period:
        query = query.where(LkpmEntry.period == filters.period)
    if filters.status is not None:
        query = query.where(LkpmEntry.status == filters.status)
    if filters.region_id is not None:
        query = query.where(Estate.region_id == filters.region_id)
    order = sort_clauses(filters.sort, ENTRY_SORTS) or [LkpmEntry.period_end.desc()]
    return query.order_by(*order, Investor.legal_name, Estate.name, LkpmEntry.id)


def periods_on_record(scope: Scope) -> list[str]:
    """The periods of the entries the scope may see, latest first (the list's period filter)."""
    query = (
        select(LkpmEntry.period, LkpmEntry.period_end)
        .where(entries_visible_to(scope))
        .distinct()
        .order_by(LkpmEntry.period_end.desc(), LkpmEntry.period)
    )
    return [period for period, _end in db.session.execute(query)]


def investor_entries_query(investor_id: int) -> Select:
    """One investor's entries, latest period first (the portal)."""
    return (
        select(LkpmEntry)
        .where(LkpmEntry.investor_id == investor_id)
        .options(joinedload(LkpmEntry.estate))
        .order_by(LkpmEntry.period_end.desc(), LkpmEntry.estate_id.is_not(None), LkpmEntry.id)
    )


# --- flags -------------------------------------------------------------------------------------------------


def flags_visible_to(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on ``LkpmFlag``: an officer of one kab/kota sees the flags of investors with an estate there."""
    if scope.sees_everything:
        return true()
    if limited_region(scope) is not None:
        return LkpmFlag.investor_id.in_(select(Estate.investor_id).where(estates_visible_to(scope)))
    if scope.role == Role.INVESTOR and scope.investor_id is not None:
        return LkpmFlag.investor_id == scope.investor_id
    return false()


# The columns the missing-reports list sorts by (``sort=key``, ``sort=-key``).
FLAG_SORTS = {
    "kind": LkpmFlag.kind,
    "investor": Investor.legal_name,
    "period": LkpmFlag.period,
    "due": LkpmFlag.due_on,
    "missed": LkpmFlag.periods_missed,
    "raised": LkpmFlag.raised_on,
}


def open_flags_query(scope: Scope, kind: LkpmFlagKind | None = None, sort: Sort | None = None) -> Select:
    """Open flags the scope may see, sanction risks first, then the oldest deadline first (or in the order of
    ``sort``, a key of ``FLAG_SORTS``)."""
    query = (
        select(LkpmFlag)
        .join(LkpmFlag.investor)
        .where(LkpmFlag.resolved_on.is_(None), flags_visible_to(scope))
        .options(joinedload(LkpmFlag.investor))
    )
    if kind is not None:
        query = query.where(LkpmFlag.kind == kind)
    order = sort_clauses(sort or Sort(), FLAG_SORTS) or [LkpmFlag.kind == LkpmFlagKind.MISSING, LkpmFlag.due_on]
    return query.order_by(*order, Investor.legal_name, LkpmFlag.id)


def recently_resolved(scope: Scope, since: date, limit: int = 20) -> list[LkpmFlag]:
    query = (
        select(LkpmFlag)
        .where(LkpmFlag.resolved_on >= since, flags_visible_to(scope))
        .options(joinedload(LkpmFlag.investor))
        .order_by(LkpmFlag.resolved_on.desc(), LkpmFlag.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


# --- the investor's own view (the portal) ------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    period: Period
    due_on: date


@dataclass(frozen=True)
class InvestorOverview:
    """What the portal tells an investor about its LKPM: how often it files, what is late, what is due next."""

    kind: PeriodKind | None  # None: not expected to file (no NIB recorded, or a micro business)
    overdue: list[DueReport]
    next_due: DueReport | None
    has_nib: bool


def investor_overview(investor: Investor, today: date) -> InvestorOverview:
    """The investor's periods from the first expected one: those past their deadline without a submitted report
    (overdue), and the earliest report still to come (the period just ended, or the current one)."""
    rules = reporting_rules()
    obligation = obligation_of(investor, rules, nib_issued_on([investor.id]).get(investor.id))
    if obligation is None:
        return InvestorOverview(period_kind_of(investor), [], None, bool(investor.nib))
    query = select(LkpmEntry.period, LkpmEntry.status).where(LkpmEntry.investor_id == investor.id)
    submitted = [Period.parse(p) for p, status in db.session.execute(query) if status.is_submitted]
    overdue, next_due = [], None
    period = obligation.first
    while period.start <= today:
        if not any(done.overlaps(period) for done in submitted):
            due = DueReport(period, rules.due_on(period))
            if due.due_on < today:
                overdue.append(due)
            elif next_due is None:
                next_due = due
        period = period.next()
    if next_due is None:  # every report so far is in (or none is expected yet): the next period's comes next
        next_due = DueReport(period, rules.due_on(period))
    return InvestorOverview(obligation.kind, overdue, next_due, True)
