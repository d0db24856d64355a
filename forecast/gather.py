"""The facts the forecast reads from the register, through the estates' and permits' own models and services:
each estate's zones, stop order and claims, each permit type's state for the estate, and the delays the
tracker's decided permits show per permit type and agency.

Set-based: a fixed number of queries whatever the size (estates, zones, claims, live permits, decided delays, the
catalogue), read as plain rows, never as ORM objects (a province is 20,000 estates and 200,000 permits). A permit's
clock is the one ``permits.clock.clock_state`` gives, computed from the same columns with the working days
counted once per distinct start day."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import NamedTuple

from sqlalchemy import String, cast, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Region
from estates.models import Claim, ClaimMetric, Estate, EstateStatus, Investor, Zone
from forecast.model import PermitFact, ZoneFacts
from permits.agencies.models import Agency
from permits.calendar import WorkingCalendar, preloaded_calendar
from permits.models import Permit, PermitStatus, PermitType
from permits.rules import PermitRule
from permits.stages import TERMINAL, Holder, holder
from permits.stalls.stats import median, percentile
from permits.workflow import at_risk_share, limits_of, regime_for


class EstateRow(NamedTuple):
    """An estate as the forecast stores it: its names as they are today (a run keeps them). A named tuple: made
    20,000 times in a loop, and ``fields`` is its part of a zone row."""

    id: int
    name: str
    region_id: int
    kab_kota: str
    investor_id: int
    investor_name: str
    capital_status: str
    investment_rp: Decimal | None


@dataclass
class EstateFacts:
    estate: EstateRow
    zones: list[tuple[int | None, str | None, ZoneFacts]]  # (zone id, zone name, facts)
    permits: dict[str, PermitFact]
    claim_jobs: str | None


Delays = dict[tuple[int, int | None], list[int]]
_new = tuple.__new__  # a named tuple made without its ``__new__``'s Python frame (160,000 facts a refresh)


STREAMED = 2_000  # rows a chunk, where the rows of a long read are taken as the server sends them


def _rows(query, streamed: bool = False) -> Iterable[tuple]:
    """The rows of a plain select, read on the session's connection without the ORM's per-row work. On PostgreSQL
    straight from the driver's cursor (psycopg gives dates, numerics and texts as the columns' Python types; enum
    columns are read as text here), elsewhere through SQLAlchemy's result (SQLite stores dates as text).
    ``streamed``: on PostgreSQL, in chunks as the server sends them (the client turns the first rows into facts
    while the server is still reading the next), to be consumed before the session's next statement."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return connection.execute(query).all()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = {k: v.value if isinstance(v, Enum) else v for k, v in compiled.params.items()}  # stored values
    cursor = connection.connection.driver_connection.cursor()
    if streamed:
        return _streamed(cursor, str(compiled), params)
    with cursor:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()


def _streamed(cursor, sql: str, params: dict) -> Iterator[tuple]:
    with cursor:
        yield from cursor.stream(sql, params, size=STREAMED)


def observed_delays() -> Delays:
    """(permit type id, agency id) -> the agency working days to the decision of each decided permit of the
    tracker: the counter ``permits.workflow`` keeps on the permit with its deciding event (``decision_days``, the
    agency figures' own), read from the permits instead of their 2,000,000 events."""
    query = select(Permit.permit_type_id, Permit.agency_id, Permit.decision_days).where(
        Permit.decision_days.is_not(None)
    )
    out: Delays = defaultdict(list)
    for type_id, agency_id, days in _rows(query, streamed=True):
        out[type_id, agency_id].append(days)
    return out


def _stop_names(reason: str | None, codes: list[str]) -> str | None:
    """The permit type a stop order's reason names (``... selama persetujuan lingkungan (AMDAL) belum terbit``)."""
    text = (reason or "").upper()
    return next((c for c in codes if re.search(rf"\b{re.escape(c)}\b", text)), None)


def _claims() -> tuple[dict[int, str], dict[int, str]]:
    """The latest jobs claim of each estate, and of each investor (claims naming no estate), as text."""
    query = select(Claim.estate_id, Claim.investor_id, Claim.value, Claim.value_high).where(
        Claim.metric == ClaimMetric.JOBS
    )
    by_estate: dict[int, str] = {}
    by_investor: dict[int, str] = {}
    for estate_id, investor_id, value, high in _rows(query.order_by(Claim.claimed_on, Claim.id)):
        text = f"{int(value):,}" + (f"-{int(high):,}" if high is not None else "")
        if estate_id is not None:
            by_estate[estate_id] = text
        elif investor_id is not None:
            by_investor[investor_id] = text
    return by_estate, by_investor


