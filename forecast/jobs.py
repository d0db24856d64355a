"""Nightly refresh of the job-creation forecasts (also ``flask forecast refresh`` and
``flask scheduler run-job forecast-refresh``)."""

from __future__ import annotations

from datetime import date

from forecast.services import refresh_forecast


def refresh_forecasts(as_of: date | None = None) -> dict:
    """Recompute and store today's forecast, replacing the previous one (snapshots are kept). Flushes;
    ``run_job`` (or the command) commits."""
    run = refresh_forecast(as_of, actor="scheduler")
    return {"run": run.id, "as_of": run.as_of.isoformat()}
