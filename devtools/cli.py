"""``flask seed-demo``: the demo scenario (the reference case and the fictional investors)."""

from __future__ import annotations

import click
from flask import current_app

from app.extensions import db
from devtools.demo import database_is_empty, seed_demo
from forecast.services import refresh_forecast


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
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo("Demo seeded: " + ", ".join(f"{n} {kind}" for kind, n in added.items()))
