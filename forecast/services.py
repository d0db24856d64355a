"""Computing and storing forecast runs, freezing snapshots, and editing the inputs.

``refresh_forecast`` reads the register (``forecast.gather``), computes each zone (``forecast.model``) and stores
the run; the pages only read stored runs. The latest run that is not a snapshot is the current forecast; older
ones are deleted by the next refresh. Services flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert, select

from app.errors import NotFound, found
from app.extensions import db
from app.timezone import today_wib
from forecast import calibration
from forecast import gather as gathering
from forecast.inputs import input_rows, inputs_json, load_inputs
from forecast.model import compute_zone, held_back
from forecast.models import ForecastCell, ForecastHeld, ForecastInput, ForecastRun, ForecastZone
from permits.calendar import site_calendar


class InputRefused(ValueError):
    """An input edit that would make the forecast incoherent (low above high, a share above 1...)."""


def refresh_forecast(
    as_of: date | None = None, *, snapshot: bool = False, label: str | None = None, actor: str = "system"
) -> ForecastRun:
    """Compute the forecast as of ``as_of`` (today, WIB) from the data as it stands and store it.

    A refresh replaces the earlier current runs; a snapshot (``snapshot=True``, with ``label``) is kept until an
    administrator deletes it. Returns the run (flushed).
    """
    as_of = as_of or today_wib()
    rows = input_rows()
    inputs = load_inputs(rows)
    cal = site_calendar()
    add_wd = cal.add_working_days
    low_ratio = calibration.ratio_in_force()  # an adopted calibration of the low case, or None
    run = ForecastRun(
        as_of=as_of,
        horizon_quarters=inputs.horizon_quarters,
        inputs=calibration.record(inputs_json(rows), low_ratio),
        is_snapshot=snapshot,
        label=label,
        created_by=actor,
    )
    if not snapshot:
        old = select(ForecastRun.id).where(ForecastRun.is_snapshot.is_(False))
        old_ids = list(db.session.scalars(old))
        if old_ids:
            _delete_runs(old_ids)
    db.session.add(run)
    db.session.flush()
    pending: list[tuple[ForecastZone, dict]] = []
    held: dict[int, int] = defaultdict(int)
    held_info: dict[int, tuple] = {}
    for facts in gathering.gather(as_of):
        estate = facts.estate
        for zone_id, zone_name, zone in facts.zones:
            result = compute_zone(zone, facts.permits, inputs, as_of, add_wd)
            row = ForecastZone(
                run_id=run.id,
                zone_id=zone_id,
                zone_kind=zone.kind,
                zone_name=zone_name,
                area_ha=zone.area_ha,
                estate_id=estate.id,
                estate_name=estate.name,
                investor_id=estate.investor_id,
                investor_name=estate.investor.legal_name,
                capital_status=estate.investor.capital_status.value,
                region_id=estate.region_id,
                kab_kota=estate.region.name,
                investment_rp=estate.planned_investment_rp,
                commitment_jobs=result.commitment_jobs,
                prior_jobs=result.prior_jobs,
                claim_jobs=facts.claim_jobs,
                basis=result.basis,
                clear_central=result.clear[1],
                operating_low=result.operating[0],
                operating_central=result.operating[1],
                operating_high=result.operating[2],
                waits_for=result.waits_for,
                notes=sorted(set(result.notes)),
            )
            pending.append((row, calibration.apply(result.cells, low_ratio)))
            for permit_id, gain in held_back(zone, facts.permits, inputs, as_of, add_wd, result).items():
                held[permit_id] += gain
                fact = next(f for f in facts.permits.values() if f.permit_id == permit_id)
                held_info[permit_id] = (fact, estate)
    _store_cells(pending)
    for permit_id, gain in held.items():
        fact, estate = held_info[permit_id]
        db.session.add(
            ForecastHeld(
                run_id=run.id,
                permit_id=permit_id,
                permit_type=fact.code,
                agency_id=fact.agency_id,
                agency_name=fact.agency_name,
                estate_id=estate.id,
                estate_name=estate.name,
                region_id=estate.region_id,
                investor_id=estate.investor_id,
                job_quarters=gain,
                investment_rp=estate.planned_investment_rp,
            )
        )
    db.session.flush()
    return run


def _store_cells(pending: list[tuple[ForecastZone, dict]]) -> None:
    """Write the zone rows, then their cells in one multi-row insert (an ORM object per cell is too slow for a
    province of 100,000 zones)."""
    db.session.add_all([row for row, _ in pending])
    db.session.flush()
    cells = [
        {"zone_row_id": row.id, "quarter": q, "phase": phase, "low": v[0], "central": v[1], "high": v[2]}
        for row, values in pending
        for (q, phase), v in values.items()
    ]
    for start in range(0, len(cells), 5000):
        db.session.execute(insert(ForecastCell.__table__), cells[start : start + 5000])


def _delete_runs(ids: list[int]) -> None:
    zone_ids = select(ForecastZone.id).where(ForecastZone.run_id.in_(ids))
    db.session.execute(delete(ForecastCell).where(ForecastCell.zone_row_id.in_(zone_ids)))
    db.session.execute(delete(ForecastZone).where(ForecastZone.run_id.in_(ids)))
    db.session.execute(delete(ForecastHeld).where(ForecastHeld.run_id.in_(ids)))
    db.session.execute(delete(ForecastRun).where(ForecastRun.id.in_(ids)))
    for obj in list(db.session.identity_map.values()):  # the deleted rows' objects must not meet reused ids
        if isinstance(obj, (ForecastRun, ForecastZone, ForecastCell, ForecastHeld)):
            db.session.expunge(obj)


def delete_snapshot(run_id: int) -> None:
    run = found(db.session.get(ForecastRun, run_id))
    if not run.is_snapshot:
        raise NotFound
    _delete_runs([run.id])


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
