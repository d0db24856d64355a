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
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.database import utcnow
from app.extensions import db
from app.models import JobRun, SchedulerLease

log = logging.getLogger(__name__)
LOCK_NAME = "pantau-scheduler"
ADVISORY_KEY = 0x50414E544155  # "PANTAU"
WIB = "Asia/Jakarta"


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
    """A trigger every day at the "HH:MM" (WIB) held in ``config_key``."""

    def trigger(app: Flask) -> CronTrigger:
        hour, _, minute = app.config[config_key].partition(":")
        return CronTrigger(hour=int(hour), minute=int(minute or 0), timezone=WIB)

    return trigger


def every_minutes(config_key: str) -> Callable[[Flask], IntervalTrigger]:
    """A trigger every N minutes, N held in ``config_key``."""

    def trigger(app: Flask) -> IntervalTrigger:
        return IntervalTrigger(minutes=int(app.config[config_key]), timezone=WIB)

    return trigger


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(app: Flask, name: str, **kwargs) -> JobRun:
    """Run the job ``name`` once in an app context of its own, recording its run (start, end, counts, error).

    The job's writes are committed when it returns, rolled back when it raises; the exception is recorded
    and logged, not raised. Returns the JobRun, detached with its columns loaded (its session is closed).
    Raises KeyError for an unknown job, and database errors while writing the JobRun itself.
    """
    job = jobs_of(app)[name]
    with app.app_context():
        run = JobRun(job=name, started_at=utcnow(), host=holder_name()[:120])
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        try:
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


def last_success(job: str) -> JobRun | None:
    query = select(JobRun).where(JobRun.job == job, JobRun.succeeded.is_(True)).order_by(JobRun.started_at.desc())
    return db.session.scalars(query.limit(1)).first()


def scheduler_alive(now: datetime | None = None) -> bool:
    lease = db.session.get(SchedulerLease, LOCK_NAME)
    return lease is not None and lease.expires_at > (now or utcnow())


# --- leadership ------------------------------------------------------------------------------------------


class LeaseLock:
    """Leadership through a row with an expiry (SQLite, or any database): renew before it runs out.

    No method raises on a database error (SQLite locked by a long write, PostgreSQL restarting): such an
    error is logged and answered as "not acquired"; a holder whose renewal fails that way keeps leading only
    while the lease it last wrote has more than a renewal period left, so it stops before a standby may
    take the expired lease over.
    """

    def __init__(self, app: Flask, holder: str, ttl: float) -> None:
        self.app, self.holder, self.ttl = app, holder, timedelta(seconds=ttl)
        self.valid_until: datetime | None = None  # the expiry this holder last wrote

    def acquire(self) -> bool:
        try:
            now = utcnow()
            taken = self._take()
        except SQLAlchemyError:
            log.warning("scheduler lease: the database did not answer; staying a standby", exc_info=True)
            return False
        self.valid_until = now + self.ttl if taken else None
        return taken

    def _take(self) -> bool:
        with self.app.app_context(), db.engine.begin() as conn:
            now = utcnow()
            taken = conn.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == LOCK_NAME)
                .where((SchedulerLease.holder == self.holder) | (SchedulerLease.expires_at < now))
                .values(holder=self.holder, expires_at=now + self.ttl)
            ).rowcount
            if taken:
                return True
            exists = conn.execute(select(SchedulerLease.name).where(SchedulerLease.name == LOCK_NAME)).first()
            if exists:
                return False
        try:
            with self.app.app_context(), db.engine.begin() as conn:
                conn.execute(
                    insert(SchedulerLease).values(name=LOCK_NAME, holder=self.holder, expires_at=utcnow() + self.ttl)
                )
            return True
        except IntegrityError:
            return False  # another process inserted it first

    def renew(self) -> bool:
        now = utcnow()
        try:
            with self.app.app_context(), db.engine.begin() as conn:
                renewed = bool(
                    conn.execute(
                        update(SchedulerLease)
                        .where(SchedulerLease.name == LOCK_NAME, SchedulerLease.holder == self.holder)
                        .values(expires_at=now + self.ttl)
                    ).rowcount
                )
        except SQLAlchemyError:
            log.warning("scheduler lease: renewal failed; leading on while the lease lasts", exc_info=True)
            return self.valid_until is not None and now + self.ttl / 3 < self.valid_until
        self.valid_until = now + self.ttl if renewed else None
        return renewed

    def release(self) -> None:
        self.valid_until = None
        try:
            with self.app.app_context(), db.engine.begin() as conn:
                conn.execute(
                    delete(SchedulerLease).where(SchedulerLease.name == LOCK_NAME, SchedulerLease.holder == self.holder)
                )
        except SQLAlchemyError:
            log.warning("scheduler lease: not released (it expires by itself)", exc_info=True)


