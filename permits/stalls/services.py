"""Reads of the stall flags for other systems (the JSON API): the same scope rule as the stalled list."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from app.listing import Sort, sort_clauses
from app.security import Scope
from estates.queries import estates_visible_to
from permits.models import Permit
from permits.stalls.models import FlagKind, StallFlag

# The orders of the flags (the API's ``sort``): when raised, their kind, their permit.
FLAG_SORTS = {"raised": StallFlag.raised_on, "kind": StallFlag.kind, "permit": StallFlag.permit_id}


def flags_query(scope: Scope, kind: FlagKind | None = None, open_only: bool = True, sort: Sort | None = None) -> Select:
    """Flags of the permits the scope may see (open ones unless ``open_only`` is false), newest first or in the
    order of ``sort`` (a key of ``FLAG_SORTS``)."""
    order = sort_clauses(sort or Sort(), FLAG_SORTS) or [StallFlag.raised_on.desc()]
    query = (
        select(StallFlag)
        .join(StallFlag.permit)
        .join(Permit.estate)
        .where(estates_visible_to(scope))
        .options(contains_eager(StallFlag.permit))
        .order_by(*order, StallFlag.id.desc())
    )
    if kind is not None:
        query = query.where(StallFlag.kind == kind)
    if open_only:
        query = query.where(StallFlag.resolved_on.is_(None))
    return query
