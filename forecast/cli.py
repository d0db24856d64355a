"""Commands: ``flask forecast refresh [--as-of DAY]`` and
``flask forecast export --format csv|xlsx --out FILE [--as-of DAY]``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.security import SYSTEM_SCOPE
from forecast import export, reading
from forecast.services import refresh_forecast

forecast_cli = AppGroup("forecast", help="Job-creation forecasts: refresh the stored one, export it.")
AS_OF = click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Compute as of this day."
)


@forecast_cli.command("refresh")
@AS_OF
def refresh_command(as_of) -> None:
    """Compute the forecast from the data as it stands and store it (pages show the stored one)."""
    run = refresh_forecast(as_of.date() if as_of else None, actor="command line")
    db.session.commit()
    click.echo(f"forecast run {run.id} as of {run.as_of.isoformat()}")


@forecast_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@AS_OF
def export_command(fmt: str, out: Path, as_of) -> None:
    """Write the forecast: the stored one, or, with ``--as-of``, one computed as of that day (and stored)."""
    run = reading.current_run()
    day: date | None = as_of.date() if as_of else None
    if run is None or (day is not None and run.as_of != day):
        run = refresh_forecast(day, actor="command line")
        db.session.commit()
    maker = export.forecast_csv if fmt == "csv" else export.forecast_xlsx
    out.write_bytes(maker(run, reading.Filters(), SYSTEM_SCOPE))
    click.echo(f"{out}: forecast run {run.id} as of {run.as_of.isoformat()}")
