"""Commands of the shell: ``scheduler run`` (the scheduler process), ``scheduler run-job NAME`` and ``serve``
(the development server with its scheduler)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Mapping

import click
from flask import current_app
from flask.cli import AppGroup

from app.scheduler import holder_name

scheduler_cli = AppGroup("scheduler", help="Run the scheduled jobs.")


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
