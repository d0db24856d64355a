"""Stalled approvals: the officers' list of flagged permits and the governor's office figures per agency.

The list shows the permits with open flags of the morning scan (``permits.stalls.scan``), longest overdue first.
The figures group permits by issuing agency (the record: one row per agency, however its name was once
written), permit type or kab/kota: open permits overdue now; for decided permits the median and 90th percentile
of the agency's working days to the decision and the share decided within the statutory limit (both read from
the deciding event, which recorded the clock and the limit then in force); and the clock stops (returns for
revision), with those that came late. Each figure comes from one GROUP BY query over the whole set; only the
percentiles are taken in Python, from one query's values.

Every function takes the caller's ``Scope``: a region officer sees the permits of its kab/kota only. Nothing
here writes.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, case, func, select

from app.extensions import db
from app.listing import Sort, sort_clauses
from app.models import Region
from app.security import Scope
from estates.models import Estate
from estates.queries import estates_visible_to
from permits.agencies.models import Agency
from permits.agencies.services import agencies_by_id
from permits.clock import Band, ClockState
from permits.dashboard import WorkItem
from permits.models import Permit, PermitEvent, PermitStatus, PermitType
from permits.queries import band_condition, permits_with_context, running_condition
from permits.stages import AGENCY_STATUSES, ASKED, REVISING, Holder
from permits.stalls.models import SEVERITY, FlagKind, StallFlag
from permits.workflow import at_risk_share, permit_clocks

# The decision of the agency: the first move from its desk (or from a return) to a decided status. Later
# moves (deemed granted -> issued, frozen -> issued) are not decisions of the application.
DECISIONS = (PermitStatus.ISSUED, PermitStatus.VERIFIED, PermitStatus.DEEMED_GRANTED, PermitStatus.REJECTED)
DECIDED_FROM = (*AGENCY_STATUSES, *REVISING)


# --- the officers' list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StallFilters:
    """Filters of the stalled list and of the figures; ``None`` means "any"."""

    kind: FlagKind | None = None  # the list only
    agency_id: int | None = None  # the issuing agency
    permit_type_code: str | None = None
    region_code: str | None = None  # BPS code of the estate's kab/kota
    sort: Sort = field(default_factory=Sort)  # the list: a key of STALL_SORTS; the figures: of FIGURE_SORTS

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.kind, self.agency_id, self.permit_type_code, self.region_code))


def _filtered(query: Select, filters: StallFilters, scope: Scope) -> Select:
    """Add the scope and the filters to a query that joins Permit, Estate, Region and PermitType."""
    query = query.where(estates_visible_to(scope))
    if filters.agency_id is not None:
        query = query.where(Permit.agency_id == filters.agency_id)
    if filters.permit_type_code:
        query = query.where(PermitType.code == filters.permit_type_code)
    if filters.region_code:
        query = query.where(Region.bps_code == filters.region_code)
    return query


def _late_since() -> ColumnElement:
    """The first day the permit was late: the agency's (running clock) or the investor's (returned)."""
    return case(
        (running_condition(), Permit.overdue_on),
        else_=func.coalesce(Permit.investor_overdue_on, Permit.investor_silent_on),
    )


STALL_SORTS = ("type", "reference", "estate", "late", "agency", "raised")


def stalled_permits_query(filters: StallFilters, scope: Scope) -> Select:
    """Permits in scope with at least one open flag (of ``filters.kind`` when given), with estate, investor,
    region and type loaded; longest late first (the earliest day it went late), the merely at-risk last, or in
    the order of ``filters.sort`` ("late" ascending: the fewest days late first). Returns a statement to
    paginate."""
    open_flags = select(StallFlag.id).where(StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None))
    if filters.kind is not None:
        open_flags = open_flags.where(StallFlag.kind == filters.kind)
    query = _filtered(permits_with_context().where(open_flags.exists()), filters, scope)
    late = _late_since()
    raised = select(func.min(StallFlag.raised_on)).where(
        StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None)
    )
    columns = {
        "type": PermitType.sequence,
        "reference": Permit.reference_number,
        "estate": Estate.name,
        "late": late,
        "agency": Agency.name_id,
        "raised": raised.scalar_subquery(),
    }
    sort = filters.sort
    if sort.key == "late":  # more days late is an earlier day gone late
        sort = Sort("late", not sort.descending)
    if order := sort_clauses(sort, columns):
        return query.order_by(*order, Estate.name, Permit.id)
    return query.order_by(case((late.is_(None), 1), else_=0), late, Estate.name, Permit.id)


@dataclass(frozen=True)
class StallRow:
    permit: Permit
    clock: ClockState
    flags: list[StallFlag]  # open, most serious first

    @property
    def late_party(self) -> Holder:
        return self.clock.holder

    @property
    def days_overdue(self) -> int:
        """Working days past the agency's limit, or past the investor's revision window when it is returned."""
        if self.clock.band is Band.OVERDUE:
            return self.clock.days_overdue
        if self.clock.status in ASKED and self.clock.investor_limit is not None:
            return max(self.clock.investor_round_days_used - self.clock.investor_limit, 0)
        return 0

    @property
    def raised_on(self) -> date:
        return min(f.raised_on for f in self.flags)


FLAG_ORDER = {kind: n for n, kind in enumerate(SEVERITY)}


def stall_rows(permits: Sequence[Permit], today: date) -> list[StallRow]:
    """One row per permit of a page of the list, with its clock and open flags (one query for all flags)."""
    ids = [p.id for p in permits]
    flags: dict[int, list[StallFlag]] = defaultdict(list)
    if ids:
        query = select(StallFlag).where(StallFlag.permit_id.in_(ids), StallFlag.resolved_on.is_(None))
        for flag in db.session.scalars(query):
            flags[flag.permit_id].append(flag)
    clocks = permit_clocks(list(permits), today)
    return [
        StallRow(p, clocks[p.id], sorted(flags[p.id], key=lambda f: (FLAG_ORDER[f.kind], f.raised_on))) for p in permits
    ]


# --- the governor's office figures -----------------------------------------------------------------------------


class Grouping(enum.StrEnum):
    AGENCY = "agency"
    PERMIT_TYPE = "type"
    REGION = "region"


def _group_columns(grouping: Grouping) -> tuple[ColumnElement, ColumnElement]:
    """(key, label) of a group; the queries join Permit, Estate, Region and PermitType. An agency's key is its id
    and its label is named afterwards (``_name_agencies``), in the caller's language."""
    if grouping is Grouping.PERMIT_TYPE:
        return PermitType.code, PermitType.code
    if grouping is Grouping.REGION:
        return Region.bps_code, Region.name
    return Permit.agency_id, Permit.agency_id


