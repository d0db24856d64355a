"""The permit lists: filters, the deadline bands as SQL conditions, and the one base query the permits list and
the stalled list share. Reads only; every query is limited to what the caller's scope may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, bindparam, false, func, select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.listing import Sort, rows_in_order, sort_clauses
from app.models import Region
from app.security import Scope
from estates.models import Estate, Investor
from estates.queries import estates_visible_to, limited_region
from permits.agencies.models import Agency
from permits.catalogue import type_id_of
from permits.clock import Band
from permits.models import RUNNING_STATUSES, STOPPED_STATUSES, Permit, PermitStatus, PermitType
from permits.stages import REVISING
from permits.workflow import today_wib


@dataclass(frozen=True)
class PermitFilters:
    """Filters of the permits list; ``None`` means "any"."""

    status: PermitStatus | None = None
    permit_type_code: str | None = None
    agency_id: int | None = None  # the issuing agency
    region_code: str | None = None  # BPS code of the estate's kab/kota
    band: Band | None = None  # the clock's band today
    q: str | None = None  # a piece of the estate's or the investor's name, or of the reference number
    answered: bool = False  # only the files the investor has answered (back with the agency since)
    sort: Sort = field(default_factory=Sort)  # a key of SORTS; the default: the longest overdue first

    @property
    def active(self) -> bool:
        values = (self.status, self.permit_type_code, self.agency_id, self.region_code, self.band, self.q)
        return any(v is not None for v in values) or self.answered


# The columns the list sorts by (``?sort=key`` or ``-key``); the default is the longest overdue first. Ties by
# estate, type and id.
SORTS = {
    "type": PermitType.sequence,
    "reference": Permit.reference_number,
    "estate": Estate.name,
    "investor": Investor.legal_name,
    "region": Region.name,
    "status": Permit.status,
    "due": Permit.due_on,
    "submitted": Permit.submitted_on,
    "agency": Agency.name_id,
}


def band_condition(band: Band, today: date):
    """SQL for "the permit's clock is in ``band`` at the end of ``today``", from the stored thresholds.

    The thresholds (``at_risk_on``, ``overdue_on``) are kept by ``permits.workflow`` whenever a permit moves
    or the calendar or the at-risk setting changes, so the band of every permit is one indexed comparison.
    """
    running = running_condition()
    if band is Band.OVERDUE:
        return running & (Permit.overdue_on <= today)
    if band is Band.AT_RISK:
        return running & (Permit.at_risk_on <= today) & (Permit.overdue_on > today)
    if band is Band.ON_TRACK:  # the overdue day follows the at-risk day: said too, for ix_permit_overdue_order
        return running & (Permit.at_risk_on > today) & (Permit.overdue_on > today)
    if band is Band.STOPPED:
        return stopped_condition()
    return ~running & Permit.status.not_in(REVISING)


def running_condition() -> ColumnElement[bool]:
    """SQL for "the agency's statutory clock runs": the agency holds the file and its clock has started (a KKPR
    merely submitted waits for the fee: its clock starts when it is declared complete). Written as the partial
    indexes' condition (``RUNNING_WHERE``: the statuses as literals, in its order), so that SQLite counts the bands
    from them (with parameters it read every permit of the status index or of the kab/kota)."""
    statuses = bindparam("running", list(RUNNING_STATUSES), expanding=True, literal_execute=True, unique=True)
    return Permit.status.in_(statuses) & Permit.running_since.is_not(None)


def stopped_condition() -> ColumnElement[bool]:
    """SQL for "the clock is stopped" (``stages.REVISING``), written as ``ix_permit_stopped_type``'s condition
    (``STOPPED_WHERE``: literals, in its order), as ``running_condition`` is."""
    statuses = bindparam("stopped", list(STOPPED_STATUSES), expanding=True, literal_execute=True, unique=True)
    return Permit.status.in_(statuses)


def answered_condition() -> ColumnElement[bool]:
    """SQL for "the investor answered and the file waits for the agency": the permit's last move brought it back
    from the investor (returned, revision, process stopped) to a status where the agency holds it; kept on the
    permit with each move (``Permit.answered``) and counted from its partial index."""
    return Permit.answered.is_(True)


def scoped_permits(query: Select, scope: Scope) -> Select:
    """Limit a query over ``Permit`` to the permits the scope may see, on the permit table alone (``in_scope``)."""
    return query.where(*in_scope(scope))


def work_counts(scope: Scope, today: date | None = None) -> dict[str, int]:
    """What needs doing in the scope: overdue, at risk, answers arrived; each the count of the permits list
    with the matching filter (``band=overdue``, ``band=at_risk``, ``answered=1``), counted on the permits alone
    (the list's joins to estate, investor, region and type drop no row)."""
    today = today or today_wib()
    conditions = {
        "overdue": band_condition(Band.OVERDUE, today),
        "at_risk": band_condition(Band.AT_RISK, today),
        "answered": answered_condition(),
    }
    # One statement, each count a scalar subquery planned on its own; count(*), not of a column, so that each is
    # counted from its partial index alone (PostgreSQL read the heap for the id of every overdue permit of a kab/kota)
    counts = [
        scoped_permits(select(func.count()).select_from(Permit), scope).where(condition).scalar_subquery()
        for condition in conditions.values()
    ]
    return {key: n or 0 for key, n in zip(conditions, db.session.execute(select(*counts)).one(), strict=True)}


def permits_with_context() -> Select:
    """Permits joined to their estate, investor, region, type and agency, all loaded by the same query (lists)."""
    return (
        select(Permit)
        .join(Permit.estate)
        .join(Estate.investor)
        .join(Estate.region)
        .join(Permit.permit_type)
        .outerjoin(Permit.agency)
        .options(
            contains_eager(Permit.estate).contains_eager(Estate.investor),
            contains_eager(Permit.estate).contains_eager(Estate.region),
            contains_eager(Permit.permit_type),
            contains_eager(Permit.agency),
        )
    )


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope as conditions on ``Permit`` alone (a kab/kota by the permit's ``region_id``, an investor's
    estates by id, nothing for the whole province), so that a list is counted on the permit table alone."""
    if scope.sees_everything:
        return []
    if (region_id := limited_region(scope)) is not None:  # a kab/kota officer: the permit's copy of it
        return [Permit.region_id == region_id]
    return [Permit.estate_id.in_(select(Estate.id).where(estates_visible_to(scope)))]


def of_type(code: str) -> ColumnElement[bool]:
    """SQL for "the permit is of the type ``code``" as ``permit_type_id = <id>``, the catalogue's ids kept until the
    next committed write (``app.fragments``): a constant the planner can estimate and an index can start from
    (``ix_permit_stopped_type``, ``ix_permit_region_type``), where a subquery of the id was a join to plan. An
    unknown code matches no permit."""
    type_id = type_id_of(code)
    return Permit.permit_type_id == type_id if type_id is not None else false()


def region_with_code(bps_code: str) -> ColumnElement:
    """The id of the kab/kota with BPS code ``bps_code``, as a subquery (none: no permit matches)."""
    return select(Region.id).where(Region.bps_code == bps_code).scalar_subquery()


def list_conditions(filters: PermitFilters, scope: Scope, today: date | None = None) -> list[ColumnElement[bool]]:
    """The scope and ``filters`` as conditions on ``Permit`` alone: a filter on a related record (the type's
    code, the kab/kota, a name) is a subquery of ids, never a join, so the rows and the count share them."""
    conditions = in_scope(scope)
    if filters.status is not None:
        conditions.append(Permit.status == filters.status)
    if filters.permit_type_code:
        conditions.append(of_type(filters.permit_type_code))
    if filters.agency_id is not None:
        conditions.append(Permit.agency_id == filters.agency_id)
    if filters.region_code:
        conditions.append(Permit.region_id == region_with_code(filters.region_code))
    if filters.band is not None:
        conditions.append(band_condition(filters.band, today or today_wib()))
    if filters.answered:
        conditions.append(answered_condition())
    if filters.q:
        text = filters.q.lower()
        named = (
            select(Estate.id)
            .join(Estate.investor)
            .where(
                func.lower(Estate.name).contains(text, autoescape=True)
                | func.lower(Investor.legal_name).contains(text, autoescape=True)
            )
        )
        reference = func.lower(func.coalesce(Permit.reference_number, "")).contains(text, autoescape=True)
        conditions.append(Permit.estate_id.in_(named) | reference)
    return conditions


# The sorts by a column of the permit itself: ties by id alone (the rest also by estate and catalogue order).
OWN_SORTS = frozenset({"reference", "status", "due", "submitted"})


def in_list_order(query: Select, filters: PermitFilters) -> Select:
    """``query`` in the list's order: by days overdue (the permit overdue longest first; ``overdue_on`` is the
    first working day past the limit), then the other running permits by nearest deadline, then the rest; ties
    by id (the order in which they were recorded). That order is the permit's own columns, read in the order of
    the index ``ix_permit_overdue_order``. Or the header's sort (``SORTS``)."""
    if order := sort_clauses(filters.sort, SORTS):
        if filters.sort.key in OWN_SORTS:
            return query.order_by(*order, Permit.id)
        return query.order_by(*order, Estate.name, PermitType.sequence, Permit.id)
    if filters.band in (Band.STOPPED, Band.IDLE):  # no agency clock runs: no overdue day, the same order by id
        return query.order_by(Permit.id)
    return query.order_by(Permit.overdue_on.asc().nulls_last(), Permit.id)


