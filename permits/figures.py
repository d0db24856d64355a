"""Figures of the office: the dashboard's counts and sums, and the clock stops per agency.

Each figure comes from a GROUP BY query limited to the caller's ``Scope`` (a region officer sees their
kab/kota only); nothing here loops over all rows in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Region
from app.security import Scope
from estates.models import CapitalStatus, Estate, EstateStatus, Investor
from estates.queries import estates_visible_to, limited_region
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


def _pipeline_sum():
    """SUM of planned investment over the pipeline estates of the group (0 when none)."""
    amount = case((_in_pipeline(), Estate.planned_investment_rp), else_=0)
    return func.coalesce(func.sum(amount), 0)


def _estates_by_status(scope: Scope) -> list[tuple[EstateStatus, int]]:
    query = select(Estate.status, func.count(Estate.id)).where(estates_visible_to(scope)).group_by(Estate.status)
    rows = dict(db.session.execute(query).all())
    return [(s, rows.get(s, 0)) for s in EstateStatus]


def _permits_by_status(scope: Scope) -> list[tuple[PermitStatus, int]]:
    """From the counts kept per kab/kota and status (``permits.tally``); counted for any other scope."""
    rows = tallied_by_status(scope)
    if rows is None:
        query = scoped_permits(select(Permit.status, func.count(Permit.id)), scope).group_by(Permit.status)
        rows = dict(db.session.execute(query).all())
    return [(s, rows.get(s, 0)) for s in PermitStatus]


def _by_region(scope: Scope) -> list[RegionFigure]:
    """Every kab/kota of Banten (an officer of one: only it), with the figures of the estates in scope."""
    area = func.coalesce(func.sum(Estate.area_ha), 0)
    query = (
        select(Region, func.count(Estate.id), area, _pipeline_sum())
        .outerjoin(Estate, and_(Estate.region_id == Region.id, estates_visible_to(scope)))
        .group_by(Region.id)
        .order_by(Region.bps_code)
    )
    if (region_id := limited_region(scope)) is not None:
        query = query.where(Region.id == region_id)
    return [
        RegionFigure(region, estates, Decimal(area), Decimal(amount))
        for region, estates, area, amount in db.session.execute(query).all()
    ]


def _by_capital(scope: Scope) -> list[CapitalFigure]:
    query = (
        select(Investor.capital_status, func.count(Estate.id), _pipeline_sum())
        .join(Estate.investor)
        .where(estates_visible_to(scope))
        .group_by(Investor.capital_status)
    )
    rows = {status: (count, amount) for status, count, amount in db.session.execute(query).all()}
    return [CapitalFigure(s, rows.get(s, (0, 0))[0], Decimal(rows.get(s, (0, 0))[1])) for s in CapitalStatus]


def top_pipeline_estates(scope: Scope, limit: int = 10, stopped: bool = False) -> Sequence[Estate]:
    """The largest estates in scope not yet operating, by planned investment then area, with investor and
    region: those in process (``stopped`` False: a stopped estate is in the pipeline's sums, not in this list)
    or those under a stop order."""
    status = Estate.status == EstateStatus.STOPPED if stopped else Estate.status != EstateStatus.STOPPED
    order = (Estate.planned_investment_rp.desc().nulls_last(), Estate.area_ha.desc(), Estate.name, Estate.id)
    # The ten are chosen on the estate alone, then joined to investor and region (not thousands joined, then ten)
    first = select(Estate.id).where(_in_pipeline(), status, estates_visible_to(scope)).order_by(*order).limit(limit)
    query = (
        select(Estate)
        .where(Estate.id.in_(first.scalar_subquery()))
        .options(joinedload(Estate.investor), joinedload(Estate.region))
        .order_by(*order)
    )
    return db.session.scalars(query).all()


def dashboard_figures(scope: Scope, top: int = 10) -> DashboardFigures:
    """Counts and sums for the home page, over the estates (and their permits) the scope may see: all of
    Banten, or an officer's kab/kota. Pipeline = estates not yet operating (stopped ones included)."""
    area = func.coalesce(func.sum(Estate.area_ha), 0)
    pipeline_count = func.count(Estate.id).filter(_in_pipeline())
    totals_query = select(func.count(Estate.id), area, pipeline_count, _pipeline_sum()).where(estates_visible_to(scope))
    totals = db.session.execute(totals_query).one()
    permits_by_status = _permits_by_status(scope)
    return DashboardFigures(
        estate_count=totals[0],
        estates_by_status=_estates_by_status(scope),
        pipeline_count=totals[2],
        pipeline_rp=Decimal(totals[3]),
        total_area_ha=Decimal(totals[1]),
        permit_count=sum(n for _, n in permits_by_status),
        permits_by_status=permits_by_status,
        by_region=_by_region(scope),
        by_capital=_by_capital(scope),
        top_estates=top_pipeline_estates(scope, top),
        stopped_estates=top_pipeline_estates(scope, top, stopped=True),
    )
