"""``synthesize``: a province's worth of synthetic data, deterministic and bulk-loaded (``app.bulk``).

The same seed, sizes and day give the same rows on SQLite and PostgreSQL (on a database whose tables hold no
rows of these kinds yet; otherwise the ids continue after the largest). Commits once at the end, then refreshes
the planner's statistics.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select

from app.bulk import bulk_load
from app.extensions import db
from app.models import AuditLog, Region
from devtools.synth.extras import audit_rows, lkpm_rows
from devtools.synth.histories import Catalogue, event_counts, history_rows
from devtools.synth.load import analyze, next_id, reset_sequences
from devtools.synth.register import EstateInfo, estate_rows, investor_rows, zone_rows
from estates.models import Estate, Investor, Zone
from estates.tally import recount_estate_tally
from permits.agencies.services import AgencyResolver
from permits.calendar import site_calendar
from permits.kept import refresh_answered
from permits.models import Permit, PermitEvent, PermitType
from permits.regions import fill_regions
from permits.rules import PermitRule, Regime
from permits.tally import recount_tally
from permits.workflow import at_risk_share
from realisation.models import LkpmEntry

PERMITS_PER_LOAD = 2_000  # permits (and their events) generated and loaded at a time
TABLES = (Investor, Estate, Zone, Permit, PermitEvent, LkpmEntry, AuditLog)


@dataclass(frozen=True)
class Sizes:
    investors: int = 0
    estates: int = 0
    zones: int = 0
    permits: int = 0
    events: int = 0
    audit: int = 0

    def scaled(self, factor: float) -> Sizes:
        return Sizes(**{f.name: max(round(getattr(self, f.name) * factor), 1) for f in fields(self)})

    def problem(self, types: int) -> str | None:
        """Why these sizes cannot be built (``None``: they can)."""
        if any(getattr(self, f.name) < 0 for f in fields(self)):
            return "sizes cannot be negative"
        if (self.estates or self.zones or self.permits) and not self.investors:
            return "estates need at least one investor"
        if (self.zones or self.permits) and not self.estates:
            return "zones and permits need at least one estate"
        if self.events < self.permits:
            return "every permit needs at least its first event: --events must be at least --permits"
        ended = max(self.permits - self.estates * types, 0)
        if self.events < self.permits + ended:
            return f"--events must be at least {self.permits + ended} (two for each earlier, ended application)"
        return None


REFERENCE = Sizes(investors=10_000, estates=20_000, zones=100_000, permits=200_000, events=2_000_000, audit=200_000)


def _catalogue() -> Catalogue:
    types = list(db.session.scalars(select(PermitType).order_by(PermitType.id)))
    return Catalogue(
        type_ids=[t.id for t in types],
        type_codes=[t.code for t in types],
        regimes=sorted(db.session.scalars(select(Regime)), key=lambda r: r.applies_from),
        rules={(r.permit_type_id, r.regime_id): r for r in db.session.scalars(select(PermitRule))},
        share=at_risk_share(),
    )


def synthesize(
    sizes: Sizes, seed: int, as_of: date, progress: Callable[[str, int, float], None] | None = None
) -> dict[str, int]:
    """Build and load ``sizes`` rows drawn with ``seed`` for the day ``as_of``; returns the rows loaded per kind.
    Raises ``ValueError`` for sizes that cannot be built. Commits."""
    cat = _catalogue()
    problem = sizes.problem(len(cat.type_ids))
    if problem:
        raise ValueError(problem)
    began = time.perf_counter()
    loaded: dict[str, int] = {}

    def done(kind: str, n: int) -> None:
        loaded[kind] = loaded.get(kind, 0) + n
        if progress is not None:
            progress(kind, loaded[kind], time.perf_counter() - began)

    region_ids = list(db.session.scalars(select(Region.id).order_by(Region.id)))
    first = next_id(Investor.__table__)
    investors = list(investor_rows(first, sizes.investors, seed))
    done("investors", bulk_load(Investor.__table__, investors))
    owners = [(r["id"], r["capital_status"], r["business_size"]) for r in investors]
    capital = {investor_id: status for investor_id, status, _size in owners}
    estates: list[EstateInfo] = []

    def collected(rows):
        for row in rows:
            estates.append(EstateInfo(row["id"], row["region_id"], capital[row["investor_id"]]))
            yield row

    built = estate_rows(next_id(Estate.__table__), sizes.estates, seed, list(capital), region_ids)
    done("estates", bulk_load(Estate.__table__, collected(built)))
    zones = zone_rows(next_id(Zone.__table__), sizes.zones, seed, [e.id for e in estates])
    done("zones", bulk_load(Zone.__table__, zones))
    if sizes.permits:
        _permits(sizes, seed, as_of, cat, estates, done)
        fill_regions()  # each permit's copy of its estate's kab/kota (issue 13: the kab/kota officer's lists)
    done("lkpm entries", bulk_load(LkpmEntry.__table__, lkpm_rows(next_id(LkpmEntry.__table__), owners, seed, as_of)))
    done("audit rows", bulk_load(AuditLog.__table__, audit_rows(next_id(AuditLog.__table__), sizes.audit, seed, as_of)))
    reset_sequences(t.__table__ for t in TABLES)
    refresh_answered()  # the permits' kept "answers arrived", as the workflow would have written it
    recount_tally()  # the permits per kab/kota and status, as the session would have kept them
    recount_estate_tally()  # the estates' figures per kab/kota, capital status and status, likewise
    db.session.commit()
    analyze(t.__table__ for t in TABLES)
    return loaded


def _permits(sizes: Sizes, seed: int, as_of: date, cat: Catalogue, estates: list[EstateInfo], done) -> None:
    counts = event_counts(sizes.permits, sizes.events, len(estates), len(cat.type_ids), seed)
    resolver = AgencyResolver()
    agencies: dict[tuple, int | None] = {}

    def agency_id(type_id: int, estate: EstateInfo) -> int | None:
        key = (type_id, estate.capital_status, estate.region_id)
        if key not in agencies:
            agency = resolver.resolve(type_id, estate.capital_status, estate.region_id)
            agencies[key] = agency.id if agency is not None else None
        return agencies[key]

    first_ids = next_id(Permit.__table__), next_id(PermitEvent.__table__)
    rows = history_rows(*first_ids, counts, len(estates), seed, as_of, cat, site_calendar())
    permits: list[dict] = []
    events: list[dict] = []
    for estate_index, permit, history in rows:
        estate = estates[estate_index]
        permit["estate_id"] = estate.id
        permit["agency_id"] = agency_id(permit["permit_type_id"], estate)
        permits.append(permit)
        events.extend(history)
        if len(permits) == PERMITS_PER_LOAD:
            done("permits", bulk_load(Permit.__table__, permits))
            done("events", bulk_load(PermitEvent.__table__, events))
            permits, events = [], []
    done("permits", bulk_load(Permit.__table__, permits))
    done("events", bulk_load(PermitEvent.__table__, events))
