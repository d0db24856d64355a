"""``flask seed-demo``: the demo scenario (the reference case and the fictional investors)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from devtools.demo import database_is_empty, seed_demo
from forecast.models import ForecastRun
from forecast.services import refresh_forecast

# A snapshot taken before the demo's first LKPM quarter (2025-Q3), so that the forecast against realisation has
# something to compare: the forecast as of that day, from the demo's data as it stands (fictional, like them).
DEMO_SNAPSHOT_ON = date(2025, 6, 16)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database holds no investor yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo scenario (idempotent). Refused under the production configuration."""
    if not current_app.config.get("SEED_DEMO_ALLOWED"):
        raise click.ClickException("seed-demo is refused under the production configuration.")
    if if_empty and not database_is_empty():
        click.echo("Database already holds data: demo not seeded.")
        return
    try:
        added = seed_demo()
        db.session.commit()
        refresh_forecast(actor="seed-demo")  # so that the governor's pages show the demo's forecast at once
        if db.session.scalar(select(ForecastRun.id).where(ForecastRun.is_snapshot.is_(True)).limit(1)) is None:
            label = "Demo: potret sebelum triwulan III 2025 (fiktif)"
            refresh_forecast(DEMO_SNAPSHOT_ON, snapshot=True, label=label, actor="seed-demo")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo("Demo seeded: " + ", ".join(f"{n} {kind}" for kind, n in added.items()))
