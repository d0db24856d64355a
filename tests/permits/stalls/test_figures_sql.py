"""The agency figures computed by the database (counters on the permit, percentiles in SQL) agree with the
deciding events and the nearest-rank definitions, on a synthetic province; the page and its CSV share one
cached computation, which a new move refreshes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.synth import Sizes, synthesize
from permits.agencies.models import Agency
from permits.models import Permit, PermitEvent
from permits.stages import ASKED, DECIDED_FROM, DECISIONS
from permits.stalls.agency_figures import Grouping, StallFilters, cached_figures, median, percentile, stall_statistics
from permits.workflow import at_risk_share

AS_OF = date(2026, 11, 16)


def _from_events() -> dict[str, tuple]:
    """Per agency, from the events alone: (decided, median, p90, within, late days, stops, late stops)."""
    share = at_risk_share()
    days: dict[str, list[int]] = defaultdict(list)
    within, late_days, stops, late_stops = (defaultdict(int) for _ in range(4))
    rows = db.session.execute(
        select(Permit.agency_id, PermitEvent.from_status, PermitEvent.to_status, PermitEvent.agency_days_used)
        .add_columns(PermitEvent.sla_working_days)
        .join(PermitEvent.permit)
    )
    for agency_id, source, target, used, sla in rows:
        key = "" if agency_id is None else str(agency_id)
        if target in DECISIONS and source in DECIDED_FROM:
            days[key].append(used)
            within[key] += used <= sla
            late_days[key] += max(used - sla, 0)
        if target in ASKED and source is not None:
            stops[key] += 1
            late_stops[key] += bool(sla) and used / sla >= float(share)
    keys = set(days) | set(stops)
    return {
        k: (len(days[k]), median(days[k]), percentile(days[k], 90), within[k], late_days[k], stops[k], late_stops[k])
        for k in keys
    }


def test_the_database_figures_match_the_events():
    synthesize(Sizes(investors=5, estates=30, zones=30, permits=300, events=3000, audit=0), 11, AS_OF)
    figures = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, AS_OF)
    expected = _from_events()
    got = {
        f.key: (f.decided, f.median_days, f.p90_days, f.within_limit, f.late_days, f.stops, f.late_stops)
        for f in figures.rows
        if f.decided or f.stops
    }
    assert got == expected
    everything = [d for f in figures.rows for d in [f.decided]]
    assert figures.total.decided == sum(everything) > 0
    all_days = list(db.session.scalars(select(Permit.decision_days).where(Permit.decision_days.is_not(None))))
    assert (figures.total.median_days, figures.total.p90_days) == (median(all_days), percentile(all_days, 90))


def test_one_cached_computation_refreshed_by_a_move(client):
    synthesize(Sizes(investors=3, estates=10, zones=10, permits=70, events=500, audit=0), 12, AS_OF)
    cached_figures.cache_clear()
    first = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, AS_OF)
    assert stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, AS_OF).rows is first.rows  # cached
    assert cached_figures.cache_info().currsize == 1
    assert client.get("/stalls/agencies").status_code == 200 and client.get("/stalls/agencies.csv").status_code == 200
    assert cached_figures.cache_info().currsize == 2  # the page and its CSV (today, not AS_OF) share one entry
    permit = db.session.scalars(select(Permit).where(Permit.status == "under_review").order_by(Permit.id)).first()
    permit.notes = "touched"  # any change of a permit moves the cache's stamp
    db.session.commit()
    second = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, AS_OF)
    assert second.rows is not first.rows
    renamed = db.session.get(Agency, int(next(f.key for f in second.rows if f.key)))
    renamed.name_id = "Dinas Berganti Nama"  # a renamed agency shows its new name at once
    db.session.commit()
    rows = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, AS_OF).rows
    assert "Dinas Berganti Nama" in [f.label for f in rows]
