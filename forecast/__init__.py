"""Job-creation forecasts and the governor's office views (empty until its issue: the nightly job only)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.scheduler import daily_at, register_job
    from forecast.jobs import refresh_forecasts

    register_job(app, "forecast-refresh", refresh_forecasts, daily_at("FORECAST_REFRESH_TIME"))