def _estates(estate_ids: list[int] | None) -> list[tuple[EstateRow, str, str | None]]:
    query = (
        select(
            Estate.id,
            Estate.name,
            Estate.region_id,
            Region.name,
            Estate.investor_id,
            Investor.legal_name,
            cast(Investor.capital_status, String),
            Estate.planned_investment_rp,
            cast(Estate.status, String),
            Estate.stop_order_reason,
        )
        .join(Region, Region.id == Estate.region_id)
        .join(Investor, Investor.id == Estate.investor_id)
        # the order the pages list a run's zones in: written in it, they are listed by id (``reading.zones``),
        # whose index costs a refresh a third of what one on the names did
        .order_by(Region.name, Estate.name, Estate.id)
    )
    if estate_ids is not None:
        query = query.where(Estate.id.in_(estate_ids))
    return [
        (EstateRow(i, name, rid, region, iid, investor, capital, rp), status, reason)
        for i, name, rid, region, iid, investor, capital, rp, status, reason in _rows(query, streamed=True)
    ]


def _zones(estate_ids: list[int] | None, shapes: dict[int, tuple]) -> dict[int, list[tuple]]:
    """estate id -> its zones as (zone id, zone name, ``ZoneFacts``), made as the rows arrive: ``shapes`` gives
    each estate's part of its zones' facts (investment, stopped, the permit type its stop order names)."""
    query = select(
        Zone.estate_id,
        Zone.id,
        Zone.name,
        cast(Zone.kind, String),  # the text the forecast stores
        Zone.area_ha,
        Zone.planned_direct_jobs,
        Zone.target_operating_on,
    ).order_by(Zone.estate_id, Zone.id)
    if estate_ids is not None:
        query = query.where(Zone.estate_id.in_(estate_ids))
    out: dict[int, list[tuple]] = defaultdict(list)
    for estate_id, zone_id, name, kind, area, jobs, target in _rows(query, streamed=True):
        shape = shapes.get(estate_id)
        if shape is not None:  # an estate the register lists (always, but for a change in between)
            out[estate_id].append((zone_id, name, _new(ZoneFacts, (kind, area, jobs, target, *shape))))
    return out


class _Catalogue:
    """The permit types, their rules and the observed delays, read once per refresh."""

    def __init__(self, as_of: date, cal: WorkingCalendar) -> None:
        self.types = list(db.session.scalars(select(PermitType).options(selectinload(PermitType.prerequisites))))
        self.codes = [t.code for t in self.types]
        self.pairs = [(t.code, t.id) for t in self.types]  # read once: an ORM attribute costs a call per estate
        share = at_risk_share()
        self.limits = {
            (r.permit_type_id, r.regime_id): limits_of(r, share) for r in db.session.scalars(select(PermitRule))
        }
        self.current = regime_for(as_of).id
        self.prerequisites = {t.id: tuple(p.code for p in t.prerequisites) for t in self.types}
        self.not_filed = {
            t.id: PermitFact(t.code, "not_filed", self._sla(t.id, self.current), self.prerequisites[t.id])
            for t in self.types
        }
        self.agency_names = {a.id: a.name("id") for a in db.session.scalars(select(Agency))}
        delays = observed_delays()
        self.delays: dict[tuple[int, int | None], tuple[int | None, int | None, int]] = {}
        for key, days in delays.items():
            p50 = median(days)
            self.delays[key] = (
                int(p50.to_integral_value()) if p50 is not None else None,
                percentile(days, 90),
                len(days),
            )
        self.elapsed = cache(lambda since: cal.working_days_between(since, as_of))
        self.shapes: dict[tuple, tuple] = {}
        self.kinds: dict[tuple, tuple] = {}  # (type, regime, status, agency) -> what ``fact`` reads of them

    def _sla(self, type_id: int, regime_id: int) -> int:
        limits = self.limits.get((type_id, regime_id))
        return limits.sla_working_days if limits is not None else 0

    def _shape(self, type_id: int, regime_id: int | None, value: str) -> tuple:
        """(code, sla, prerequisites, what the status means here: issued, agency, investor or not_filed)."""
        status = PermitStatus(value)
        limits = self.limits[type_id, regime_id or self.current]
        who = holder(status, limits.clock_starts_at)
        if status.is_granted:
            kind = "issued"
        elif who is Holder.AGENCY:
            kind = "agency"
        elif status.value in ("returned", "revision", "process_stopped"):
            kind = "investor"
        else:
            kind = "not_filed"
        return self.not_filed[type_id].code, limits.sla_working_days, self.prerequisites[type_id], kind

    def fact(self, row) -> PermitFact:
        """A live permit's fact, with its clock as ``clock_state`` has it at the end of the refresh day: the agency's
        days used are those banked plus, while the agency holds the file, the working days since its clock ran. What
        a permit's type, regime, status and agency give (its shape, the observed delays, the agency's name) is found
        once per distinct four (``kinds``): one look-up a permit."""
        _, pid, type_id, status, agency_id, regime_id, decided_on, authority, banked, running_since, due_on = row
        key = (type_id, regime_id, status, agency_id)
        found = self.kinds.get(key)
        if found is None:
            shape = self.shapes.get(key[:3])
            if shape is None:
                shape = self.shapes[key[:3]] = self._shape(type_id, regime_id, status)
            name = (self.agency_names.get(agency_id) or "") if agency_id is not None else None  # None: the authority
            found = self.kinds[key] = (*shape, *self.delays.get((type_id, agency_id), (None, None, 0)), name)
        code, sla, prerequisites, kind, p50, p90, cases, name = found
        if name is None:
            name = authority or ""
        decided = due = None
        days_left = 0
        if kind == "issued":
            state, decided = "issued", decided_on
        elif kind == "agency":
            used = banked + (self.elapsed(running_since) if running_since is not None else 0)
            state, due = ("overdue" if used > sla else "on_track"), due_on
        elif kind == "investor":
            state, days_left = "with_investor", sla - banked
        else:
            state = "not_filed"
        fields = (code, state, sla, prerequisites, pid, agency_id, name, decided, due, days_left, p50, p90, cases)
        return _new(PermitFact, fields)


