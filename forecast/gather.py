"""The facts the forecast reads from the register, through the estates' and permits' own models and services:
each estate's zones, stop order and claims, each permit type's state for the estate, and the delays the
tracker's decided permits show per permit type and agency. A fixed number of queries, whatever the size."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from estates.models import ClaimMetric, Estate, EstateStatus, Investor
from forecast.model import PermitFact, ZoneFacts
from permits.clock import Band
from permits.models import Permit, PermitEvent, PermitType
from permits.rules import PermitRule
from permits.stages import TERMINAL, Holder
from permits.stalls.stats import DECIDED_FROM, DECISIONS, median, percentile
from permits.workflow import permit_clocks, regime_for


@dataclass
class EstateFacts:
    estate: Estate
    zones: list[tuple[int | None, str | None, ZoneFacts]]  # (zone id, zone name, facts)
    permits: dict[str, PermitFact]
    claim_jobs: str | None


Delays = dict[tuple[int, int | None], list[int]]


def observed_delays() -> Delays:
    """(permit type id, agency id) -> the agency working days to each decision of the tracker's decided permits."""
    query = (
        select(Permit.permit_type_id, Permit.agency_id, PermitEvent.agency_days_used)
        .select_from(PermitEvent)
        .join(PermitEvent.permit)
        .where(PermitEvent.to_status.in_(DECISIONS), PermitEvent.from_status.in_(DECIDED_FROM))
    )
    out: Delays = defaultdict(list)
    for type_id, agency_id, days in db.session.execute(query):
        out[type_id, agency_id].append(days)
    return out


def _stop_names(reason: str | None, codes: list[str]) -> str | None:
    """The permit type a stop order's reason names (``... selama persetujuan lingkungan (AMDAL) belum terbit``)."""
    text = (reason or "").upper()
    return next((c for c in codes if re.search(rf"\b{re.escape(c)}\b", text)), None)


def _claim_text(estate: Estate) -> str | None:
    claims = [c for c in estate.claims if c.metric is ClaimMetric.JOBS]
    claims += [c for c in estate.investor.claims if c.metric is ClaimMetric.JOBS and c.estate_id is None]
    if not claims:
        return None
    c = claims[-1]
    low = f"{int(c.value):,}"
    return f"{low}-{int(c.value_high):,}" if c.value_high is not None else low


def _fact(permit: Permit | None, ptype: PermitType, clock, sla: int, delays: Delays) -> PermitFact:
    prerequisites = tuple(p.code for p in ptype.prerequisites)
    if permit is None:
        return PermitFact(ptype.code, "not_filed", sla, prerequisites)
    days = delays.get((ptype.id, permit.agency_id), [])
    p50 = median(days)
    common = {
        "permit_id": permit.id,
        "agency_id": permit.agency_id,
        "agency_name": permit.agency_name() or "",
        "median_days": int(p50.to_integral_value()) if p50 is not None else None,
        "p90_days": percentile(days, 90),
        "decided_cases": len(days),
        "sla": clock.sla_working_days,
    }
    if permit.status.is_granted:
        state = "issued"
        common["decided_on"] = permit.decided_on or clock.due_on
    elif clock.holder is Holder.AGENCY:
        state = "overdue" if clock.band is Band.OVERDUE else "on_track"
        common["due_on"] = clock.due_on
    elif permit.status.value in ("returned", "revision", "process_stopped"):
        state = "with_investor"
        common["days_left"] = clock.agency_days_left
    else:
        state = "not_filed"
    return PermitFact(ptype.code, state, prerequisites=prerequisites, **common)


def _clock(own: dict[int, Permit], type_id: int, clocks: dict):
    return clocks.get(own[type_id].id) if type_id in own else None


def gather(as_of: date, estate_ids: list[int] | None = None) -> list[EstateFacts]:
    """Every estate (or those of ``estate_ids``) with its zones and permit facts as of ``as_of``."""
    query = select(Estate).options(
        selectinload(Estate.zones),
        selectinload(Estate.claims),
        selectinload(Estate.investor).selectinload(Investor.claims),
        selectinload(Estate.region),
    )
    if estate_ids is not None:
        query = query.where(Estate.id.in_(estate_ids))
    estates = list(db.session.scalars(query.order_by(Estate.id)))
    types = list(db.session.scalars(select(PermitType).options(selectinload(PermitType.prerequisites))))
    codes = [t.code for t in types]
    current = regime_for(as_of).id
    slas = {
        r.permit_type_id: r.sla_working_days
        for r in db.session.scalars(select(PermitRule).where(PermitRule.regime_id == current))
    }
    permit_query = (
        select(Permit)
        .options(selectinload(Permit.agency))
        .where(Permit.status.not_in(list(TERMINAL)))
        .order_by(Permit.id)
    )
    if estate_ids is not None:
        permit_query = permit_query.where(Permit.estate_id.in_(estate_ids))
    permits = list(db.session.scalars(permit_query))
    clocks = permit_clocks(permits, as_of) if permits else {}
    by_estate: dict[int, dict[int, Permit]] = defaultdict(dict)
    for p in permits:
        by_estate[p.estate_id][p.permit_type_id] = p
    delays = observed_delays()
    out = []
    for estate in estates:
        own = by_estate.get(estate.id, {})
        facts = {t.code: _fact(own.get(t.id), t, _clock(own, t.id, clocks), slas.get(t.id, 0), delays) for t in types}
        stopped = estate.status is EstateStatus.STOPPED
        waits = _stop_names(estate.stop_order_reason, codes) if stopped else None
        zones = [
            (
                z.id,
                z.name,
                ZoneFacts(
                    z.kind.value,
                    z.area_ha,
                    z.planned_direct_jobs,
                    z.target_operating_on,
                    estate.planned_investment_rp,
                    stopped,
                    waits,
                ),
            )
            for z in estate.zones
        ]
        if not zones:
            zones = [(None, None, ZoneFacts("estate", None, None, None, estate.planned_investment_rp, stopped, waits))]
        out.append(EstateFacts(estate, zones, facts, _claim_text(estate)))
    return out
