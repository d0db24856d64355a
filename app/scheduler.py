"""Scheduled jobs: recorded runs, and exactly one scheduler among any number of processes.

A job is a plain function (in ``<package>/jobs.py``) registered with ``register_job``; ``run_job`` runs it in
an app context, records a JobRun (start, end, counts, error), commits or rolls back, and logs. The same
function is a command, so it can run without a scheduler.

Only the *leader* schedules. Leadership is a PostgreSQL advisory lock held on a dedicated connection (the
server frees it when the process dies), or on SQLite a lease row renewed every few seconds and taken over when
it expires. A standby polls until it becomes the leader. The leader also keeps a heartbeat (the lease row on
both engines) that ``/healthz`` reads.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.database import utcnow
from app.extensions import db
from app.leadership import LOCK_NAME, holder_name, make_lock
from app.models import JobRun, SchedulerLease

log = logging.getLogger(__name__)
WIB = "Asia/Jakarta"


Fence = Callable[[Session], "int | None"]  # the lock's check: its fencing token while it leads, else None


class LostLeadership(RuntimeError):
    """The process lost the scheduler's leadership between recording a run and starting the job."""


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., dict]  # returns the counts to record
    trigger: Callable[[Flask], CronTrigger]


def register_job(app: Flask, name: str, func: Callable[..., dict], trigger: Callable[[Flask], CronTrigger]) -> None:
    app.extensions.setdefault("pantau.jobs", {})[name] = Job(name, func, trigger)


def jobs_of(app: Flask) -> dict[str, Job]:
    return app.extensions.get("pantau.jobs", {})


def daily_at(config_key: str) -> Callable[[Flask], CronTrigger]:
    """A trigger every day at the "HH:MM" or "HH:MM:SS" (WIB) held in ``config_key``."""

    def trigger(app: Flask) -> CronTrigger:
        hour, minute, second = ([*app.config[config_key].split(":"), "0", "0"])[:3]
        return CronTrigger(hour=int(hour), minute=int(minute or 0), second=int(second or 0), timezone=WIB)

    return trigger


def every_minutes(config_key: str) -> Callable[[Flask], IntervalTrigger]:
    """A trigger every N minutes, N held in ``config_key``."""

    def trigger(app: Flask) -> IntervalTrigger:
        return IntervalTrigger(minutes=int(app.config[config_key]), timezone=WIB)

    return trigger


def run_job(app: Flask, name: str, fence: Fence | None = None, **kwargs) -> JobRun | None:
    """Run the job ``name`` once in an app context of its own, recording its run (start, end, counts, error).

    With a ``fence`` (the scheduler's lock), the run is made only while this process leads: the run row is
    written under the lock's fencing token, and the job's own transaction checks the token again before it
    runs, so a leader that lost its lease (frozen, then woken) records nothing and runs nothing: None is
    returned. The job's writes are committed when it returns, rolled back when it raises; the exception is
    recorded and logged, not raised. Returns the JobRun, detached with its columns loaded (its session is
    closed). Raises KeyError for an unknown job, and database errors while writing the JobRun itself.
    """
    job = jobs_of(app)[name]
    with app.app_context():
        token = fence(db.session) if fence is not None else None
        if fence is not None and token is None:
            db.session.rollback()
            log.warning("job %s not run: this process no longer leads the scheduler", name)
            return None
        run = JobRun(job=name, started_at=utcnow(), host=holder_name()[:120], fencing_token=token)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        try:
            if fence is not None and fence(db.session) != token:  # held from here to the job's commit
                raise LostLeadership(f"the leadership of token {token} was lost before the job began")
            counts = job.func(**kwargs)
            db.session.commit()
        except Exception as exc:  # a failed job is recorded, and the scheduler carries on
            db.session.rollback()
            log.exception("job %s failed", name)
            return _finish(run_id, error=f"{type(exc).__name__}: {exc}"[:2000])
        run = _finish(run_id, counts=json.dumps(counts, sort_keys=True, default=str))
        log.info("job %s done: %s", name, run.counts)
        return run