def _permits(catalogue: _Catalogue, estate_ids: list[int] | None) -> dict[int, dict[int, PermitFact]]:
    """estate id -> permit type id -> the fact of its live permit (the latest filed, where several are live)."""
    query = (
        select(
            Permit.estate_id,
            Permit.id,
            Permit.permit_type_id,
            cast(Permit.status, String),  # the text: converted once per distinct value (``_Catalogue.fact``)
            Permit.agency_id,
            Permit.regime_id,
            Permit.decided_on,
            Permit.issuing_authority,
            Permit.agency_days_banked,
            Permit.running_since,
            Permit.due_on,
        )
        .where(Permit.status.not_in(list(TERMINAL)))
        .order_by(Permit.id)
    )
    if estate_ids is not None:
        query = query.where(Permit.estate_id.in_(estate_ids))
    out: dict[int, dict[int, PermitFact]] = defaultdict(dict)
    fact = catalogue.fact
    for row in _rows(query, streamed=True):
        out[row[0]][row[2]] = fact(row)
    return out


def gather(
    as_of: date, estate_ids: list[int] | None = None, calendar: WorkingCalendar | None = None
) -> list[EstateFacts]:
    """Every estate (or those of ``estate_ids``) with its zones and permit facts as of ``as_of``; ``calendar``: the
    site's, read at once (``preloaded_calendar``, made here when not given): the permits are turned into facts
    while their rows are still arriving, and a calendar reading the database then would wait for the read."""
    catalogue = _Catalogue(as_of, calendar or preloaded_calendar())
    permits = _permits(catalogue, estate_ids)
    pairs, not_filed, stopped_value = catalogue.pairs, catalogue.not_filed, EstateStatus.STOPPED.value
    estates = _estates(estate_ids)
    shapes: dict[int, tuple] = {}  # estate id -> (investment, stopped, the permit its stop order names)
    for estate, status, reason in estates:
        stopped = status == stopped_value
        shapes[estate.id] = (estate.investment_rp, stopped, _stop_names(reason, catalogue.codes) if stopped else None)
    zones = _zones(estate_ids, shapes)  # each zone's facts made once, as its row arrives
    by_estate_claim, by_investor_claim = _claims()
    out = []
    for estate, _, _ in estates:
        own = permits.get(estate.id, {})
        facts = {code: own.get(type_id) or not_filed[type_id] for code, type_id in pairs}
        rows = zones.get(estate.id) or [(None, None, ZoneFacts("estate", None, None, None, *shapes[estate.id]))]
        claim = by_investor_claim.get(estate.investor_id) or by_estate_claim.get(estate.id)
        out.append(EstateFacts(estate, rows, facts, claim))
    return out
