"""Figures of the office: the dashboard's counts and sums, and the clock stops per agency.

Each figure comes from a GROUP BY query limited to the caller's ``Scope`` (a region officer sees their
kab/kota only); nothing here loops over all rows in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Region
from app.security import Scope
from estates.models import CapitalStatus, Estate, EstateStatus
from estates.queries import estates_visible_to, limited_region
from estates.tally import EstateTally, recount_query
from permits.agencies.models import Agency
from permits.models import Permit, PermitEvent, PermitStatus
from permits.queries import scoped_permits
from permits.stages import ASKED
from permits.tally import tallied_by_status
from permits.workflow import at_risk_share

# The pipeline is every estate that is not operating yet (a stopped estate is still in it).
PIPELINE_EXCLUDES = (EstateStatus.OPERATING,)


# --- clock stops ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockStopFigure:
    """How often and how late one agency stopped the clock by returning files for revision."""

    agency: Agency | None  # None: permits without an agency record
    stops: int
    permits: int
    average_share: Decimal  # agency days used when the clock stopped, as a share of the limit
    late_stops: int  # stops that came after the at-risk share of the limit was used
    latest_share: Decimal


def clock_stops_by_agency(scope: Scope, late_share: Decimal | None = None) -> list[ClockStopFigure]:
    """Every return for revision of a permit the scope may see, grouped by the permit's issuing agency (one row
    per agency record), most stops first.

    "How late" is the agency's working days used when it returned the file, over the statutory limit then in
    force (both recorded on the event). A stop at or past ``late_share`` (default: the at-risk setting) is
    late: the abuse reported by Kadin of a last-minute clarification that restarts the clock.
    """
    late_share = late_share if late_share is not None else at_risk_share()
    share = PermitEvent.agency_days_used * 1.0 / func.nullif(PermitEvent.sla_working_days, 0)
    query = (
        select(
            Permit.agency_id,
            func.count(PermitEvent.id),
            func.count(func.distinct(Permit.id)),
            func.avg(share),
            func.count(PermitEvent.id).filter(share >= float(late_share)),
            func.max(share),
        )
        .join(PermitEvent.permit)
        .join(Permit.estate)
        .where(
            PermitEvent.to_status.in_(ASKED),
            PermitEvent.from_status.is_not(None),
            estates_visible_to(scope),
        )
        .group_by(Permit.agency_id)
        .order_by(func.count(PermitEvent.id).desc(), Permit.agency_id)
    )
    rows = db.session.execute(query).all()
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_([r[0] for r in rows])))}
    return [
        ClockStopFigure(agencies.get(agency_id), stops, permits, _share(avg), late, _share(latest))
        for agency_id, stops, permits, avg, late, latest in rows
    ]


def _share(value: float | None) -> Decimal:
    return Decimal(str(round(value or 0, 4)))


# --- dashboard -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionFigure:
    region: Region
    estates: int
    area_ha: Decimal
    pipeline_rp: Decimal


@dataclass(frozen=True)
class CapitalFigure:
    capital_status: CapitalStatus
    estates: int
    pipeline_rp: Decimal


@dataclass(frozen=True)
class DashboardFigures:
    """Every figure of the home page, each from one GROUP BY query."""

    estate_count: int
    estates_by_status: list[tuple[EstateStatus, int]]
    pipeline_count: int
    pipeline_rp: Decimal
    total_area_ha: Decimal
    permit_count: int
    permits_by_status: list[tuple[PermitStatus, int]]
    by_region: list[RegionFigure]
    by_capital: list[CapitalFigure]
    top_estates: Sequence[Estate] = field(default_factory=list)  # in process: neither operating nor stopped
    stopped_estates: Sequence[Estate] = field(default_factory=list)  # under a stop order, largest first

    @property
    def max_region_pipeline_rp(self) -> Decimal:
        return max((r.pipeline_rp for r in self.by_region), default=Decimal(0))


def _in_pipeline():
    return Estate.status.not_in(PIPELINE_EXCLUDES)


@dataclass
class _Sums:
    estates: int = 0
    area_m2: int = 0
    pipeline: int = 0  # estates not yet operating
    pipeline_rp: int = 0

    def add(self, status: EstateStatus, estates: int, area_m2: int, investment_rp: int) -> None:
        self.estates += estates
        self.area_m2 += area_m2
        if status not in PIPELINE_EXCLUDES:
            self.pipeline += estates
            self.pipeline_rp += investment_rp

    @property
    def area_ha(self) -> Decimal:
        return Decimal(self.area_m2).scaleb(-4)


def _estate_rows(scope: Scope):
    """Every kab/kota the scope covers (an officer of one: only it), each with its estates' figures per capital
    status and estate status in scope (none: one row of ``None``): the kept ``estate_tally`` for the province or
    one kab/kota, a recount of the visible estates for any other scope."""
    region_id = limited_region(scope)
    if scope.sees_everything or region_id is not None:
        source = EstateTally.__table__
    else:
        source = recount_query(estates_visible_to(scope)).subquery()
    region_col, capital, status, estates, area, rupiah = source.c
    query = (
        select(Region, capital, status, estates, area, rupiah)
        .outerjoin(source, region_col == Region.id)
        .order_by(Region.bps_code)
    )
    if region_id is not None:
        query = query.where(Region.id == region_id)
    return db.session.execute(query).all()


def _estate_figures(scope: Scope) -> tuple[_Sums, dict[EstateStatus, int], list[RegionFigure], list[CapitalFigure]]:
    """The estates' totals, by status, by kab/kota and by capital status in scope, from one read."""
    total, regions, capitals = _Sums(), {}, {c: _Sums() for c in CapitalStatus}
    by_status = dict.fromkeys(EstateStatus, 0)
    for region, capital, status, estates, area, rupiah in _estate_rows(scope):
        sums = regions.setdefault(region, _Sums())
        if capital is None or not estates:
            continue
        status = EstateStatus(status)
        for kept in (total, sums, capitals[CapitalStatus(capital)]):
            kept.add(status, estates, area, rupiah)
        by_status[status] += estates
    by_region = [RegionFigure(r, s.estates, s.area_ha, Decimal(s.pipeline_rp)) for r, s in regions.items()]
    by_capital = [CapitalFigure(c, s.estates, Decimal(s.pipeline_rp)) for c, s in capitals.items()]
    return total, by_status, by_region, by_capital


