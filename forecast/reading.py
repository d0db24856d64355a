"""Reading stored runs for the pages, the panels and the exports: every function takes the caller's ``Scope``
(an officer of one kab/kota sees its estates only, an investor its own) and a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    bindparam,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)

from app.errors import NotFound, found
from app.extensions import db
from app.fragments import cached
from app.listing import plain_rows
from app.models import Role
from app.security import Scope
from app.statements import kept_statement
from forecast import packed
from forecast.inputs import indirect_multipliers, stored_rows, stored_skill_shares
from forecast.model import quarter_ends, quarter_of, skills_demand
from forecast.models import ForecastHeld, ForecastRegionTotal, ForecastRun, ForecastSeries, ForecastZone


@dataclass(frozen=True)
class Filters:
    region_id: int | None = None
    investor_id: int | None = None
    estate_id: int | None = None
    zone_kind: str | None = None
    capital_status: str | None = None


def _scope_condition(scope: Scope, region_col, investor_col) -> ColumnElement[bool]:
    if scope.sees_everything:
        return true()
    if scope.role == Role.OFFICER and scope.region_id is not None:
        return region_col == scope.region_id
    if scope.role == Role.INVESTOR and scope.investor_id is not None and investor_col is not None:
        return investor_col == scope.investor_id
    return false()


def _run_condition(table, run: ForecastRun, filters: Filters, scope: Scope) -> ColumnElement[bool]:
    """Rows of ``table`` (zones or totals) in ``run``, the scope and each filter the table has a column for."""
    parts = [table.run_id == run.id, _scope_condition(scope, table.region_id, getattr(table, "investor_id", None))]
    for name in ("region_id", "investor_id", "estate_id", "zone_kind", "capital_status"):
        value = getattr(filters, name)
        if value is not None and hasattr(table, name):
            parts.append(getattr(table, name) == value)
    return and_(*parts)


def zone_condition(run: ForecastRun, filters: Filters, scope: Scope) -> ColumnElement[bool]:
    return _run_condition(ForecastZone, run, filters, scope)


def current_run() -> ForecastRun | None:
    query = select(ForecastRun).where(ForecastRun.is_snapshot.is_(False)).order_by(ForecastRun.id.desc()).limit(1)
    return db.session.scalars(query).first()


def get_run(run_id: int) -> ForecastRun:
    return found(db.session.get(ForecastRun, run_id))


def snapshots() -> list[ForecastRun]:
    query = select(ForecastRun).where(ForecastRun.is_snapshot.is_(True)).order_by(ForecastRun.computed_at.desc())
    return list(db.session.scalars(query))


def _counts(run: ForecastRun, filters: Filters, scope: Scope, *by) -> Subquery:
    """How many zones in scope and filter have each series (and each of ``by``): the cells are stored once per
    series, so a sum over zones is a sum over series weighted by these counts."""
    z = ForecastZone
    query = select(z.series, *by, func.count().label("n")).where(zone_condition(run, filters, scope))
    return query.group_by(z.series, *by).subquery()


def sums(run: ForecastRun, filters: Filters, scope: Scope) -> list[tuple[str, str, str, int, int, int]]:
    """(quarter, zone kind, phase, low, central, high) summed over the zones in scope and filter, in one query: from
    the run's totals by kab/kota (``ForecastRegionTotal``: a few thousand rows whatever the size), or, for one
    investor or estate (``per_zone``), from its zones' series."""
    if not per_zone(filters, scope):
        t = ForecastRegionTotal
        query = (
            select(t.quarter, t.zone_kind, t.phase, func.sum(t.low), func.sum(t.central), func.sum(t.high))
            .where(total_condition(run, filters, scope))
            .group_by(t.quarter, t.zone_kind, t.phase)
        )
    else:
        return _summed_by_series(run, filters, scope)
    return [(q, k, p, int(lo), int(ce), int(hi)) for q, k, p, lo, ce, hi in plain_rows(query)]


def run_keys(run: ForecastRun) -> list[tuple[str, str]]:
    """(quarter, phase) in the order a series of ``run`` stores them (``packed.keys``)."""
    return packed.keys(packed.run_quarters(run.as_of, run.horizon_quarters))


