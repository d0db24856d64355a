"""``flask permits scan``: the stall scan from the command line; ``flask permits import FILE [--dry-run]``: the OSS
import (exit 0 applied, 1 refused)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli import SCAN_AS_OF, SCAN_DRY_RUN, run_scan
from app.import_commands import BY, DRY_RUN, FILE, command_actor, run_import_command
from app.security import SYSTEM_SCOPE

permits_cli = AppGroup("permits", help="Permit jobs: the stall scan, the OSS import.")


@permits_cli.command("scan")
@SCAN_AS_OF
@SCAN_DRY_RUN
def scan_command(as_of, dry_run: bool) -> None:
    """Raise, confirm and resolve the stall flags, and print the counts per flag kind.

    A real run goes through the scheduler's job (recorded like a scheduled run, digests included); a dry run
    scans inside a transaction that is rolled back. A day after today (WIB) only with ``--dry-run``: a real scan
    would write flags and notifications dated in the future, which no later scan takes back.
    """
    from permits.stalls.scan import scan_stalled
    from permits.workflow import today_wib

    today = today_wib()
    day = as_of.date() if as_of else today
    if day > today and not dry_run:
        raise click.UsageError(
            f"--as-of {day.isoformat()} is after today ({today.isoformat()} in WIB): a real scan would write flags "
            "and notifications dated in the future. Add --dry-run to see what it would flag."
        )
    counts = run_scan("stall-scan", day, dry_run, scan_stalled)
    click.echo(f"Stall scan as of {day.isoformat()}{' (dry run: nothing written)' if dry_run else ''}")
    click.echo(f"{'flag':<28}{'raised':>8}{'resolved':>10}{'open':>8}")
    for kind in counts["open"]:
        raised, resolved, still_open = counts["raised"][kind], counts["resolved"][kind], counts["open"][kind]
        click.echo(f"{kind:<28}{raised:>8}{resolved:>10}{still_open:>8}")


@permits_cli.command("import")
@click.argument("path", type=FILE)
@DRY_RUN
@BY
def import_command(path: Path, dry_run: bool, by: str | None) -> None:
    """Import permits from an OSS export, CSV or XLSX (the columns are in the README and on the import page)."""
    from permits.importing import PermitImporter

    run_import_command(PermitImporter(SYSTEM_SCOPE), path, dry_run, command_actor(by))