class AdvisoryLock(LeaseLock):
    """Leadership through a PostgreSQL session advisory lock, freed by the server if the process dies.

    The lock lives on a connection of its own, held while leading; an error on that connection is a lost
    lock (the connection is closed). The lease row is still written, as the heartbeat that ``/healthz``
    reads; a failed heartbeat is logged and does not end the leadership. No method raises on a database error.
    """

    def __init__(self, app: Flask, holder: str, ttl: float) -> None:
        super().__init__(app, holder, ttl)
        self.conn: Connection | None = None

    def acquire(self) -> bool:
        if self.conn is None:
            conn = None
            try:
                with self.app.app_context():
                    conn = db.engine.connect()
                got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
                conn.commit()
            except SQLAlchemyError:
                log.warning("advisory lock: the database did not answer; staying a standby", exc_info=True)
                got = False
            if not got:
                if conn is not None:
                    conn.close()
                return False
            self.conn = conn
        self._heartbeat()
        return True

    def renew(self) -> bool:
        if self.conn is None:
            return False
        try:
            self.conn.execute(text("SELECT 1"))
            self.conn.commit()
        except SQLAlchemyError:  # a lost connection is a lost lock: the server freed it
            log.warning("advisory lock: its connection was lost", exc_info=True)
            self._drop_connection()
            return False
        self._heartbeat()
        return True

    def _heartbeat(self) -> None:
        try:
            with self.app.app_context(), db.engine.begin() as conn:
                now = utcnow()
                if not conn.execute(
                    update(SchedulerLease)
                    .where(SchedulerLease.name == LOCK_NAME)
                    .values(holder=self.holder, expires_at=now + self.ttl)
                ).rowcount:
                    conn.execute(
                        insert(SchedulerLease).values(name=LOCK_NAME, holder=self.holder, expires_at=now + self.ttl)
                    )
        except SQLAlchemyError:
            log.warning("advisory lock: heartbeat not written (the lock still holds)", exc_info=True)

    def _drop_connection(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except SQLAlchemyError:
                log.debug("advisory lock: closing a dead connection failed", exc_info=True)

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self.conn.commit()
            except SQLAlchemyError:
                log.warning("advisory lock: not unlocked (closing its connection frees it)", exc_info=True)
            finally:
                self._drop_connection()
        super().release()


def make_lock(app: Flask, holder: str | None = None) -> LeaseLock:
    ttl = float(app.config["SCHEDULER_LEASE_SECONDS"])
    with app.app_context():
        dialect = db.engine.dialect.name
    cls = AdvisoryLock if dialect == "postgresql" else LeaseLock
    return cls(app, holder or holder_name(), ttl)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=WIB)
    for job in jobs_of(app).values():
        scheduler.add_job(
            run_job,
            job.trigger(app),
            args=(app, job.name),
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler


def catch_up(app: Flask, scheduler: BackgroundScheduler) -> None:
    """A new leader runs at once every job that has not succeeded within its period (a missed run is caught)."""
    with app.app_context():
        stale = [name for name in jobs_of(app) if _missed(name)]
    for name in stale:
        scheduler.add_job(run_job, args=(app, name), id=f"{name}-catch-up", name=f"{name} (catch-up)")


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
            scheduler = build_scheduler(app)
            scheduler.start()
            try:
                catch_up(app, scheduler)
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
