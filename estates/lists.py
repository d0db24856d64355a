"""The lists of investors and estates: search, filters, sort by column, the totals above the estates and the
figures beside each investor, all limited to the caller's scope (``estates.queries`` holds the rule).

A query argument that makes no sense (an unknown sort key, an over-long search) gives the default answer, never
an error. The list queries return a ``Select`` that the view paginates or exports whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BindParameter, ColumnElement, Select, String, bindparam, func, or_, select, union, union_all
from sqlalchemy.orm import aliased, contains_eager

from app.extensions import db
from app.listing import Sort, read_sort, rows_in_order, sort_clauses
from app.models import Region
from app.security import Scope
from app.statements import kept_statement
from estates.models import CapitalStatus, Estate, EstateStatus, Investor
from estates.queries import (
    MAX_SEARCH_LENGTH,
    contains_pattern,
    contains_text,
    estates_visible_to,
    investors_visible_to,
    limited_region,
)


def investors_listed_to(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on ``Investor``: the investors a list shows. Every investor the scope may see, but an
    officer of one kab/kota lists only the companies with an estate there, or with none recorded yet (a company
    just added, to give its first estate); the others stay reachable by their page."""
    if (region_id := limited_region(scope)) is None:
        return investors_visible_to(scope)
    estates = select(Estate.id).where(Estate.investor_id == Investor.id)
    return estates.where(Estate.region_id == region_id).exists() | ~estates.exists()


INVESTOR_SORT_KEYS = ("name", "capital", "country", "nib", "estates", "investment")


def investor_sorts(scope: Scope) -> dict[str, ColumnElement]:
    """The columns the investors list sorts by; the estates and their planned investment count only the estates
    the scope may see, as the list shows them."""
    own = (Estate.investor_id == Investor.id) & estates_visible_to(scope)
    return {
        "name": Investor.legal_name,
        "capital": Investor.capital_status,
        "country": Investor.country_of_origin,
        "nib": Investor.nib,
        "estates": select(func.count(Estate.id)).where(own).scalar_subquery(),
        "investment": select(func.sum(Estate.planned_investment_rp)).where(own).scalar_subquery(),
    }


def search_investors(
    q: str | None = None, capital_status: CapitalStatus | None = None, sort: str = "name", *, scope: Scope
) -> Select:
    """Investors the list shows to the scope (``investors_listed_to``) whose legal name or NIB contains ``q``,
    of the capital status if given, sorted by a column of ``investor_sorts`` (by name otherwise)."""
    stmt = select(Investor).where(investors_listed_to(scope))
    q = (q or "").strip()[:MAX_SEARCH_LENGTH]
    if q:
        stmt = stmt.where(or_(contains_text(Investor.legal_name, q), contains_text(Investor.nib, q)))
    if capital_status is not None:
        stmt = stmt.where(Investor.capital_status == capital_status)
    sorts = investor_sorts(scope)
    return stmt.order_by(*sort_clauses(read_sort(sorts, {"sort": sort}), sorts), Investor.legal_name, Investor.id)


@dataclass(frozen=True)
class InvestorStats:
    estates: int = 0
    investment_rp: Decimal | None = None


def investor_stats(investor_ids: Sequence[int], scope: Scope) -> dict[int, InvestorStats]:
    """Number of estates and total planned investment per investor, counting only the estates the scope may
    see, in one query for a whole page."""
    if not investor_ids:
        return {}
    stmt = (
        select(Estate.investor_id, func.count(Estate.id), func.sum(Estate.planned_investment_rp))
        .where(Estate.investor_id.in_(investor_ids), estates_visible_to(scope))
        .group_by(Estate.investor_id)
    )
    stats = {
        investor_id: InvestorStats(count, None if total is None else Decimal(total))
        for investor_id, count, total in db.session.execute(stmt)
    }
    return {investor_id: stats.get(investor_id, InvestorStats()) for investor_id in investor_ids}


