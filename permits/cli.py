"""Command-line commands of the permits package, and the demo scenario (which spans estates and permits)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.models import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database holds no investor yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo scenario (idempotent). Refused under the production configuration."""
    from permits.demo import database_is_empty, seed_demo

    if not current_app.config.get("SEED_DEMO_ALLOWED"):
        raise click.ClickException("seed-demo is refused under the production configuration.")
    if if_empty and not database_is_empty():
        click.echo("Database already holds data: demo not seeded.")
        return
    try:
        added = seed_demo()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo("Demo seeded: " + ", ".join(f"{n} {kind}" for kind, n in added.items()))


permits_cli = AppGroup("permits", help="Permit jobs: the stall scan.")


@permits_cli.command("scan")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Scan as of this day (YYYY-MM-DD); default today in WIB.",
)
@click.option("--dry-run", is_flag=True, help="Count what the scan would do and write nothing.")
def scan_command(as_of, dry_run: bool) -> None:
    """Raise, confirm and resolve the stall flags, and print the counts per flag kind."""
    from permits.stalls import scan_stalled
    from permits.workflow import today_wib

    day = as_of.date() if as_of else today_wib()
    result = scan_stalled(day)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"Stall scan as of {day.isoformat()}{' (dry run: nothing written)' if dry_run else ''}")
    click.echo(f"{'flag':<28}{'raised':>8}{'resolved':>10}{'open':>8}")
    for kind in result.open:
        click.echo(f"{kind:<28}{result.raised[kind]:>8}{result.resolved[kind]:>10}{result.open[kind]:>8}")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(permits_cli)