def permit_list_query(filters: PermitFilters, scope: Scope, today: date | None = None) -> Select:
    """Permits of the estates the scope may see matching ``filters``, with estate, investor, region and type
    loaded, in the list's order (``in_list_order``). Returns a statement to paginate (no N+1: every related row
    needed by the list is loaded by the same query) or to export; a page of the list is read faster with
    ``permit_page_ids`` and ``permits_by_ids``, and counted with ``permit_list_count``."""
    return in_list_order(permits_with_context().where(*list_conditions(filters, scope, today)), filters)


def permit_page_ids(filters: PermitFilters, scope: Scope, today: date | None = None) -> Select:
    """The ids of ``permit_list_query``'s rows in its order (to paginate), read from the permit table alone
    unless the sort is by a related record's column: the page is a ``Limit`` over a permit index whatever join
    order an engine would have chosen for the whole list (SQLite joined every estate before sorting by id)."""
    query = select(Permit.id).where(*list_conditions(filters, scope, today))
    if filters.sort.key in SORTS and filters.sort.key not in OWN_SORTS:
        query = query.join(Permit.estate).join(Estate.investor).join(Estate.region).join(Permit.permit_type)
        query = query.outerjoin(Permit.agency)
    return in_list_order(query, filters)


def permits_by_ids(ids: Sequence[int]) -> list[Permit]:
    """The permits ``ids`` (a page of the list) with estate, investor, region and type loaded, in that order."""
    return rows_in_order(permits_with_context(), ids)


def permit_list_count(filters: PermitFilters, scope: Scope, today: date | None = None) -> Select:
    """The number of rows of ``permit_list_query``, counted on the permit table alone (its joins drop no row)."""
    return select(func.count()).select_from(Permit).where(*list_conditions(filters, scope, today))


def agencies_in_scope(scope: Scope) -> Sequence[Agency]:
    """The agencies of the permits the scope may see, by Indonesian name (the choices of the agency filters).

    Read from the agency records, each asking whether one permit in scope names it (an index probe on
    ``permit.agency_id``, with ``region_id`` for a kab/kota officer, per agency, which stops at the first), never
    a scan of every permit."""
    held = select(Permit.id).where(Permit.agency_id == Agency.id, *in_scope(scope))
    return db.session.scalars(select(Agency).where(held.exists()).order_by(Agency.name_id)).all()