# The columns the lists sort by (``sort=key`` ascending, ``sort=-key`` descending); estates by name otherwise.
ESTATE_SORTS = {
    "name": Estate.name,
    "investor": Investor.legal_name,
    "region": Region.name,
    "area": Estate.area_ha,
    "investment": Estate.planned_investment_rp,
    "status": Estate.status,
}


def _estate_filter(
    stmt: Select,
    q: str | BindParameter | None,
    region_id: int | BindParameter | None,
    status: EstateStatus | BindParameter | None,
    scope: Scope,
    few: bool = False,
) -> Select:
    """``stmt`` narrowed to the list's filters. ``few``: the search is known to match few estates (the list's
    count, read first): its matches are then one set, the estates of the names found and of the investors found,
    which PostgreSQL counts right and sorts alone; otherwise (a broad search) two conditions, which let a page be
    read in the order of the names' index until it is full (issue 13)."""
    stmt = stmt.where(estates_visible_to(scope))
    if not isinstance(q, BindParameter):  # a bound search (``estate_page_of_ids``) is its pattern already
        q = (q or "").strip()[:MAX_SEARCH_LENGTH]
    # each name searched on its own table, where PostgreSQL's trigram index finds it (migration 0017)
    if isinstance(q, BindParameter) or q:
        by_name = select(Estate.id).where(contains_text(Estate.name, q)).correlate(None)
        by_investor = select(Investor.id).where(contains_text(Investor.legal_name, q)).correlate(None)
        if few:
            theirs = aliased(Estate)
            of_investors = select(theirs.id).where(theirs.investor_id.in_(by_investor)).correlate(None)
            stmt = stmt.where(Estate.id.in_(union(by_name, of_investors)))
        else:
            stmt = stmt.where(or_(Estate.id.in_(by_name), Estate.investor_id.in_(by_investor)))
    if region_id is not None:
        stmt = stmt.where(Estate.region_id == region_id)
    if status is not None:
        stmt = stmt.where(Estate.status == status)
    return stmt


def search_estates(
    q: str | None = None,
    region_id: int | None = None,
    status: EstateStatus | None = None,
    sort: str = "name",
    *,
    scope: Scope,
) -> Select:
    """Estates the scope may see matching ``q`` (estate or investor name), the kab/kota and the status, sorted
    by a column of ``ESTATE_SORTS`` (``-key``: descending; an unknown key sorts by name). Investor and region
    come loaded."""
    stmt = _estate_filter(_estates_with_context(), q, region_id, status, scope)
    return _ordered(stmt, read_sort(ESTATE_SORTS, {"sort": sort}))


def _estates_with_context() -> Select:
    """Estates joined to their investor and kab/kota, both loaded by the same query."""
    return (
        select(Estate)
        .join(Estate.investor)
        .join(Estate.region)
        .options(contains_eager(Estate.investor), contains_eager(Estate.region))
    )


def _ordered(stmt: Select, sorting: Sort) -> Select:
    """``stmt`` in the list's order: the header's sort (``ESTATE_SORTS``), then by name and id. A column that is
    never empty is sorted without ``sort_clauses``' "empty values last" (the same order): ``ORDER BY name IS NULL,
    name`` sorts every estate, ``ORDER BY name`` reads the first rows of the unique index of the names (issue 13)."""
    clauses = sort_clauses(sorting, ESTATE_SORTS)
    if clauses and not ESTATE_SORTS[sorting.key].expression.nullable:
        clauses = clauses[1:]
    return stmt.order_by(*clauses, Estate.name, Estate.id)


# The sorts by a column of the estate itself: a page of the list is then read from the estate table alone.
OWN_SORTS = frozenset({"name", "area", "investment", "status"})
# A search that matches at most this many estates reads them as one set (``_estate_filter``): sorting them is
# cheaper than walking the names' index past the estates that do not match.
FEW_MATCHES = 200


