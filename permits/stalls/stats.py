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

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select

from app.extensions import db
from app.listing import Sort, plain_rows, sort_clauses
from app.security import Scope
from estates.models import Estate
from estates.queries import limited_region
from permits.agencies.models import Agency
from permits.clock import Band, ClockState
from permits.dashboard import WorkItem
from permits.models import Permit, PermitType
from permits.queries import in_scope, of_type, permits_with_context, region_with_code
from permits.stages import ASKED, DECIDED_FROM, DECISIONS, Holder  # noqa: F401 - DECIDED_FROM, DECISIONS re-exported
from permits.stalls.agency_figures import (  # noqa: F401 - the figures' names, re-exported
    FIGURE_SORTS,
    Grouping,
    StallFigure,
    StallFilters,
    StallStatistics,
    filter_conditions,
    median,
    percentile,
    stall_statistics,
)
from permits.stalls.models import SEVERITY, FlagKind, StalledPermit, StallFlag
from permits.workflow import permit_clocks

# --- the officers' list --------------------------------------------------------------------------------------


def is_stalled() -> ColumnElement[bool]:
    """The permit has an open stall flag: its row in ``StalledPermit`` (a probe of its primary key), kept with the
    flags; nothing is written on the permit, so raising or resolving a flag never rewrites a permit row."""
    return select(StalledPermit.permit_id).where(StalledPermit.permit_id == Permit.id).exists()


def _conditions(filters: StallFilters, scope: Scope) -> list[ColumnElement[bool]]:
    """The scope and the filters as conditions on ``Permit`` alone (the type and the kab/kota by subqueries of
    ids), shared by the rows and the count, without the open flags (``_flag_condition``)."""
    conditions = in_scope(scope)
    if filters.agency_id is not None:
        conditions.append(Permit.agency_id == filters.agency_id)
    if filters.permit_type_code:
        conditions.append(of_type(filters.permit_type_code))
    if filters.region_code:
        conditions.append(Permit.region_id == region_with_code(filters.region_code))
    return conditions


def _flag_condition(filters: StallFilters) -> ColumnElement[bool]:
    """An open flag (of ``filters.kind`` when given) of the permit. For a page read from the flags
    (``reads_from_flags``) the permit's id among the ids of the kind's open flags: SQLite ran the ``EXISTS`` as a
    probe for each of the 200,000 permits (100 ms at the reference size), where the ids are a range of
    ``ix_stall_flag_open`` (986 entries) and as many probes of the primary key; PostgreSQL plans both as the
    same semi-join."""
    if filters.kind is None:
        return is_stalled()
    if reads_from_flags(filters):
        of_kind = select(StallFlag.permit_id).where(StallFlag.resolved_on.is_(None), StallFlag.kind == filters.kind)
        return Permit.id.in_(of_kind)
    return (
        select(StallFlag.id)
        .where(StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None), StallFlag.kind == filters.kind)
        .exists()
    )


STALL_SORTS = ("type", "reference", "estate", "late", "agency", "raised")
NEVER_LATE = date(9999, 12, 31)  # after every day a permit goes late: no permit is ordered past it


def reads_from_flags(filters: StallFilters) -> bool:
    """Whether a page of the list is best found from the open flags rather than by walking the list's order.

    The merely at-risk permits are not late yet: in the default order (the earliest day gone late first) they
    come after every late permit, so walking ``ix_permit_late_order`` for a page of them read the 49,000 late
    permits first (110-250 ms at the reference size), the planner taking the at-risk flags to be spread evenly
    over the order. Their flags are few (about 1,000 of 200,000 permits): read from them and sorted instead."""
    default = filters.sort.key is None or (filters.sort.key == "late" and filters.sort.descending)
    return filters.kind is FlagKind.AT_RISK and default


def flags_order() -> tuple[ColumnElement, ...]:
    """The default order (the earliest day gone late first, the never late last, ties by id) as an expression no
    index provides, for ``reads_from_flags``: the planner starts from the flags and sorts the few permits."""
    return func.coalesce(Permit.late_on, NEVER_LATE), Permit.id