def _permits_by_status(scope: Scope) -> list[tuple[PermitStatus, int]]:
    """From the counts kept per kab/kota and status (``permits.tally``); counted for any other scope."""
    rows = tallied_by_status(scope)
    if rows is None:
        query = scoped_permits(select(Permit.status, func.count(Permit.id)), scope).group_by(Permit.status)
        rows = dict(db.session.execute(query).all())
    return [(s, rows.get(s, 0)) for s in PermitStatus]


def top_pipeline_estates(scope: Scope, limit: int = 10) -> tuple[Sequence[Estate], Sequence[Estate]]:
    """The largest estates in scope not yet operating, by planned investment then area, with investor and
    region: those in process (a stopped estate is in the pipeline's sums, not in this list) and those under a stop
    order. One statement: the ten of each are chosen on the estate alone (a ``LIMIT`` subquery each), then only
    those joined to investor and region (not thousands joined, then ten)."""
    order = (Estate.planned_investment_rp.desc().nulls_last(), Estate.area_ha.desc(), Estate.name, Estate.id)
    chosen = [
        select(Estate.id).where(_in_pipeline(), status, estates_visible_to(scope)).order_by(*order).limit(limit)
        for status in (Estate.status != EstateStatus.STOPPED, Estate.status == EstateStatus.STOPPED)
    ]
    first, second = (query.subquery() for query in chosen)
    query = (
        select(Estate)
        .where(Estate.id.in_(union_all(select(first.c.id), select(second.c.id))))
        .options(joinedload(Estate.investor), joinedload(Estate.region))
        .order_by(*order)
    )
    estates = db.session.scalars(query).all()
    stopped = [e for e in estates if e.status == EstateStatus.STOPPED]
    return [e for e in estates if e.status != EstateStatus.STOPPED], stopped


def dashboard_figures(scope: Scope, top: int = 10) -> DashboardFigures:
    """Counts and sums for the home page, over the estates (and their permits) the scope may see: all of
    Banten, or an officer's kab/kota. Pipeline = estates not yet operating (stopped ones included)."""
    total, by_status, by_region, by_capital = _estate_figures(scope)
    permits_by_status = _permits_by_status(scope)
    in_process, stopped = top_pipeline_estates(scope, top)
    return DashboardFigures(
        estate_count=total.estates,
        estates_by_status=list(by_status.items()),
        pipeline_count=total.pipeline,
        pipeline_rp=Decimal(total.pipeline_rp),
        total_area_ha=total.area_ha,
        permit_count=sum(n for _, n in permits_by_status),
        permits_by_status=permits_by_status,
        by_region=by_region,
        by_capital=by_capital,
        top_estates=in_process,
        stopped_estates=stopped,
    )
