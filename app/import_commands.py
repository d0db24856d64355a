"""The shape every import command shares (``flask lkpm import``, ``flask layoffs import``, ``flask permits import``):
``FILE [--dry-run] [--by NAME]``; the row-by-row report is printed (in the configured language, Indonesian by
default) and the command exits 0 when the file was applied (or, with ``--dry-run``, would be; or changes nothing),
1 when it was refused: nothing is written then.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask_babel import gettext as _

from app.extensions import db
from app.imports import Actor, Importer, ImportRefused, ImportReport, import_file, receive

FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
DRY_RUN = click.option("--dry-run", is_flag=True, help="Check the whole file and say what would change; write nothing.")
BY = click.option("--by", "by", default=None, help="Who imports, as recorded with the batch (default: the OS user).")


def command_actor(by: str | None) -> Actor:
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