def series_figures(
    run: ForecastRun, filters: Filters, scope: Scope, columns: slice | None = None
) -> dict[int, list[int]]:
    """The figures (``packed.keys`` order, or only their ``columns``) of the series of the zones of ``run`` in scope
    and filter, by series number, in one query: only those series are read (a kab/kota's, not the province's)."""
    s = ForecastSeries
    wanted = select(ForecastZone.series).where(zone_condition(run, filters, scope))
    stored = db.session.execute(select(s.series, s.cells).where(s.run_id == run.id, s.series.in_(wanted))).all()
    decoded = packed.decode([cells for _, cells in stored], 3 * len(run_keys(run)), columns).tolist()
    return dict(zip([n for n, _ in stored], decoded, strict=True))


def _summed_by_series(run: ForecastRun, filters: Filters, scope: Scope) -> list[tuple[str, str, str, int, int, int]]:
    """``sums`` from the zones' series: the series of the zones in scope and filter (one investor's, one estate's),
    with how many zones of each kind have each, in one query; weighted and summed here."""
    n, s = _counts(run, filters, scope, ForecastZone.zone_kind), ForecastSeries
    rows = db.session.execute(
        select(n.c.zone_kind, n.c.n, s.cells).join(s, and_(s.run_id == run.id, s.series == n.c.series))
    ).all()
    keys = run_keys(run)
    out = []
    for kind in sorted({kind for kind, _, _ in rows}):
        of_kind = [(zones, cells) for k, zones, cells in rows if k == kind]
        weights = np.array([zones for zones, _ in of_kind], dtype=np.int64)
        total = (weights @ packed.decode([cells for _, cells in of_kind], 3 * len(keys))).tolist()
        for i, (quarter, phase) in enumerate(keys):
            figures = total[3 * i : 3 * i + 3]
            if any(figures):  # as the stored totals: a cell of no jobs is not listed
                out.append((quarter, kind, phase, *figures))
    return out


Sums = list[tuple[str, str, str, int, int, int]]


def series(
    run: ForecastRun, filters: Filters, scope: Scope, rows: Sums | None = None
) -> dict[str, dict[str, tuple[int, int, int]]]:
    """phase -> quarter -> (low, central, high), summed over the zones in scope and filter (``rows``: their
    ``sums`` if already read), in quarter order."""
    acc: dict[tuple[str, str], list[int]] = {}
    for quarter, _, phase, low, central, high in sums(run, filters, scope) if rows is None else rows:
        values = acc.setdefault((phase, quarter), [0, 0, 0])
        values[0] += low
        values[1] += central
        values[2] += high
    out: dict[str, dict[str, tuple[int, int, int]]] = {}
    for phase in PHASES:  # every quarter of the horizon: a cell of no jobs is not stored
        out[phase] = {quarter: tuple(acc.get((phase, quarter), (0, 0, 0))) for quarter in run_quarters(run)}
    return out


def total_series(by_phase: dict[str, dict[str, tuple[int, int, int]]]) -> list[tuple[str, int, int, int]]:
    """Construction and operation together: (quarter, low, central, high)."""
    totals: dict[str, list[int]] = {}
    for cells in by_phase.values():
        for quarter, values in cells.items():
            acc = totals.setdefault(quarter, [0, 0, 0])
            for i in range(3):
                acc[i] += values[i]
    return [(q, *v) for q, v in sorted(totals.items())]


PHASES = ("construction", "operation")
HELD_PERMITS = 10  # the page links at most this many permits per line (the most held back first); downloads all


@dataclass
class HeldLine:
    agency_id: int | None
    agency_name: str
    permit_type: str
    job_quarters: int
    investment_rp: Decimal
    permit_ids: list[int]
    estates: list[str]
    count: int = 0  # the permits of the line (``permit_ids`` may list fewer)


def _held_condition(run: ForecastRun, filters: Filters, scope: Scope) -> ColumnElement[bool]:
    h = ForecastHeld
    parts = [h.run_id == run.id, _scope_condition(scope, h.region_id, h.investor_id)]
    for column, value in (
        (h.region_id, filters.region_id),
        (h.investor_id, filters.investor_id),
        (h.estate_id, filters.estate_id),
    ):
        if value is not None:
            parts.append(column == value)
    return and_(*parts)


def held_total(run: ForecastRun, filters: Filters, scope: Scope) -> int:
    """The job-quarters held back by overdue permits in scope and filter (``held_lines``' sum), in one query."""
    h = ForecastHeld
    return int(db.session.scalar(select(func.sum(h.job_quarters)).where(_held_condition(run, filters, scope))) or 0)


