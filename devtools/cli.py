"""``flask seed-demo``: the demo scenario (the reference case and the fictional investors)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.timezone import today_wib
from devtools.demo import database_is_empty, seed_demo
from devtools.synth import REFERENCE, Sizes, synthesize
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


dev_cli = AppGroup("dev", help="Tools for developers (refused under the production configuration).")


@dev_cli.command("synth")
@click.option("--investors", type=click.IntRange(min=0), default=REFERENCE.investors, show_default=True)
@click.option("--estates", type=click.IntRange(min=0), default=REFERENCE.estates, show_default=True)
@click.option("--zones", type=click.IntRange(min=0), default=REFERENCE.zones, show_default=True)
@click.option("--permits", type=click.IntRange(min=0), default=REFERENCE.permits, show_default=True)
@click.option("--events", type=click.IntRange(min=0), default=REFERENCE.events, show_default=True)
@click.option("--audit", type=click.IntRange(min=0), default=REFERENCE.audit, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day the data is drawn for (today, WIB).")
def synth_command(
    investors: int, estates: int, zones: int, permits: int, events: int, audit: int, seed: int, as_of
) -> None:
    """Load synthetic data (the reference size by default): deterministic for a seed and a day, bulk-loaded."""
    if not current_app.config.get("SEED_DEMO_ALLOWED"):
        raise click.ClickException("dev synth is refused under the production configuration.")
    sizes = Sizes(investors, estates, zones, permits, events, audit)
    day = as_of.date() if as_of is not None else today_wib()

    def progress(kind: str, n: int, seconds: float) -> None:
        click.echo(f"\r{seconds:7.1f} s  {kind}: {n:,}".ljust(50), nl=False)

    try:
        loaded = synthesize(sizes, seed, day, progress)
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except Exception:
        db.session.rollback()
        raise
    click.echo("\nSynthetic data loaded: " + ", ".join(f"{n:,} {kind}" for kind, n in loaded.items()))