def _finish(run_id: int, *, counts: str | None = None, error: str | None = None) -> JobRun:
    """Close the run (succeeded when there is no error) and commit; its columns stay readable afterwards."""
    run = db.session.get(JobRun, run_id)
    run.succeeded = error is None
    run.counts, run.error, run.finished_at = counts, error, utcnow()
    db.session.commit()
    db.session.refresh(run)  # load what the commit expired: the caller reads it after the session closes
    return run


def successes(job: str) -> Select:
    """The job's successful runs, latest first (a page may read the latest beside its own rows)."""
    return select(JobRun).where(JobRun.job == job, JobRun.succeeded.is_(True)).order_by(JobRun.started_at.desc())


def last_success(job: str) -> JobRun | None:
    return db.session.scalars(successes(job).limit(1)).first()


def scheduler_alive(now: datetime | None = None) -> bool:
    lease = db.session.get(SchedulerLease, LOCK_NAME)
    return lease is not None and lease.expires_at > (now or utcnow())


# --- leadership ------------------------------------------------------------------------------------------


def build_scheduler(app: Flask, fence: Fence | None = None) -> BackgroundScheduler:
    """The jobs on their triggers; each run is fenced by ``fence`` (the lock of the leader that built it)."""
    scheduler = BackgroundScheduler(timezone=WIB)
    for job in jobs_of(app).values():
        scheduler.add_job(
            run_job,
            job.trigger(app),
            args=(app, job.name),
            kwargs={"fence": fence},
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler


def catch_up(app: Flask, scheduler: BackgroundScheduler, fence: Fence | None = None) -> None:
    """A new leader runs at once every job that has not succeeded within its period (a missed run is caught)."""
    with app.app_context():
        stale = [name for name in jobs_of(app) if _missed(name)]
    for name in stale:
        scheduler.add_job(
            run_job, args=(app, name), kwargs={"fence": fence}, id=f"{name}-catch-up", name=f"{name} (catch-up)"
        )


def _missed(name: str) -> bool:
    last = last_success(name)
    return last is None or last.finished_at is None or utcnow() - last.finished_at > timedelta(hours=24)


def run_scheduler(app: Flask, stop: threading.Event, on_state: Callable[[str], None] | None = None) -> None:
    """Be the standby until leadership is free, then the leader until ``stop`` is set or the lock is lost.

    ``on_state`` hears "standby", "leader", "lost leadership" and "stopped". A database that does not answer
    neither stops the loop nor makes a leader (the locks answer False); a lost leadership shuts this
    scheduler down (a job already running finishes) and goes back to standing by. The lock is released on
    the way out.
    """
    lock = make_lock(app)
    renew_every = float(app.config["SCHEDULER_LEASE_SECONDS"]) / 3
    state = on_state or (lambda s: log.info("scheduler %s: %s", lock.holder, s))
    state("standby")
    try:
        while not stop.is_set():
            if not lock.acquire():
                stop.wait(renew_every)
                continue
            state("leader")
            scheduler = build_scheduler(app, lock.fence)
            scheduler.start()
            try:
                catch_up(app, scheduler, lock.fence)
            except SQLAlchemyError:  # the cron triggers still fire; a scan left missing shows on /healthz
                log.exception("scheduler %s: catch-up failed", lock.holder)
            try:
                while not stop.wait(renew_every):
                    if not lock.renew():
                        state("lost leadership")
                        break
            finally:
                scheduler.shutdown(wait=False)
            if not stop.is_set():
                state("standby")
    finally:
        lock.release()
        state("stopped")


def start_in_background(app: Flask) -> threading.Event:
    """Run the scheduler in a daemon thread of this process (``make run``); returns the stop switch."""
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(app, stop), name="pantau-scheduler", daemon=True)
    thread.start()
    time.sleep(0)  # let it start
    return stop