@dataclass
class StallFigure:
    """The figures of one group (or of all of them: the total row)."""

    key: str
    label: str
    running: int = 0  # open permits with the agency (clock running)
    overdue_now: int = 0
    stops: int = 0  # returns for revision (clock stops)
    late_stops: int = 0  # stops made after the at-risk share of the limit was used
    decision_days: list[int] = field(default_factory=list)  # agency working days to each decision
    within_limit: int = 0  # decisions within the statutory limit
    late_days: int = 0  # working days past the limit, summed over the decisions: lateness kept after deciding

    @property
    def decided(self) -> int:
        return len(self.decision_days)

    @property
    def median_days(self) -> Decimal | None:
        return median(self.decision_days)

    @property
    def p90_days(self) -> int | None:
        return percentile(self.decision_days, 90)

    @property
    def share_within(self) -> Decimal | None:
        """Share of the decisions made within the limit, 0..1 (``None`` when nothing was decided)."""
        return Decimal(self.within_limit) / self.decided if self.decided else None


def median(values: Sequence[int]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count); ``None`` for no value."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[mid])
    return (Decimal(ordered[mid - 1]) + Decimal(ordered[mid])) / 2


def percentile(values: Sequence[int], pct: int) -> int | None:
    """The nearest-rank percentile: the smallest value such that ``pct``% of the values are at most it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max((pct * len(ordered) + 99) // 100, 1)  # ceil(pct% of n) in integers
    return ordered[rank - 1]


# The columns of the figures a header sorts by: the group's name and each figure.
FIGURE_SORTS: dict[str, Callable[[StallFigure], object]] = {
    "label": lambda f: f.label.casefold(),
    **{
        name: attrgetter(name)
        for name in (
            *("running", "overdue_now", "decided", "median_days", "p90_days"),
            *("share_within", "late_days", "stops", "late_stops"),
        )
    },
}


@dataclass(frozen=True)
class StallStatistics:
    grouping: Grouping
    rows: list[StallFigure]
    total: StallFigure
    late_share: Decimal


def _base(*columns: ColumnElement, events: bool = False) -> Select:
    query = select(*columns)
    query = query.select_from(PermitEvent).join(PermitEvent.permit) if events else query.select_from(Permit)
    return query.join(Permit.estate).join(Estate.region).join(Permit.permit_type)


def stall_statistics(
    grouping: Grouping,
    filters: StallFilters,
    scope: Scope,
    today: date,
    late_share: Decimal | None = None,
    locale: str = "id",
) -> StallStatistics:
    """Figures per group of the permits in scope matching ``filters`` (its ``kind`` is ignored), the groups
    with most permits overdue now first, and the total over all of them; agencies are named in ``locale``.

    Three queries: open permits (GROUP BY), the deciding events' working days and limits (their values, for
    the percentiles), and the clock stops (GROUP BY). A stop is late at or past ``late_share`` of the limit
    (default: the at-risk setting), as on the clock-stops page.
    """
    late_share = late_share if late_share is not None else at_risk_share()
    key, label = _group_columns(grouping)
    groups: dict[str, StallFigure] = {}

    def group(k: object, lbl: object) -> StallFigure:
        k, lbl = ("" if k is None else str(k)), ("" if lbl is None else str(lbl))
        return groups.setdefault(k, StallFigure(k, lbl))

    running = running_condition()
    overdue = band_condition(Band.OVERDUE, today)
    open_query = _base(key, label, func.count(Permit.id), func.count(Permit.id).filter(overdue)).where(running)
    for k, lbl, n_running, n_overdue in db.session.execute(_filtered(open_query, filters, scope).group_by(key, label)):
        figure = group(k, lbl)
        figure.running, figure.overdue_now = n_running, n_overdue

    decisions = _base(key, label, PermitEvent.agency_days_used, PermitEvent.sla_working_days, events=True).where(
        PermitEvent.to_status.in_(DECISIONS), PermitEvent.from_status.in_(DECIDED_FROM)
    )
    for k, lbl, used, sla in db.session.execute(_filtered(decisions, filters, scope)):
        figure = group(k, lbl)
        figure.decision_days.append(used)
        figure.within_limit += used <= sla
        figure.late_days += max(used - sla, 0)

    share = PermitEvent.agency_days_used * 1.0 / func.nullif(PermitEvent.sla_working_days, 0)
    late = func.count(PermitEvent.id).filter(share >= float(late_share))
    returned = PermitEvent.to_status.in_(ASKED) & PermitEvent.from_status.is_not(None)
    stops = _base(key, label, func.count(PermitEvent.id), late, events=True).where(returned)
    for k, lbl, n_stops, n_late in db.session.execute(_filtered(stops, filters, scope).group_by(key, label)):
        figure = group(k, lbl)
        figure.stops, figure.late_stops = n_stops, n_late

    if grouping is Grouping.AGENCY:
        _name_agencies(groups, locale)
    rows = sorted(
        groups.values(), key=lambda f: (-f.overdue_now, -(f.median_days if f.median_days is not None else -1), f.label)
    )
    return StallStatistics(grouping, rows, _total(rows), late_share)


def _name_agencies(groups: dict[str, StallFigure], locale: str) -> None:
    """Label each agency group with the agency's name; permits with no agency are one group of their own."""
    names = agencies_by_id([int(k) for k in groups if k])
    for key, figure in groups.items():
        figure.label = names[int(key)].name(locale) if key else str(_l("Agency not recorded"))


