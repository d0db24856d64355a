"""The forecast page's filter choices: the kab/kota, investors and estates a stored run holds within the scope,
bounded so that no page reads all of a province's investors."""

from __future__ import annotations

from sqlalchemy import func, literal, null, select, union_all

from app.extensions import db
from app.listing import plain_rows
from app.security import Scope
from forecast.models import ForecastRegionTotal, ForecastRun, ForecastZone
from forecast.reading import Filters, per_zone, total_condition, zone_condition

ESTATE_CHOICES = 300  # the estate filter lists at most this many (a kab/kota or investor chosen first narrows it)
INVESTOR_CHOICES = 300  # the investor filter lists at most this many (a kab/kota chosen first narrows it)
ZONES_READ_PER_ESTATE = 10  # zone rows read for each estate (or investor) listed


def _listed(run: ForecastRun, narrow: Filters, scope: Scope, *lists: tuple) -> list[tuple[list[tuple], bool]]:
    """For each (limit, id column, name column) of ``lists``: the (id, name) pairs in the zones within ``narrow`` and
    the scope, at most ``limit`` in the zones' order, and whether there may be more. One query, an index scan of a
    few thousand rows at most (``ix_forecast_zone_run_order``), grouped by the server: at most ``limit + 1`` rows of
    each list travel (not the few thousand zone rows), with the count of zone rows read."""
    z = ForecastZone
    cap = max(limit for limit, _, _ in lists) * ZONES_READ_PER_ESTATE
    columns = {column.key: column for _, id_column, name_column in lists for column in (id_column, name_column)}
    read = select(z.id, *columns.values()).where(zone_condition(run, narrow, scope)).order_by(z.id).limit(cap)
    zones = read.cte("zones")  # read once (a CTE named more than once is materialised)
    branches = []
    for k, (limit, id_column, name_column) in enumerate(lists):
        ids, names = zones.c[id_column.key], zones.c[name_column.key]
        at = func.min(zones.c.id).label("at")  # where the zones' order first meets it
        grouped = select(ids.label("id"), func.min(names).label("name"), at).group_by(ids).order_by(at)
        listed = grouped.limit(limit + 1).subquery()
        branches.append(select(literal(k).label("k"), listed.c.id, listed.c.name, listed.c.at))
    branches.append(select(literal(-1), func.count(), null(), null()).select_from(zones))  # the zone rows read
    rows = plain_rows(union_all(*branches))
    read_rows = next(n for k, n, _, _ in rows if k == -1)
    out = []
    for k, (limit, _, _) in enumerate(lists):
        found = sorted((at, pair_id, name) for kk, pair_id, name, at in rows if kk == k)
        out.append(([(pair_id, name) for _, pair_id, name in found[:limit]], len(found) > limit or read_rows == cap))
    return out


def choices(run: ForecastRun, scope: Scope, filters: Filters | None = None) -> dict:
    """The values the filters offer: what the run holds within the scope. Kab/kota from the run's totals (an
    investor's from its zones);
    investors (within the kab/kota chosen) and estates (within the kab/kota and investor chosen) at most
    ``INVESTOR_CHOICES`` and ``ESTATE_CHOICES`` in the zones' order, plus the chosen one, with ``investors_more``
    and ``estates_more`` when there may be more. A fixed number of statements, none reading all of a province's
    investors."""
    filters = filters or Filters()
    t, z = ForecastRegionTotal, ForecastZone
    if per_zone(Filters(), scope):  # an investor's own: its zones
        query = select(z.region_id, z.kab_kota).where(zone_condition(run, Filters(), scope))
    else:
        query = select(t.region_id, t.kab_kota).where(total_condition(run, Filters(), scope))
    regions = set(plain_rows(query.distinct()))
    in_region = Filters(region_id=filters.region_id)
    narrow = Filters(region_id=filters.region_id, investor_id=filters.investor_id)
    by_investor, by_estate = (
        (INVESTOR_CHOICES, z.investor_id, z.investor_name),
        (ESTATE_CHOICES, z.estate_id, z.estate_name),
    )
    if filters.investor_id is None:  # the same zones narrow both lists: one read
        (investors, investors_more), (estates, estates_more) = _listed(run, in_region, scope, by_investor, by_estate)
    else:
        [(investors, investors_more)] = _listed(run, in_region, scope, by_investor)
        [(estates, estates_more)] = _listed(run, narrow, scope, by_estate)
    for chosen_id, listed, column, name in (
        (filters.investor_id, investors, z.investor_id, z.investor_name),
        (filters.estate_id, estates, z.estate_id, z.estate_name),
    ):
        if chosen_id is not None and chosen_id not in dict(listed):
            only = Filters(investor_id=chosen_id) if column is z.investor_id else Filters(estate_id=chosen_id)
            chosen = db.session.scalar(select(name).where(zone_condition(run, only, scope)).limit(1))
            if chosen is not None:
                listed.append((chosen_id, chosen))
    return {
        "regions": sorted(regions, key=lambda r: r[1]),
        "investors": sorted(investors, key=lambda r: r[1]),
        "investors_more": investors_more,
        "estates": sorted(estates, key=lambda r: r[1]),
        "estates_more": estates_more,
    }