def stalled_permits_query(filters: StallFilters, scope: Scope, base: Select | None = None) -> Select:
    """Permits in scope with at least one open flag (of ``filters.kind`` when given), with estate, investor,
    region and type loaded; longest late first (the earliest day it went late, ``Permit.late_on``), the merely
    at-risk last, ties by id, or in the order of ``filters.sort`` ("late" ascending: the fewest days late
    first). The default order is the index ``ix_permit_late_order``'s (``ix_permit_region_late`` for a kab/kota,
    ``ix_permit_agency_late`` for an agency): the first page walks it, keeping the permits with an open flag.
    Returns a statement to paginate (over ``base``, permits with the records the sort names joined, when given);
    count it with ``stalled_count``."""
    query = (permits_with_context() if base is None else base).where(
        _flag_condition(filters), *_conditions(filters, scope)
    )
    raised = select(func.min(StallFlag.raised_on)).where(
        StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None)
    )
    columns = {
        "type": PermitType.sequence,
        "reference": Permit.reference_number,
        "estate": Estate.name,
        "late": Permit.late_on,
        "agency": Agency.name_id,
        "raised": raised.scalar_subquery(),
    }
    sort = filters.sort
    if sort.key == "late":  # more days late is an earlier day gone late: "-late" is the default order
        if reads_from_flags(filters):
            return query.order_by(*flags_order())
        if sort.descending:
            return query.order_by(Permit.late_on.asc().nulls_last(), Permit.id)
        return query.order_by(*sort_clauses(Sort("late", True), columns), Permit.id)
    if order := sort_clauses(sort, columns):
        return query.order_by(*order, Estate.name, Permit.id)
    if reads_from_flags(filters):
        return query.order_by(*flags_order())
    return query.order_by(Permit.late_on.asc().nulls_last(), Permit.id)


def stalled_count(filters: StallFilters, scope: Scope) -> Select:
    """The number of rows of ``stalled_permits_query``. Filtered by no more than a kab/kota and an agency, in the
    province's or a kab/kota's scope: the rows of ``StalledPermit`` (all of them, or a range of its kab/kota's or
    agency's index); by a kind alone, the permits of its open flags; else the permits matching the conditions
    that have a row."""
    region_id = None if scope.sees_everything else limited_region(scope)
    if filters.kind is None and not filters.permit_type_code and (scope.sees_everything or region_id is not None):
        kept = [] if region_id is None else [StalledPermit.region_id == region_id]
        if filters.region_code:
            kept.append(StalledPermit.region_id == region_with_code(filters.region_code))
        if filters.agency_id is not None:
            kept.append(StalledPermit.agency_id == filters.agency_id)
        return select(func.count()).select_from(StalledPermit).where(*kept)
    if conditions := _conditions(filters, scope):
        return select(func.count()).select_from(Permit).where(_flag_condition(filters), *conditions)
    of_kind = select(StallFlag.permit_id).where(StallFlag.resolved_on.is_(None), StallFlag.kind == filters.kind)
    return select(func.count()).select_from(of_kind.distinct().subquery())


@dataclass(frozen=True)
class StallRow:
    permit: Permit
    clock: ClockState
    flags: list[Any]  # the open flags (their ``kind`` and ``raised_on``), most serious first

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


def stall_rows(
    permits: Sequence[Permit],
    today: date,
    clocks: dict[int, ClockState] | None = None,
    open_flags: dict[int, list[Any]] | None = None,
) -> list[StallRow]:
    """One row per permit of a page of the list, with its clock (``clocks`` when given) and open flags
    (``open_flags`` when given, else one query for all flags, of the two columns the list shows: not the flags as
    objects, whose confirmation day is two subqueries of the scans)."""
    ids = [p.id for p in permits]
    flags: dict[int, list[Any]] = defaultdict(list, open_flags or {})
    if ids and open_flags is None:
        query = select(StallFlag.permit_id, StallFlag.kind, StallFlag.raised_on).where(
            StallFlag.permit_id.in_(ids), StallFlag.resolved_on.is_(None)
        )
        for flag in plain_rows(query):
            flags[flag.permit_id].append(flag)
    clocks = permit_clocks(list(permits), today) if clocks is None else clocks
    return [
        StallRow(p, clocks[p.id], sorted(flags[p.id], key=lambda f: (FLAG_ORDER[f.kind], f.raised_on))) for p in permits
    ]


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
    """The dashboard's line of the flagged permits in the scope: the count of the stalled list it links to, with
    the same statement (``stalled_count``: the rows of ``StalledPermit``, all or a kab/kota's)."""
    count = db.session.scalar(stalled_count(StallFilters(), scope)) or 0
    return WorkItem("flagged", _l("Flagged"), count, url_for("stalls.stalled_list"))
