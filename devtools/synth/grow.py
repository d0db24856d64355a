"""Synthetic data for benchmarks: a province's worth of estates and permits, bulk-inserted, deterministic.

Permit i belongs to estate i // 7 and has catalogue type i % 7; its status and clock are drawn from a generator
seeded by i, so a row is the same on every engine and at every size. The clocks are computed with the app's
own thresholds (``permits.clock.refresh_thresholds``) so that the stall scan sees realistic dates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from app.bulk import bulk_load
from app.extensions import db
from app.models import Region
from estates.models import CapitalStatus, Estate, EstateStatus, Investor, LegalForm, Zone, ZoneKind
from permits.agencies.services import AgencyResolver
from permits.calendar import site_calendar
from permits.clock import ClockFields, Limits, refresh_thresholds
from permits.models import Permit, PermitEvent, PermitStatus, PermitType
from permits.regions import fill_regions
from permits.rules import ClockStart, Regime
from permits.workflow import at_risk_share, limits_of

AS_OF = date(2026, 3, 4)  # a Wednesday, a working day: the day the synthetic clocks are drawn for
STAMP = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)


def permit_rows(first: int, last: int, types: list[PermitType], region_ids: list[int]) -> Iterator[dict]:
    """Permits number ``first`` .. ``last - 1``; permit i belongs to estate i // len(types) and has type
    i % len(types), counted under the regime of its first filing day, with the agency the catalogue's rule
    gives a PMDN in that estate's kab/kota (``estate_rows``).

    Drawn from a generator seeded by the permit number, so a row is the same on every engine and size.
    """
    cal = site_calendar()
    share = at_risk_share()
    regimes = sorted(db.session.scalars(select(Regime)), key=lambda r: r.applies_from)
    resolver = AgencyResolver()

    def regime_of(day: date) -> Regime:
        return next((r for r in reversed(regimes) if r.applies_from <= day), regimes[0])

    def limits(ptype: PermitType, regime: Regime) -> Limits:
        return limits_of(ptype.rule_for(regime.id), share)

    for i in range(first, last):
        rng = random.Random(i)
        ptype = types[i % len(types)]
        lim = limits(ptype, regimes[-1])
        roll = rng.random()
        seq = rng.randint(2, 6)
        clock = ClockFields()
        if roll < 0.65:  # with the agency: a share u of the statutory days used, spread 0 .. 1.5
            status = PermitStatus.UNDER_REVIEW if roll < 0.40 else PermitStatus.SUBMITTED
            if status is PermitStatus.SUBMITTED and lim.clock_starts_at is ClockStart.DECLARED_COMPLETE:
                status = PermitStatus.DECLARED_COMPLETE
            used = rng.uniform(0, 1.5) * lim.sla_working_days
            banked = int(used * rng.random()) if seq > 3 else 0  # earlier rounds, before a return
            since = AS_OF - timedelta(days=max(0, round((used - banked) * 7 / 5)))
            clock = ClockFields(running_since=since, agency_days_banked=banked, clock_stops=int(banked > 0))
        elif roll < 0.90:  # returned: the investor's revision, from days to months (AMDAL's silence: 180)
            status = PermitStatus.RETURNED
            days = rng.randint(1, 40) if rng.random() < 0.8 else rng.randint(100, 260)
            banked = rng.randint(0, lim.sla_working_days)
            clock = ClockFields(investor_since=AS_OF - timedelta(days=days), agency_days_banked=banked, clock_stops=1)
        else:
            status, seq = PermitStatus.NOT_STARTED, 1
        first_filed = clock.running_since or clock.investor_since
        regime_id = None
        if first_filed is not None:
            regime = regime_of(first_filed)
            regime_id = regime.id
            clock = refresh_thresholds(clock, status, limits(ptype, regime), cal)
        yield {
            "estate_id": i // len(types) + 1,
            "permit_type_id": ptype.id,
            "status": status,
            "agency_id": _agency_id(resolver, ptype.id, region_ids[(i // len(types)) % len(region_ids)]),
            "submitted_on": first_filed - timedelta(days=clock.agency_days_banked) if first_filed else None,
            "version": 1,
            "last_event_seq": seq,
            "regime_id": regime_id,
            "created_at": STAMP,
            "updated_at": STAMP,
            **asdict(clock),
        }


def _agency_id(resolver: AgencyResolver, permit_type_id: int, region_id: int) -> int | None:
    agency = resolver.resolve(permit_type_id, CapitalStatus.PMDN, region_id)
    return agency.id if agency is not None else None


def estate_rows(
    first: int, last: int, investor_ids: list[int], per_investor: int, region_ids: list[int]
) -> Iterator[dict]:
    """Estates number ``first`` .. ``last - 1``: estate k belongs to ``investor_ids[k // per_investor]`` (the
    first of them when there are fewer)."""
    for k in range(first, last):
        owner = investor_ids[min(k // per_investor, len(investor_ids) - 1)]
        yield {
            "id": k + 1,
            "investor_id": owner,
            "name": f"Kawasan Bench {k + 1:06d}",
            "region_id": region_ids[k % len(region_ids)],
            "area_ha": Decimal("100"),
            "kbli": "68130",
            "status": EstateStatus.PERMITTING,
            "created_at": STAMP,
            "updated_at": STAMP,
        }


def _bench_investors(count: int) -> list[int]:
    """The ids of the bench's investors "PT Bench", "PT Bench 000002" ... up to ``count`` of them (made when
    missing; every other one a PMA), in that order."""
    names = ["PT Bench", *(f"PT Bench {n:06d}" for n in range(2, count + 1))]
    found = dict(
        db.session.execute(select(Investor.legal_name, Investor.id).where(Investor.legal_name.like("PT Bench%"))).all()
    )
    missing = [name for name in names if name not in found]
    if missing:
        bulk_load(
            Investor.__table__,
            (
                {
                    "legal_name": name,
                    "legal_form": LegalForm.PT,
                    "capital_status": CapitalStatus.PMA if n % 2 else CapitalStatus.PMDN,
                    "country_of_origin": "ID",
                    "created_at": STAMP,
                    "updated_at": STAMP,
                }
                for n, name in enumerate(missing)
            ),
        )
        found = dict(
            db.session.execute(
                select(Investor.legal_name, Investor.id).where(Investor.legal_name.like("PT Bench%"))
            ).all()
        )
    return [found[name] for name in names]


def grow_to(built: int, size: int, estates_per_investor: int | None = None) -> None:
    """Add permits (and their estates) until there are ``size``; commits. The estates belong to one investor, or
    to one investor each ``estates_per_investor`` (a province's 20,000 estates of 10,000 investors: 2)."""
    types = list(db.session.scalars(select(PermitType).order_by(PermitType.id)))
    region_ids = list(db.session.scalars(select(Region.id).order_by(Region.id)))
    per_estate = len(types)
    last = math.ceil(size / per_estate)
    per_investor = estates_per_investor or max(last, 1)
    investor_ids = _bench_investors(math.ceil(last / per_investor) if estates_per_investor else 1)
    bulk_load(
        Estate.__table__,
        estate_rows(math.ceil(built / per_estate), last, investor_ids, per_investor, region_ids),
    )
    bulk_load(Permit.__table__, permit_rows(built, size, types, region_ids))
    fill_regions()  # each permit's copy of its estate's kab/kota
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE permit"))  # as autovacuum would, after a bulk load


# --- zones and decided history, for the forecast's benchmark -------------------------------------------------

ZONE_KINDS = (ZoneKind.INDUSTRIAL, ZoneKind.INDUSTRIAL, ZoneKind.HOUSING, ZoneKind.COMMERCIAL, ZoneKind.UTILITIES_GREEN)


def zone_rows(first: int, last: int, per_estate: int) -> Iterator[dict]:
    """``per_estate`` zones for each estate number ``first`` .. ``last - 1``, about its 100 ha between them: kinds
    in the order of ``ZONE_KINDS``; every third zone carries a commitment of direct jobs, every seventh a target
    date. Their areas vary from half to one and a half of an even share, in 3,001 steps, as real zones' do: zones
    of one size would share their forecast series, which a real province's do not (issue 10's benchmark)."""
    share = Decimal(100) / per_estate
    for k in range(first, last):
        for j in range(per_estate):
            n = k * per_estate + j
            kind = ZONE_KINDS[j % len(ZONE_KINDS)]
            yield {
                "estate_id": k + 1,
                "kind": kind,
                "name": f"Zona {j + 1}",
                "area_ha": (share * (1500 + n * 7919 % 3001) / 3000).quantize(Decimal("0.0001")),
                "planned_direct_jobs": 50 * (1 + n % 40) if n % 3 == 0 else None,
                "housing_units": None,
                "target_operating_on": date(2029, 1 + n % 12, 1) if n % 7 == 0 else None,
                "created_at": STAMP,
                "updated_at": STAMP,
            }


def decided_rows(first: int, last: int, per_estate: int, types: list[PermitType], region_ids: list[int]):
    """Earlier applications of estates ``first`` .. ``last - 1``, refused after a number of the agency's working
    days drawn around its limit (seeded): the tracker's decided cases, whose delays the forecast reads."""
    resolver = AgencyResolver()
    for k in range(first, last):
        for j in range(per_estate):
            rng = random.Random(-(k * per_estate + j + 1))
            ptype = types[(k * per_estate + j) % len(types)]
            decided = AS_OF - timedelta(days=rng.randint(30, 700))
            yield {
                "estate_id": k + 1,
                "permit_type_id": ptype.id,
                "status": PermitStatus.REJECTED,
                "agency_id": _agency_id(resolver, ptype.id, region_ids[k % len(region_ids)]),
                "submitted_on": decided - timedelta(days=rng.randint(10, 200)),
                "decided_on": decided,
                "version": 2,
                "last_event_seq": 2,
                "created_at": STAMP,
                "updated_at": STAMP,
            }


def grow_history(first: int, last: int, zones_per_estate: int = 5, decided_per_estate: int = 2) -> None:
    """Add zones and refused applications (each with its decision event) to estates ``first`` .. ``last - 1``
    (numbered from 0, as ``grow_to`` makes them); commits. With ``grow_to``'s live permits (one per type of the
    catalogue's eight), an estate then has ten permits: 20,000 estates, 100,000 zones and 200,000 permits, the
    province of issue 10."""
    types = list(db.session.scalars(select(PermitType).order_by(PermitType.id)))
    region_ids = list(db.session.scalars(select(Region.id).order_by(Region.id)))
    bulk_load(Zone.__table__, zone_rows(first, last, zones_per_estate))
    bulk_load(Permit.__table__, decided_rows(first, last, decided_per_estate, types, region_ids))
    fill_regions()
    regime = max(db.session.scalars(select(Regime)), key=lambda r: r.applies_from)
    slas = {t.id: (rule.sla_working_days if (rule := t.rule_for(regime.id)) else 10) for t in types}
    refused = db.session.execute(
        select(Permit.id, Permit.permit_type_id, Permit.decided_on).where(
            Permit.status == PermitStatus.REJECTED, Permit.estate_id > first, Permit.estate_id <= last
        )
    )
    bulk_load(
        PermitEvent.__table__,
        (
            {
                "permit_id": pid,
                "seq": 2,
                "effective_on": on,
                "recorded_at": STAMP,
                "actor": "synth",
                "from_status": PermitStatus.UNDER_REVIEW,
                "to_status": PermitStatus.REJECTED,
                "clock_running": False,
                "agency_days_used": random.Random(pid).randint(max(slas[type_id] // 2, 1), 2 * slas[type_id] + 5),
                "investor_days_used": 0,
                "sla_working_days": slas[type_id],
            }
            for pid, type_id, on in refused
        ),
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE permit, zone, permit_event"))