def estate_page_ids(
    q: str | None = None,
    region_id: int | None = None,
    status: EstateStatus | None = None,
    sort: str = "name",
    *,
    scope: Scope,
    few: bool = False,
) -> Select:
    """The ids of ``search_estates``' rows in its order (to paginate), from the estate table alone unless the sort
    is by the investor's or the kab/kota's name: a page is then a ``Limit`` over the unique index of the names
    instead of a sort of every estate joined to its investor and kab/kota. Load it with ``estates_by_ids`` (the
    entities) or ``estates.rows.estate_rows`` (the columns the list shows). ``few``: see ``_estate_filter``."""
    sorting = read_sort(ESTATE_SORTS, {"sort": sort})
    stmt = select(Estate.id)
    if sorting.key is not None and sorting.key not in OWN_SORTS:
        stmt = stmt.join(Estate.investor).join(Estate.region)
    return _ordered(_estate_filter(stmt, q, region_id, status, scope, few), sorting)


def estate_page_of_ids(
    q: str | None,
    region_id: int | None,
    status: EstateStatus | None,
    sort: str,
    *,
    scope: Scope,
    few: bool,
    limit: int,
    offset: int,
) -> list[int]:
    """``limit`` ids of ``estate_page_ids`` from ``offset``, by a statement built once per shape of the filters
    (which are given, the order, ``few``, the scope: ``app.statements``) with their values bound."""
    q = (q or "").strip()[:MAX_SEARCH_LENGTH]
    sorting = read_sort(ESTATE_SORTS, {"sort": sort})
    given = (bool(q), region_id is not None, status is not None)
    key = (scope, *given, few, sorting.key, sorting.descending)

    def build() -> Select:
        typed = (bindparam("q", type_=String()), bindparam("region"), bindparam("status"))  # the two last: the columns'
        bound = [param if present else None for param, present in zip(typed, given, strict=True)]
        stmt = estate_page_ids(*bound, sort=sort, scope=scope, few=few)  # type: ignore[arg-type]
        return stmt.limit(bindparam("limit")).offset(bindparam("offset"))

    values = {"q": contains_pattern(q), "region": region_id, "status": status, "limit": limit, "offset": offset}
    return list(db.session.scalars(kept_statement("estate-page-ids", key, build), values))


def estates_by_ids(ids: Sequence[int]) -> list[Estate]:
    """The estates ``ids`` (a page of the list) with investor and kab/kota loaded, in that order."""
    return rows_in_order(_estates_with_context(), ids)


@dataclass(frozen=True)
class EstateTotals:
    count: int
    area_ha: Decimal
    investment_rp: Decimal


def estate_totals(
    q: str | None = None, region_id: int | None = None, status: EstateStatus | None = None, *, scope: Scope
) -> EstateTotals:
    """Count, total area and total planned investment of the estates ``search_estates`` would list (a search is
    first probed: a search of few matches is counted as one set, ``_estate_filter``)."""
    stmt = select(
        func.count(Estate.id),
        func.coalesce(func.sum(Estate.area_ha), 0),
        func.coalesce(func.sum(Estate.planned_investment_rp), 0),
    )  # on the estate alone: every filter is a condition on it (an estate always has its investor)
    few = _few_matches(q)
    count, area, investment = db.session.execute(_estate_filter(stmt, q, region_id, status, scope, few)).one()
    return EstateTotals(int(count), Decimal(area), Decimal(investment))


def _few_matches(q: str | None) -> bool:
    """Whether the search ``q`` matches at most ``FEW_MATCHES`` estates, by name or by investor, whatever the other
    filters and the scope (they only narrow it): a count of at most ``FEW_MATCHES + 1`` rows, which stops there
    for a broad search. False without a search."""
    q = (q or "").strip()[:MAX_SEARCH_LENGTH]
    if not q:
        return False
    theirs = aliased(Estate)
    by_name = select(Estate.id).where(contains_text(Estate.name, q))
    of_investors = select(theirs.id).join(Investor, Investor.id == theirs.investor_id)
    found = union_all(by_name, of_investors.where(contains_text(Investor.legal_name, q))).limit(FEW_MATCHES + 1)
    return (db.session.scalar(select(func.count()).select_from(found.subquery())) or 0) <= FEW_MATCHES