def held_lines(run: ForecastRun, filters: Filters, scope: Scope, *, every_permit: bool = False) -> list[HeldLine]:
    """Job-quarters held back by overdue permits, by agency and permit type, most first, each with its permits
    (the ``HELD_PERMITS`` holding back most, or all with ``every_permit``). Two queries, whatever the number of
    permits."""
    h = ForecastHeld
    cond = _held_condition(run, filters, scope)
    totals = select(
        h.agency_id, func.min(h.agency_name), h.permit_type, func.sum(h.job_quarters), func.sum(h.investment_rp),
        func.count(),
    ).where(cond).group_by(h.agency_id, h.permit_type)  # fmt: skip
    lines = {
        (agency_id, ptype): HeldLine(agency_id, name, ptype, int(jq), Decimal(rp or 0), [], [], n)
        for agency_id, name, ptype, jq, rp, n in plain_rows(totals)
    }
    rank = func.row_number().over(partition_by=(h.agency_id, h.permit_type), order_by=(h.job_quarters.desc(), h.id))
    ranked = select(h.agency_id, h.permit_type, h.permit_id, h.estate_name, rank.label("rank")).where(cond).subquery()
    query = select(ranked.c.agency_id, ranked.c.permit_type, ranked.c.permit_id, ranked.c.estate_name)
    if not every_permit:
        query = query.where(ranked.c.rank <= HELD_PERMITS)
    for agency_id, ptype, permit_id, estate_name in plain_rows(query.order_by(ranked.c.rank)):
        line = lines[agency_id, ptype]
        line.permit_ids.append(permit_id)
        line.estates.append(estate_name)
    return sorted(lines.values(), key=lambda line: (-line.job_quarters, line.agency_name, line.permit_type))


def skills(
    run: ForecastRun, filters: Filters, scope: Scope, rows: Sums | None = None
) -> dict[tuple[str, str, str], Decimal]:
    """(quarter, phase, skill) -> central jobs, with the skill shares the run was computed with."""
    rows = sums(run, filters, scope) if rows is None else rows
    cells = [(quarter, kind, phase, central) for quarter, kind, phase, _, central, _ in rows]
    return skills_demand(cells, stored_skill_shares(run))


def indirect(run: ForecastRun, filters: Filters, scope: Scope, rows: Sums | None = None) -> list[tuple[str, int]]:
    """(quarter, indirect jobs): central operation jobs times (multiplier - 1) of their zone kind, for the kinds
    with a multiplier; empty when no multiplier is entered. Never added to the direct jobs."""
    multipliers = indirect_multipliers(stored_rows(run))
    if not multipliers:
        return []
    out: dict[str, Decimal] = defaultdict(Decimal)
    for quarter, kind, phase, _, jobs, _ in sums(run, filters, scope) if rows is None else rows:
        if phase != "operation":
            continue
        m = multipliers.get("industrial" if kind == "estate" else kind)
        out[quarter] += Decimal(jobs) * (m - 1) if m is not None and m > 1 else Decimal(0)
    return [(q, int(v.to_integral_value())) for q, v in sorted(out.items())]


def estate_job_quarters(run: ForecastRun, scope: Scope) -> list[tuple[int, str, int]]:
    """(estate id, name, central operation job-quarters over the run's horizon) of every estate in scope."""
    z, s = ForecastZone, ForecastSeries
    query = (
        select(z.estate_id, func.min(z.estate_name), func.coalesce(func.sum(s.job_quarters), 0))
        .outerjoin(s, and_(s.run_id == z.run_id, s.series == z.series))
        .where(zone_condition(run, Filters(), scope))
        .group_by(z.estate_id)
    )
    return [(estate_id, name, int(total)) for estate_id, name, total in plain_rows(query)]


