"""Commands: ``flask lkpm import FILE [--dry-run]``, ``flask lkpm scan [--as-of DAY] [--dry-run]`` and
``flask layoffs import FILE [--dry-run]``.

An import prints the row-by-row report (in the configured language, Indonesian by default) and exits 0 when the
file was applied (or, with ``--dry-run``, would be; or changes nothing), 1 when it was refused: nothing is
written then.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli import SCAN_AS_OF, SCAN_DRY_RUN, run_scan
from app.import_commands import BY, DRY_RUN, FILE, command_actor, run_import_command
from app.security import SYSTEM_SCOPE

lkpm_cli = AppGroup("lkpm", help="LKPM reports: import a CSV or XLSX file, scan for missing reports.")
layoffs_cli = AppGroup("layoffs", help="Layoff (PHK) records: import a CSV or XLSX file.")


@lkpm_cli.command("import")
@click.argument("path", type=FILE)
@DRY_RUN
@BY
def import_command(path: Path, dry_run: bool, by: str | None) -> None:
    """Import LKPM reports from a CSV or XLSX file (the columns are in the README and on the import page)."""
    from realisation.importing import LkpmImporter

    run_import_command(LkpmImporter(SYSTEM_SCOPE), path, dry_run, command_actor(by))


@lkpm_cli.command("scan")
@SCAN_AS_OF
@SCAN_DRY_RUN
def scan_command(as_of, dry_run: bool) -> None:
    """Raise, confirm and resolve the missing-report flags, and print the counts per flag kind."""
    from app.timezone import today_wib
    from realisation.scan import scan_missing_reports

    day = as_of.date() if as_of else today_wib()
    counts = run_scan("lkpm-scan", day, dry_run, scan_missing_reports)
    click.echo(f"LKPM scan as of {day.isoformat()}{' (dry run: nothing written)' if dry_run else ''}")
    click.echo(f"investors expected to report: {counts['investors_expected']}")
    click.echo(f"{'flag':<16}{'raised':>8}{'reopened':>10}{'resolved':>10}{'open':>8}")
    for kind in counts["open"]:
        row = [counts[column][kind] for column in ("raised", "reopened", "resolved", "open")]
        click.echo(f"{kind:<16}{row[0]:>8}{row[1]:>10}{row[2]:>10}{row[3]:>8}")


@layoffs_cli.command("import")
@click.argument("path", type=FILE)
@DRY_RUN
@BY
def layoffs_import_command(path: Path, dry_run: bool, by: str | None) -> None:
    """Import layoff (PHK) records from a CSV or XLSX file (the columns are in the README and on the import page)."""
    from realisation.layoffs.importing import LayoffImporter

    run_import_command(LayoffImporter(SYSTEM_SCOPE), path, dry_run, command_actor(by))
