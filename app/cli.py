"""Commands of the shell: ``scheduler run`` (the scheduler process), ``scheduler run-job NAME``, ``serve`` (the
development server with its scheduler), ``backup`` and ``restore``."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from app.leadership import holder_name

scheduler_cli = AppGroup("scheduler", help="Run the scheduled jobs.")

# The options and the run of a scan command (``permits scan``, ``lkpm scan``): a day, and a dry run.
SCAN_AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Scan as of this day (YYYY-MM-DD); default today in WIB.",
)
SCAN_DRY_RUN = click.option("--dry-run", is_flag=True, help="Count what the scan would do and write nothing.")


def run_scan(job: str, day: date, dry_run: bool, scan: Callable[[date], Any]) -> dict:
    """The counts of a scan as of ``day``: a real run goes through the scheduler's job ``job`` (recorded like a
    scheduled run); a dry run calls ``scan`` inside a transaction that is rolled back."""
    from app.extensions import db
    from app.scheduler import run_job

    if dry_run:
        counts = scan(day).as_dict()
        db.session.rollback()
        return counts
    run = run_job(current_app._get_current_object(), job, as_of=day)
    if not run.succeeded:
        raise click.ClickException(f"the scan failed: {run.error}")
    return json.loads(run.counts)


@scheduler_cli.command("run")
def scheduler_run_command() -> None:
    """Run the scheduler in this process until stopped (SIGTERM or Ctrl-C); a standby when another leads."""
    from app.scheduler import run_scheduler

    app = current_app._get_current_object()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_scheduler(app, stop, on_state=lambda state: click.echo(f"scheduler {holder_name()}: {state}", err=True))


@scheduler_cli.command("run-job")
@click.argument("name")
def scheduler_run_job_command(name: str) -> None:
    """Run one job now (as the scheduler would), and print how it went."""
    from app.scheduler import jobs_of, run_job

    app = current_app._get_current_object()
    if name not in jobs_of(app):
        raise click.ClickException(f"Unknown job {name}; known: {', '.join(sorted(jobs_of(app)))}")
    run = run_job(app, name)
    click.echo(f"{name}: {'ok' if run.succeeded else 'FAILED'} {run.counts or run.error}")
    if not run.succeeded:
        raise SystemExit(1)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Run the scheduler in this process too (development; production runs `scheduler run`).",
)
def serve_command(host: str, port: int, scheduler: bool) -> None:
    """The development server with the scheduler inside it, started once (not again in a reloader child)."""
    from werkzeug.serving import run_simple

    from app.scheduler import start_in_background

    app = current_app._get_current_object()
    reloading = app.debug
    if scheduler_should_start(scheduler, reloading, os.environ):
        start_in_background(app)
        click.echo("Scheduler started in this process (the leader runs the jobs; see `flask scheduler`).")
    run_simple(host, port, app, use_reloader=reloading, use_debugger=app.debug, threaded=True)


def scheduler_should_start(enabled: bool, reloading: bool, environ: Mapping[str, str]) -> bool:
    """Whether this process of the development server runs the scheduler: the one that serves, once.

    With the reloader (debug mode), the first process only watches the files and restarts a child, marked
    by WERKZEUG_RUN_MAIN=true, which serves; the scheduler runs in that child (a restarted child is a new
    process, whose scheduler takes the lead once the old one's lock is free). Without the reloader, the one
    process serves and schedules.
    """
    return enabled and (not reloading or environ.get("WERKZEUG_RUN_MAIN") == "true")


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The archive.")
def backup_command(out: Path) -> None:
    """Write the database and the uploaded documents to one archive, with a manifest of checksums."""
    from app.backup import BackupError, backup_to

    if out.exists():
        raise click.ClickException(f"{out} exists already: choose a new file name")
    try:
        summary = backup_to(out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backup of the {summary.engine} database (revision {summary.revision}) and {summary.documents} "
        f"document(s) written to {out} ({summary.size_bytes} bytes)."
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore over a database that already holds data.")
def restore_command(archive: Path, force: bool) -> None:
    """Replace the database and the documents with an archive's, after checking every checksum."""
    from app.backup import BackupError, restore_from

    try:
        summary = restore_from(archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored the {summary.engine} database (revision {summary.revision}) and {summary.documents} document(s)."
    )