def zones(run: ForecastRun, filters: Filters, scope: Scope, limit: int | None = None) -> list[ForecastZone]:
    query = (
        select(ForecastZone)
        .where(zone_condition(run, filters, scope))
        .order_by(ForecastZone.id)  # a refresh writes the zones by kab/kota and estate name (``gather``)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def per_zone(filters: Filters, scope: Scope) -> bool:
    """Whether a read is about one investor or one estate (filtered to it, or an investor's own scope): read from
    its zones (``ix_forecast_zone_run_investor``, ``ix_forecast_zone_run_order``) and their series; any other read
    takes the totals by kab/kota."""
    own = scope.role == Role.INVESTOR and not scope.sees_everything
    return own or filters.investor_id is not None or filters.estate_id is not None


def total_condition(run: ForecastRun, filters: Filters, scope: Scope) -> ColumnElement[bool]:
    """The run's totals by kab/kota (``ForecastRegionTotal``) in the scope and the filters (the totals have no
    investor nor estate: an investor's own scope sees none of them; ``per_zone`` reads are read from the zones)."""
    return _run_condition(ForecastRegionTotal, run, filters, scope)


def zone_count(run: ForecastRun, filters: Filters, scope: Scope) -> int:
    """The zones (and estates without zones) in scope and filter: from the run's totals, or one estate's rows."""
    if per_zone(filters, scope):
        return db.session.scalar(select(func.count(ForecastZone.id)).where(zone_condition(run, filters, scope))) or 0
    t = ForecastRegionTotal
    first = and_(t.phase == "operation", t.quarter == quarter_of(run.as_of))  # each group once
    return db.session.scalar(select(func.sum(t.zones)).where(total_condition(run, filters, scope), first)) or 0


def run_quarters(run: ForecastRun) -> list[str]:
    return [quarter for quarter, _ in quarter_ends(run.as_of, run.horizon_quarters)]


@dataclass(frozen=True)
class RunInfo:
    """What a panel reads of the current run, as plain data (kept by ``app.fragments`` until the next write)."""

    id: int
    computed_at: datetime
    as_of: date
    horizon_quarters: int


def current_run_info() -> RunInfo | None:
    """``current_run`` as plain data, read once per committed write (a refresh writes a run): the estate page's and
    the portal's panels read no run of their own."""

    def read() -> RunInfo | None:
        run = current_run()
        return None if run is None else RunInfo(run.id, run.computed_at, run.as_of, run.horizon_quarters)

    return cached("forecast-current-run", (), read)


@dataclass(frozen=True)
class EstateZoneLine:
    zone_kind: str
    waits_for: str | None
    operating_central: date | None


def _estate_view_query(run: ForecastRun | RunInfo, scope: Scope) -> Select:
    z, s, h = ForecastZone, ForecastSeries, ForecastHeld
    estate_id = bindparam("estate_id")
    zones = (
        select(
            literal(0).label("part"), z.id, z.zone_kind, z.waits_for, z.operating_central, s.cells, null().label("jobs")
        )
        .outerjoin(s, and_(s.run_id == z.run_id, s.series == z.series))
        .where(zone_condition(run, Filters(estate_id=estate_id), scope))  # type: ignore[arg-type]
    )
    held = select(literal(1), h.id, h.permit_type, null(), null(), null(), h.job_quarters).where(
        h.run_id == run.id, h.estate_id == estate_id
    )
    return union_all(zones, held).order_by("part", "id")


def estate_view(
    run: ForecastRun | RunInfo, estate_id: int, scope: Scope
) -> tuple[list[tuple], list[EstateZoneLine], dict[str, int]]:
    """An estate's operation-phase jobs by quarter (summed over its zones' series), its zones' timing and the
    job-quarters its overdue permits hold back by permit type, in one query: its zones in scope with their series'
    cells, then its held-back permits. ``NotFound`` for an estate the scope may not see (or without zones)."""
    query = kept_statement(  # built once per run and scope (``app.statements``), the estate a parameter
        "forecast-estate-panel",
        (run.id, scope),
        lambda: _estate_view_query(run, scope),
    )
    rows = db.session.execute(query, {"estate_id": estate_id}).all()
    lines = [EstateZoneLine(kind, waits, day) for part, _, kind, waits, day, _, _ in rows if part == 0]
    if not lines:
        raise NotFound
    keys = packed.keys(packed.run_quarters(run.as_of, run.horizon_quarters))
    blobs = [bytes(cells) for part, *_, cells, _ in rows if part == 0 and cells is not None]
    total = packed.decode(blobs, 3 * len(keys)).sum(axis=0).tolist() if blobs else [0] * (3 * len(keys))
    quarters = sorted(
        (quarter, *total[3 * i : 3 * i + 3]) for i, (quarter, phase) in enumerate(keys) if phase == "operation"
    )
    out: dict[str, int] = defaultdict(int)
    for part, _, permit_type, *_, jobs in rows:
        if part == 1:
            out[permit_type] += jobs
    return quarters, lines, dict(out)
