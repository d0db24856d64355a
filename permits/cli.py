"""``flask permits scan``: the stall scan from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

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
    """Raise, confirm and resolve the stall flags, and print the counts per flag kind.

    A real run goes through the scheduler's job (recorded like a scheduled run, digests included); a dry run
    scans inside a transaction that is rolled back. A day after today (WIB) only with ``--dry-run``: a real scan
    would write flags and notifications dated in the future, which no later scan takes back.
    """
    import json

    from app.scheduler import run_job
    from permits.stalls.scan import scan_stalled
    from permits.workflow import today_wib

    today = today_wib()
    day = as_of.date() if as_of else today
    if day > today and not dry_run:
        raise click.UsageError(
            f"--as-of {day.isoformat()} is after today ({today.isoformat()} in WIB): a real scan would write flags "
            "and notifications dated in the future. Add --dry-run to see what it would flag."
        )
    if dry_run:
        counts = scan_stalled(day).as_dict()
        db.session.rollback()
    else:
        run = run_job(current_app._get_current_object(), "stall-scan", as_of=day)
        if not run.succeeded:
            raise click.ClickException(f"the scan failed: {run.error}")
        counts = json.loads(run.counts)
    click.echo(f"Stall scan as of {day.isoformat()}{' (dry run: nothing written)' if dry_run else ''}")
    click.echo(f"{'flag':<28}{'raised':>8}{'resolved':>10}{'open':>8}")
    for kind in counts["open"]:
        raised, resolved, still_open = counts["raised"][kind], counts["resolved"][kind], counts["open"][kind]
        click.echo(f"{kind:<28}{raised:>8}{resolved:>10}{still_open:>8}")