def _total(rows: list[StallFigure]) -> StallFigure:
    total = StallFigure("", "")
    for f in rows:
        total.running += f.running
        total.overdue_now += f.overdue_now
        total.stops += f.stops
        total.late_stops += f.late_stops
        total.decision_days.extend(f.decision_days)
        total.within_limit += f.within_limit
        total.late_days += f.late_days
    return total


# --- a page of a list computed in Python ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """One page of an in-memory list, with the attributes the ``pager`` macro reads (as ``db.paginate``'s)."""

    all_items: Sequence
    page: int
    per_page: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "page", min(max(self.page, 1), self.pages))  # past the end: the last page

    @property
    def total(self) -> int:
        return len(self.all_items)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def items(self) -> Sequence:
        start = (self.page - 1) * self.per_page
        return self.all_items[start : start + self.per_page]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self) -> Iterator[int]:
        return iter(range(1, self.pages + 1))


def flagged_work_item(scope: Scope) -> WorkItem:
    """The dashboard's line of the flagged permits in the scope: the count of the stalled list it links to."""
    listed = stalled_permits_query(StallFilters(), scope).order_by(None).subquery()
    count = db.session.scalar(select(func.count()).select_from(listed)) or 0
    return WorkItem("flagged", _l("Flagged"), count, url_for("stalls.stalled_list"))
