"""Job-creation forecasts for the governor's office: inputs with their sources, the computation from the permits'
timing, stored runs and snapshots, the pages, the exports and the nightly refresh."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    import forecast.models  # noqa: F401 - the schema, for migrations and mappers
    from app.scheduler import daily_at, register_job
    from forecast import calibration, cli, panels, realised, views
    from forecast.jobs import refresh_forecasts
    from permits.admin.settings import SETTING_TEXTS

    SETTING_TEXTS.setdefault(
        calibration.SETTING,
        (
            _l("Calibration of the low case"),
            _l("Off, or the ratio of reported to forecast workers applied to the low case of the forecast."),
        ),
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(realised.bp)
    app.cli.add_command(cli.forecast_cli)
    panels.register_panels(app)
    register_job(app, "forecast-refresh", refresh_forecasts, daily_at("FORECAST_REFRESH_TIME"))
