"""Reads of permits for other systems (the JSON API): the list with the pages' filters and scope, and a permit's
facts as one plain record (its clock, sub-stage, agency, legal basis and regime), so that the API computes nothing
of its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from app.security import Scope
from estates.models import Estate
from permits.clock import ClockState
from permits.models import Permit
from permits.queries import PermitFilters, permit_list_count, permit_list_query
from permits.stages import Stage, stage_of
from permits.workflow import MissingRule, permit_clocks, rule_of


def _of_investor(investor_id: int | None) -> list:
    if investor_id is None:
        return []
    return [Permit.estate_id.in_(select(Estate.id).where(Estate.investor_id == investor_id))]


def permits_query(filters: PermitFilters, scope: Scope, investor_id: int | None = None) -> Select:
    """``permit_list_query`` narrowed to one investor's permits when ``investor_id`` is given."""
    return permit_list_query(filters, scope).where(*_of_investor(investor_id))


def permits_count(filters: PermitFilters, scope: Scope, investor_id: int | None = None) -> Select:
    """The number of rows of ``permits_query``, on the permit table alone."""
    return permit_list_count(filters, scope).where(*_of_investor(investor_id))


@dataclass(frozen=True)
class PermitFacts:
    permit: Permit
    clock: ClockState
    legal_basis: str | None
    regulation: str | None
    sub_stage: Stage | None


def permit_facts(permits: Sequence[Permit], today: date | None = None) -> list[PermitFacts]:
    """Each permit with its clock as of ``today`` (WIB), the rule it is counted under and its sub-stage."""
    clocks = permit_clocks(list(permits), today)
    facts = []
    for permit in permits:
        try:
            rule = rule_of(permit, today)
        except MissingRule:
            rule = None
        stage = stage_of(permit.status, rule.clock_starts_at) if rule is not None else None
        facts.append(
            PermitFacts(
                permit=permit,
                clock=clocks[permit.id],
                legal_basis=rule.legal_basis if rule is not None else None,
                regulation=rule.regime.name if rule is not None else None,
                sub_stage=stage,
            )
        )
    return facts
