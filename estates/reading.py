"""Reads of the register for other systems (the JSON API): the pages' searches with the filters and orders an API
offers besides theirs, under the same scope rules."""

from __future__ import annotations

from sqlalchemy import Select

from app.security import Scope
from estates.lists import search_estates, search_investors
from estates.models import CapitalStatus, Estate, EstateStatus, Investor

INVESTOR_SORTS = {
    "name": (Investor.legal_name,),
    "-name": (Investor.legal_name.desc(),),
    "nib": (Investor.nib.is_(None), Investor.nib),
    "capital_status": (Investor.capital_status, Investor.legal_name),
}


def investors_query(q: str | None, capital_status: CapitalStatus | None, sort: str, *, scope: Scope) -> Select:
    """``search_investors`` in one of ``INVESTOR_SORTS`` (ties by id)."""
    query = search_investors(q, capital_status, scope=scope).order_by(None)
    return query.order_by(*INVESTOR_SORTS.get(sort, INVESTOR_SORTS["name"]), Investor.id)


def estates_query(
    q: str | None,
    region_id: int | None,
    status: EstateStatus | None,
    sort: str,
    investor_id: int | None,
    *,
    scope: Scope,
) -> Select:
    """``search_estates`` narrowed to one investor's estates when ``investor_id`` is given (same scope rule)."""
    query = search_estates(q, region_id, status, sort, scope=scope)
    return query if investor_id is None else query.where(Estate.investor_id == investor_id)
