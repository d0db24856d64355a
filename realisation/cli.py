"""Commands: ``flask lkpm import FILE [--dry-run]``, ``flask lkpm scan [--as-of DAY] [--dry-run]`` and
``flask layoffs import FILE [--dry-run]``.

An import prints the row-by-row report (in the configured language, Indonesian by default) and exits 0 when the
file was applied (or, with ``--dry-run``, would be; or changes nothing), 1 when it was refused: nothing is
written then.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli import SCAN_AS_OF, SCAN_DRY_RUN, run_scan
from app.extensions import db
from app.imports import Actor, Importer, ImportRefused, ImportReport, import_file, receive
from app.security import SYSTEM_SCOPE

lkpm_cli = AppGroup("lkpm", help="LKPM reports: import a CSV or XLSX file, scan for missing reports.")
layoffs_cli = AppGroup("layoffs", help="Layoff (PHK) records: import a CSV or XLSX file.")

FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
DRY_RUN = click.option("--dry-run", is_flag=True, help="Check the whole file and say what would change; write nothing.")
BY = click.option("--by", "by", default=None, help="Who imports, as recorded with the batch (default: the OS user).")


def _actor(by: str | None) -> Actor:
    return Actor(by or _("%(user)s (command line)", user=getpass.getuser()))


def run_import_command(importer: Importer, path: Path, dry_run: bool, actor: Actor) -> None:
    """Check and apply ``path`` with ``importer``; print the report; exit 1 when refused."""
    try:
        with path.open("rb") as stream:
            source = receive(path.name, stream)
        report = import_file(importer, source, actor=actor, dry_run=dry_run)
    except ImportRefused as refused:
        db.session.rollback()
        click.echo(_("Refused: %(reason)s", reason=str(refused)), err=True)
        raise SystemExit(1) from None
    _print_report(report)
    if report.refused:
        db.session.rollback()
        raise SystemExit(1)
    db.session.commit()


def _print_report(report: ImportReport) -> None:
    click.echo(_("%(file)s: %(rows)s rows checked.", file=report.filename, rows=report.rows_checked))
    if report.refused:
        click.echo(_("Refused: %(count)s errors; nothing was imported.", count=report.error_count), err=True)
        for error in report.errors:
            where = _("row %(row)s", row=error.row)
            if error.column:
                where = _("row %(row)s, column %(column)s", row=error.row, column=error.column)
            click.echo(f"  {where}: {error.message}", err=True)
        if report.unlisted_errors:
            click.echo("  " + _("… and %(count)s more errors.", count=report.unlisted_errors), err=True)
        return
    counts = _("%(created)s new, %(updated)s corrected, %(unchanged)s unchanged.", **_counts(report))
    if report.dry_run:
        click.echo(_("Dry run, nothing written: %(counts)s", counts=counts))
    elif report.applied:
        click.echo(_("Imported as batch %(batch)s: %(counts)s", batch=report.batch_id, counts=counts))
    else:
        click.echo(_("Nothing to change: every row is already in Pantau."))


def _counts(report: ImportReport) -> dict[str, int]:
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}


@lkpm_cli.command("import")
@click.argument("path", type=FILE)
@DRY_RUN
@BY
def import_command(path: Path, dry_run: bool, by: str | None) -> None:
    """Import LKPM reports from a CSV or XLSX file (the columns are in the README and on the import page)."""
    from realisation.importing import LkpmImporter

    run_import_command(LkpmImporter(SYSTEM_SCOPE), path, dry_run, _actor(by))


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

    run_import_command(LayoffImporter(SYSTEM_SCOPE), path, dry_run, _actor(by))
