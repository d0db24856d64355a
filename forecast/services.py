"""Computing and storing forecast runs, freezing snapshots, and editing the inputs.

``refresh_forecast`` reads the register (``forecast.gather``), computes each zone (``forecast.model``) and stores
the run; the pages only read stored runs. The latest run that is not a snapshot is the current forecast; older
ones are deleted by the next refresh. Services flush, never commit.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from app.errors import NotFound, found
from app.extensions import db
from app.timezone import today_wib
from forecast import calibration, store
from forecast import gather as gathering
from forecast.engine import Engine
from forecast.inputs import input_rows, inputs_json, load_inputs
from forecast.models import (
    ForecastHeld,
    ForecastInput,
    ForecastRegionTotal,
    ForecastRun,
    ForecastZone,
)
from permits.calendar import preloaded_calendar


class InputRefused(ValueError):
    """An input edit that would make the forecast incoherent (low above high, a share above 1...)."""


ZONE_COLUMNS = (
    "run_id", "zone_id", "zone_kind", "zone_name", "area_ha",
    "estate_id", "estate_name", "region_id", "kab_kota", "investor_id", "investor_name", "capital_status",
    "investment_rp", "claim_jobs",  # the estate's part (``gather.EstateRow`` and the claim): made once per estate
    "commitment_jobs", "prior_jobs", "basis", "clear_central", "operating_low", "operating_central", "operating_high",
    "waits_for", "notes", "series",
)  # fmt: skip
PARTS: dict[str, float] = {}  # the last refresh's parts, in seconds (see ``_refresh``): what bench/ prints
ZONE_TYPES = (
    "int4", "int4", "text", "text", "bytea", "int4", "text", "int4", "text", "int4", "text", "text", "bytea",
    "text", "int4", "int4", "text", "date", "date", "date", "date", "text", "text", "int4",
)  # fmt: skip
# the two numeric columns (area, investment) arrive already in PostgreSQL's binary form (``store.NumericData``),
# written as they are ("bytea": the bytes unchanged); the server reads them as the column's type
REGION_TOTAL_COLUMNS = (
    "run_id", "region_id", "kab_kota", "zone_kind", "capital_status", "zones", "quarter", "phase", "low", "central",
    "high",
)  # fmt: skip
HELD_COLUMNS = (
    "run_id", "permit_id", "permit_type", "agency_id", "agency_name", "estate_id", "estate_name", "region_id",
    "investor_id", "job_quarters", "investment_rp",
)  # fmt: skip


def refresh_forecast(
    as_of: date | None = None, *, snapshot: bool = False, label: str | None = None, actor: str = "system"
) -> ForecastRun:
    """Compute the forecast as of ``as_of`` (today, WIB) from the data as it stands and store it.

    A refresh replaces the earlier current runs; a snapshot (``snapshot=True``, with ``label``) is kept until an
    administrator deletes it. Returns the run (flushed). The register is read in a fixed number of queries
    (``forecast.gather``), each zone is timed and numbered with its distinct series (``forecast.engine``), every
    series' figures are computed at once (``forecast.packed``), and the rows are written in bulk (``forecast.store``).
    """
    collecting = gc.isenabled()
    gc.disable()  # a province makes a million short-lived tuples and no cycle: the collector would only rescan them
    try:
        return _refresh(as_of or today_wib(), snapshot, label, actor)
    finally:
        if collecting:
            gc.enable()


def _refresh(as_of: date, snapshot: bool, label: str | None, actor: str) -> ForecastRun:
    """The refresh, its parts timed in ``PARTS``: ``delete`` (the inputs and the previous run), ``read`` (the
    register), ``compute`` (the zones, while their rows are copied, then the series' figures), ``write`` (the rest
    of the writing: the end of the zone rows' ``COPY``, then the series, held-back and total rows and ``ANALYZE``).
    The previous run is deleted while the series' figures are computed (``store.delete_runs_beside``), so ``delete``
    is the inputs' read and the new run's row."""
    began = time.perf_counter()
    PARTS.clear()
    PARTS["compute"] = 0.0
    rows = input_rows()
    inputs = load_inputs(rows)
    low_ratio = calibration.ratio_in_force()  # an adopted calibration of the low case, or None
    run = ForecastRun(
        as_of=as_of,
        horizon_quarters=inputs.horizon_quarters,
        inputs=calibration.record(inputs_json(rows), low_ratio),
        is_snapshot=snapshot,
        label=label,
        created_by=actor,
    )
    old_ids = [] if snapshot else store.current_ids()  # deleted while the series' figures are computed
    db.session.add(run)
    db.session.flush()
    # a calendar that reads no more: the permits are read and the zones computed while rows are on the wire
    calendar = preloaded_calendar()
    engine = Engine(inputs, as_of, calendar.add_working_days, low_ratio)
    run_id = run.id  # read once: an ORM attribute costs a call per row
    read = time.perf_counter()
    PARTS["delete"] = read - began
    estates = gathering.gather(as_of, calendar=calendar)
    written = time.perf_counter()
    PARTS["read"] = written - read
    counts: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # group -> series -> zones
    held: dict[int, list] = {}

    zones = zone_rows(engine, estates, run_id, counts, held, store.numeric_data())
    store.bulk_insert(ForecastZone.__table__, ZONE_COLUMNS, zones, serialised=True, binary=ZONE_TYPES)
    start = time.perf_counter()
    figures = store.delete_runs_beside(old_ids, engine.figures)  # every series at once, once the zones are numbered
    PARTS["compute"] += time.perf_counter() - start
    # the register and the engine's memos (a million objects) freed while the server stores the series
    freeing = threading.Thread(target=_forget, args=(estates, engine))
    freeing.start()
    try:
        held_rows, totals = store.insert_series(  # the other rows made while the server stores the series
            run_id, figures, lambda: ([tuple(v) for v in held.values()], [(run_id, *t) for t in engine.totals(counts)])
        )
        store.bulk_insert(ForecastHeld.__table__, HELD_COLUMNS, held_rows)
        store.bulk_insert(ForecastRegionTotal.__table__, REGION_TOTAL_COLUMNS, totals)
        store.analyze()
    finally:
        freeing.join()
    PARTS["write"] = time.perf_counter() - written - PARTS["compute"]
    return run


def _forget(estates: list, engine: Engine) -> None:
    estates.clear()
    engine.forget()


def zone_rows(
    engine: Engine,
    estates: list,
    run_id: int,
    counts: dict[tuple, dict[int, int]],
    held: dict[int, list],
    numeric: dict[Decimal | None, object],
) -> Iterator[tuple]:
    """Each zone's row, computed as the ``COPY`` takes them (the server stores the rows on the other core while
    the next estate is computed): the computation reads nothing from the database (``preloaded_calendar``). Counts
    each group's zones by series in ``counts`` and the job-quarters each overdue permit holds back in ``held``.
    ``numeric``: a numeric value as written (``store.numeric_data``)."""
    texts: dict[tuple, str] = {}  # the notes' JSON text, by their items (a few dozen distinct lists)
    rows_of = engine.rows
    for facts in estates:
        start = time.perf_counter()
        e = facts.estate
        estate_part = (*e[:7], numeric[e.investment_rp], facts.claim_jobs)
        by_kind: dict[str, dict[int, int]] = {}  # zone kind -> its group's zones by series
        by_permit: dict[int, object] | None = None  # permit id -> its fact, made where a permit holds jobs back
        out = []
        zones = facts.zones
        for (zone_id, zone_name, zone), (basis, prior, _, clear, operating, waits_for, notes, series, gains) in zip(
            zones, rows_of(facts.permits, [zone for _, _, zone in zones]), strict=True
        ):
            key = tuple(notes)
            text = texts.get(key)
            if text is None:
                text = texts[key] = json.dumps(sorted(set(key)))
            kind = zone.kind
            row = (
                run_id, zone_id, kind, zone_name, numeric[zone.area_ha], *estate_part, zone.commitment_jobs, prior,
                basis, clear[1], *operating, waits_for, text, series,
            )  # fmt: skip
            out.append(row)  # in the order of ``ZONE_COLUMNS``
            group = by_kind.get(kind)
            if group is None:
                group = by_kind[kind] = counts[e.region_id, e.kab_kota, kind, e.capital_status]
            group[series] += 1
            if not gains:  # most zones: nothing held back
                continue
            for permit_id, gain in gains.items():
                if permit_id not in held:
                    if by_permit is None:
                        by_permit = {f.permit_id: f for f in facts.permits.values()}
                    fact = by_permit[permit_id]
                    held[permit_id] = [
                        run_id, permit_id, fact.code, fact.agency_id, fact.agency_name, e.id, e.name,
                        e.region_id, e.investor_id, 0, e.investment_rp,
                    ]  # fmt: skip
                held[permit_id][9] += gain
        PARTS["compute"] += time.perf_counter() - start
        yield from out


def delete_snapshot(run_id: int) -> None:
    run = found(db.session.get(ForecastRun, run_id))
    if not run.is_snapshot:
        raise NotFound
    store.delete_runs([run.id])


def update_input(
    input_id: int,
    *,
    low: Decimal | None,
    value: Decimal | None,
    high: Decimal | None,
    source: str,
    source_kind: str,
    source_year: int | None,
    actor: str,
) -> ForecastInput:
    """Change one input with its source. Refused (``InputRefused``): low above the value or the value above high,
    a negative figure, a share above 1, or an empty source."""
    row = found(db.session.get(ForecastInput, input_id))
    figures = [v for v in (low, value, high) if v is not None]
    if any(v < 0 for v in figures):
        raise InputRefused("negative")
    if value is not None and ((low is not None and low > value) or (high is not None and high < value)):
        raise InputRefused("order")
    if row.group == "skill_share" and value is not None and value > 1:
        raise InputRefused("share")
    if not source.strip():
        raise InputRefused("source")
    row.low, row.value, row.high = low, value, high
    row.source, row.source_kind, row.source_year = source.strip(), source_kind, source_year
    row.updated_by = actor
    db.session.flush()
    return row
