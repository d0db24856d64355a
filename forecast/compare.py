"""Comparing two runs (snapshots, or a snapshot and today's forecast): what moved, by estate, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.security import Scope
from forecast import reading
from forecast.models import ForecastRun, ForecastZone


@dataclass
class EstateChange:
    estate_id: int
    estate_name: str
    before: int  # central job-quarters (operation) over the earlier run's horizon
    after: int
    reasons: list[str] = field(default_factory=list)

    @property
    def delta(self) -> int:
        return self.after - self.before


def _job_quarters(run: ForecastRun, scope: Scope) -> dict[int, tuple[str, int]]:
    """estate id -> (name, central operation job-quarters over the run's horizon), in one query."""
    return {estate_id: (name, total) for estate_id, name, total in reading.estate_job_quarters(run, scope)}


def _by_zone(run: ForecastRun, scope: Scope) -> dict[tuple[int, int | None, str], ForecastZone]:
    return {(z.estate_id, z.zone_id, z.zone_kind): z for z in reading.zones(run, reading.Filters(), scope)}


def _input_changes(a: ForecastRun, b: ForecastRun) -> list[str]:
    before = {r["key"]: (r.get("low"), r.get("value"), r.get("high")) for r in a.inputs.get("rows", [])}
    after = {r["key"]: (r.get("low"), r.get("value"), r.get("high")) for r in b.inputs.get("rows", [])}
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _zone_reasons(estate_id: int, zones_a: dict, zones_b: dict, a: ForecastRun, b: ForecastRun) -> list[str]:
    reasons = []
    for key, zb in zones_b.items():
        za = zones_a.get(key)
        if key[0] != estate_id or za is None:
            continue
        if (za.operating_central or a.as_of) < (zb.operating_central or b.as_of) or (
            za.operating_central is not None and zb.operating_central is None
        ):
            reasons.append(_("permit slipped: %(permit)s", permit=zb.waits_for or "-"))
        if za.commitment_jobs != zb.commitment_jobs:
            reasons.append(_("commitment changed"))
        if za.prior_jobs != zb.prior_jobs:
            reasons.append(_("prior changed"))
    return reasons


def compare_runs(a: ForecastRun, b: ForecastRun, scope: Scope) -> dict:
    """Estates whose central job-quarters differ between ``a`` (earlier) and ``b``, each with its reasons: a new
    (or removed) estate, a permit that slipped (a later operating date, naming the permit it waits for), a
    commitment or prior changed; plus the inputs that changed."""
    totals_a, totals_b = _job_quarters(a, scope), _job_quarters(b, scope)
    zones_a, zones_b = _by_zone(a, scope), _by_zone(b, scope)
    inputs_changed = _input_changes(a, b)
    changes = []
    for estate_id in sorted(totals_a.keys() | totals_b.keys()):
        name, before = totals_a.get(estate_id, (totals_b.get(estate_id, ("", 0))[0], 0))
        after = totals_b.get(estate_id, (name, 0))[1]
        change = EstateChange(estate_id, name, before, after)
        if estate_id not in totals_a:
            change.reasons.append(_("new estate"))
        elif estate_id not in totals_b:
            change.reasons.append(_("estate no longer in the forecast"))
        change.reasons += _zone_reasons(estate_id, zones_a, zones_b, a, b)
        if not change.reasons and inputs_changed and change.delta:
            change.reasons.append(_("assumptions changed"))
        change.reasons = list(dict.fromkeys(change.reasons))
        if change.delta or change.reasons:
            changes.append(change)
    changes.sort(key=lambda c: (-abs(c.delta), c.estate_name))
    return {"a": a, "b": b, "changes": changes, "inputs_changed": inputs_changed}
