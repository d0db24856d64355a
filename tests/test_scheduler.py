"""The scheduler: recorded job runs, one leader among processes, catch-up of missed runs, the health check.

The leadership tests run on the suite's engine (a lease row on SQLite, an advisory lock on PostgreSQL); the
lease itself is also tested on PostgreSQL, where it is the heartbeat. The issue's test starts two real
``flask scheduler run`` processes on a database of their own (a SQLite file, and a PostgreSQL database when
the suite runs on PostgreSQL), checks that one leads and runs each job once, kills the leader with SIGKILL
and waits for the standby to take over. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import Mock

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.cli import scheduler_should_start
from app.extensions import db
from app.leadership import LOCK_NAME, AdvisoryLock, LeaseLock, holder_name, make_lock
from app.models import JobRun, SchedulerLease
from app.scheduler import catch_up, daily_at, jobs_of, register_job, run_job, run_scheduler, scheduler_alive
from devtools.factories import make_investor
from estates.models import Investor

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 1, 8, 1, 0, tzinfo=UTC)  # Thursday 8 January 2026, 08.00 WIB: a working day
TTL = 30.0  # SCHEDULER_LEASE_SECONDS of the test configuration
JOBS = ("stall-scan", "forecast-refresh", "lkpm-scan")
PROCESS_TTL = 3  # SCHEDULER_LEASE_SECONDS of the scheduler processes (renewed every second)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _record(job: str, finished: datetime, *, succeeded: bool = True) -> None:
    db.session.add(JobRun(job=job, started_at=finished, finished_at=finished, succeeded=succeeded, counts="{}"))
    db.session.commit()


# --- run_job and its command ------------------------------------------------------------------------------


@pytest.fixture
def jobs(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable[[], dict]], None]:
    """Register extra jobs on the shared app for one test only."""
    monkeypatch.setitem(app.extensions, "pantau.jobs", dict(jobs_of(app)))
    return lambda name, func: register_job(app, name, func, daily_at("STALL_SCAN_TIME"))


def _writes_and_counts() -> dict:
    make_investor(legal_name="PT Tercatat")
    return {"written": 1}


def _writes_then_fails() -> dict:
    make_investor(legal_name="PT Dibatalkan")
    raise RuntimeError("the agency's server is down")


def test_run_job_records_the_run_and_commits_the_job(app, jobs):
    jobs("test-ok", _writes_and_counts)
    with time_machine.travel(NOW, tick=False):
        run = run_job(app, "test-ok")
    assert run.succeeded and json.loads(run.counts) == {"written": 1}
    row = db.session.scalars(select(JobRun)).one()
    assert (row.job, row.succeeded, row.error, row.host) == ("test-ok", True, None, holder_name())
    assert row.started_at == NOW and row.finished_at == NOW
    assert _count(Investor, Investor.legal_name == "PT Tercatat") == 1


def test_a_failing_job_is_recorded_rolled_back_and_not_raised(app, jobs, caplog):
    jobs("test-fails", _writes_then_fails)
    with time_machine.travel(NOW, tick=False):
        run = run_job(app, "test-fails")  # does not raise
    assert not run.succeeded and run.error == "RuntimeError: the agency's server is down"
    row = db.session.scalars(select(JobRun)).one()
    assert (row.succeeded, row.counts, row.finished_at) == (False, None, NOW)
    assert row.error == "RuntimeError: the agency's server is down"
    assert _count(Investor, Investor.legal_name == "PT Dibatalkan") == 0
    assert "job test-fails failed" in caplog.text


def test_run_job_command_prints_the_result(runner):
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["scheduler", "run-job", "stall-scan"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("stall-scan: ok {")
    assert '"as_of": "2026-01-08"' in result.output
    assert _count(JobRun, JobRun.job == "stall-scan", JobRun.succeeded.is_(True)) == 1


def test_run_job_command_exits_1_when_the_job_fails(runner, jobs):
    jobs("test-fails", _writes_then_fails)
    result = runner.invoke(args=["scheduler", "run-job", "test-fails"])
    assert result.exit_code == 1
    assert "test-fails: FAILED RuntimeError: the agency's server is down" in result.output


def test_run_job_command_refuses_an_unknown_job(runner):
    result = runner.invoke(args=["scheduler", "run-job", "no-such-job"])
    assert result.exit_code == 1
    assert "Unknown job no-such-job; known: forecast-refresh, lkpm-scan, stall-scan" in result.output
    assert _count(JobRun) == 0


# --- leadership on the suite's engine ------------------------------------------------------------------


@pytest.fixture
def locks(app: Flask) -> Iterator[Callable[..., LeaseLock]]:
    """Make locks for distinct holders; every one is released after the test."""
    made: list[LeaseLock] = []

    def make(holder: str, cls: type[LeaseLock] | None = None) -> LeaseLock:
        lock = cls(app, holder, TTL) if cls else make_lock(app, holder)
        made.append(lock)
        return lock

    yield make
    for lock in made:
        lock.release()


def test_the_lock_suits_the_engine(app, locks, is_postgres):
    assert type(locks("h:1")) is (AdvisoryLock if is_postgres else LeaseLock)


def test_only_one_of_two_holders_leads_and_the_other_follows_a_release(locks):
    first, second = locks("host-a:1"), locks("host-b:2")
    assert first.acquire() is True
    assert second.acquire() is False
    assert first.renew() is True and second.renew() is False
    assert first.acquire() is True  # the leader asking again keeps it
    assert second.acquire() is False
    first.release()
    assert second.acquire() is True
    assert first.acquire() is False
    assert db.session.get(SchedulerLease, LOCK_NAME).holder == "host-b:2"


def test_a_lease_expires_and_a_standby_takes_over(locks):
    leader, standby = locks("host-a:1", LeaseLock), locks("host-b:2", LeaseLock)
    with time_machine.travel(NOW, tick=False) as clock:
        assert leader.acquire() is True
        clock.shift(TTL - 1)
        assert standby.acquire() is False
        assert scheduler_alive() is True
        clock.shift(2)  # one second past the lease: the leader missed its renewals
        assert scheduler_alive() is False
        assert standby.acquire() is True
        assert leader.renew() is False
        assert leader.acquire() is False
        assert standby.renew() is True
        assert scheduler_alive() is True
        db.session.expire_all()
        lease = db.session.get(SchedulerLease, LOCK_NAME)
        assert lease.holder == "host-b:2" and lease.expires_at == NOW + timedelta(seconds=TTL + 1 + TTL)


def test_a_lease_holder_leads_through_a_database_error_until_its_lease_runs_out(locks, monkeypatch):
    leader = locks("host-a:1", LeaseLock)
    with time_machine.travel(NOW, tick=False) as clock:
        assert leader.acquire() is True
        monkeypatch.setattr(db.engine, "begin", _unreachable)
        assert leader.acquire() is False  # an error is never a new leadership
        clock.shift(TTL / 3)
        assert leader.renew() is True  # locked or unreachable: still the leader while its lease lasts
        clock.shift(TTL / 3)
        assert leader.renew() is False  # too close to the end: stop before a standby may take over
        monkeypatch.undo()
        assert leader.renew() is True


@pytest.mark.postgres_only  # the advisory lock is PostgreSQL's
def test_the_advisory_lock_is_freed_when_the_leader_connection_dies(locks):
    leader, standby = locks("host-a:1"), locks("host-b:2")
    assert leader.acquire() is True and standby.acquire() is False
    pid = leader.conn.execute(text("SELECT pg_backend_pid()")).scalar()
    leader.conn.commit()
    with db.engine.connect() as conn:  # what the server does when the leader's process is killed
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
    assert _within(10, standby.acquire)
    assert leader.renew() is False and leader.conn is None
    assert leader.acquire() is False
    assert db.session.get(SchedulerLease, LOCK_NAME).holder == "host-b:2"


@pytest.mark.postgres_only
def test_the_advisory_lock_never_leads_on_a_database_that_does_not_answer(locks, monkeypatch):
    standby = locks("host-b:2")
    monkeypatch.setattr(db.engine, "connect", _unreachable)
    assert standby.acquire() is False and standby.conn is None
    monkeypatch.undo()
    assert standby.acquire() is True


def _within(seconds: float, predicate: Callable[[], object], every: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


# --- the scheduler loop, with a scripted lock ------------------------------------------------------------


def test_the_loop_leads_while_its_lock_holds_and_survives_a_failed_catch_up(app, monkeypatch, caplog):
    lock = Mock(holder="scripted:1")
    lock.acquire.side_effect = [False, True, False, True]  # a fifth call would raise StopIteration
    lock.renew.side_effect = [True, True, False]
    schedulers: list[Mock] = []
    catch_ups = Mock(side_effect=[_unreachable_error(), None])  # the database went away just after the lock was won
    monkeypatch.setattr("app.scheduler.make_lock", lambda app: lock)
    monkeypatch.setattr(
        "app.scheduler.build_scheduler", lambda app, fence=None: schedulers.append(Mock()) or schedulers[-1]
    )
    monkeypatch.setattr("app.scheduler.catch_up", catch_ups)
    monkeypatch.setitem(app.config, "SCHEDULER_LEASE_SECONDS", 0.03)
    stop, states = threading.Event(), []

    def on_state(state: str) -> None:
        states.append(state)
        if states.count("leader") == 2:
            stop.set()

    thread = threading.Thread(target=run_scheduler, args=(app, stop, on_state), daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    assert states == ["standby", "leader", "lost leadership", "standby", "leader", "stopped"]
    assert [(s.start.call_count, s.shutdown.call_count) for s in schedulers] == [(1, 1), (1, 1)]
    assert catch_ups.call_count == 2 and lock.release.call_count == 1
    assert "catch-up failed" in caplog.text


def _unreachable_error() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def _unreachable(*args, **kwargs):
    raise _unreachable_error()


# --- catch-up, the missed-run warning and /healthz ---------------------------------------------------------


def test_catch_up_runs_each_job_that_has_not_succeeded_within_24_hours(app):
    _record("lkpm-scan", NOW - timedelta(hours=1))
    _record("stall-scan", NOW - timedelta(hours=23, minutes=59))
    _record("forecast-refresh", NOW - timedelta(hours=24, minutes=1))
    _record("forecast-refresh", NOW - timedelta(hours=1), succeeded=False)  # a failure does not count
    scheduler = BackgroundScheduler()  # never started: the jobs are only queued
    with time_machine.travel(NOW, tick=False):
        catch_up(app, scheduler)
    assert [job.id for job in scheduler.get_jobs()] == ["forecast-refresh-catch-up"]
    _record("forecast-refresh", NOW - timedelta(hours=2))
    scheduler = BackgroundScheduler()
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):  # the scan's last success: 24 h 1 min
        catch_up(app, scheduler)
    assert [job.id for job in scheduler.get_jobs()] == ["stall-scan-catch-up"]


def test_catch_up_runs_every_job_that_never_ran(app):
    scheduler = BackgroundScheduler()
    catch_up(app, scheduler)
    assert sorted(job.id for job in scheduler.get_jobs()) == [
        "forecast-refresh-catch-up",
        "lkpm-scan-catch-up",
        "stall-scan-catch-up",
    ]


def _lease(expires_at: datetime) -> None:
    db.session.add(SchedulerLease(name=LOCK_NAME, holder="host-a:1", expires_at=expires_at))
    db.session.commit()


@pytest.mark.parametrize(
    ("hours_since", "overdue", "status"),
    [(25.99, False, "ok"), (26.01, True, "degraded")],
)
def test_healthz_reports_a_missed_scan_on_both_sides_of_the_limit(anon_client, hours_since, overdue, status):
    _record("stall-scan", NOW)
    later = NOW + timedelta(hours=hours_since)
    _lease(later + timedelta(seconds=10))
    with time_machine.travel(later, tick=False):
        response = anon_client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "database": True,
        "last_scan": NOW.isoformat(),
        "scan_overdue": overdue,
        "scheduler_alive": True,
        "status": status,
    }


def test_healthz_reports_a_dead_scheduler_and_a_scan_that_never_ran(anon_client):
    _lease(NOW - timedelta(seconds=1))
    with time_machine.travel(NOW, tick=False):
        report = anon_client.get("/healthz").json
    assert report == {
        "database": True,
        "last_scan": None,
        "scan_overdue": True,
        "scheduler_alive": False,
        "status": "degraded",
    }


def test_healthz_answers_503_when_the_database_is_unreachable(anon_client, monkeypatch):
    monkeypatch.setattr(db.session, "execute", _unreachable)
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] is False and response.json["status"] == "down"


# --- `flask serve` starts the scheduler once ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("enabled", "debug", "environ", "starts"),
    [
        (True, False, {}, True),  # no reloader: this process serves, and schedules
        (True, True, {}, False),  # the reloader's parent only watches files
        (True, True, {"WERKZEUG_RUN_MAIN": "true"}, True),  # the reloader's child serves
        (False, False, {}, False),  # --no-scheduler
        (False, True, {"WERKZEUG_RUN_MAIN": "true"}, False),
    ],
)
def test_serve_starts_the_scheduler_only_in_the_serving_process(enabled, debug, environ, starts):
    assert scheduler_should_start(enabled, debug, environ) is starts


def test_serve_command_starts_the_scheduler_once_and_serves(runner, monkeypatch):
    started, served = [], []
    monkeypatch.setattr("app.scheduler.start_in_background", lambda app: started.append(app))
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *args, **kwargs: served.append((args, kwargs)))
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    result = runner.invoke(args=["serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and len(served) == 1
    assert served[0][0][:2] == ("127.0.0.1", 5999) and served[0][1]["use_reloader"] is False
    result = runner.invoke(args=["serve", "--no-scheduler"])
    assert result.exit_code == 0 and len(started) == 1 and len(served) == 2


# --- the test: two scheduler processes, one database --------------------------------------------


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite_only),
        pytest.param("postgresql", marks=pytest.mark.postgres_only),
    ]
)
def scheduler_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own for the scheduler processes: a SQLite file in the suite's SQLite phase, or a
    PostgreSQL database created beside the suite's one (and dropped afterwards) in its PostgreSQL phase. Each runs
    in one phase only (the SQLite file's tests had run in both: 50 s more of a PostgreSQL phase)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scheduler.sqlite3'}"
        _migrate(url, tmp_path)
        yield url
        return
    base = os.environ["TEST_DATABASE_URL"]  # postgres_only: deselected unless the suite runs on PostgreSQL
    name = f"pantau_sched_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")  # CREATE DATABASE refuses a transaction
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        _migrate(url, tmp_path)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str, tmp_path: Path) -> None:
    other = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path / "inst"))
    with other.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


class SchedulerProcess:
    """One ``flask scheduler run`` process; its stderr goes to a file read while it runs."""

    def __init__(self, url: str, log: Path, extra_env: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
        env.update(
            DATABASE_URL=url, PANTAU_ENV="testing", FLASK_SCHEDULER_LEASE_SECONDS=str(PROCESS_TTL), PYTHONUNBUFFERED="1"
        )
        env.update(extra_env or {})
        self.log = log
        with log.open("wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.holder = f"{socket.gethostname()}:{self.proc.pid}"

    def says(self, state: str) -> bool:
        return f"scheduler {self.holder}: {state}" in self.log.read_text(errors="replace").splitlines()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def _runs(engine: Engine, job: str) -> list[tuple[str, bool]]:
    """Every run of ``job`` (finished or not) as (host, succeeded); succeeded is set when a run ends well."""
    with engine.connect() as conn:
        query = select(JobRun.host, JobRun.succeeded).where(JobRun.job == job).order_by(JobRun.id)
        return [tuple(row) for row in conn.execute(query)]


def _lease_holder(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(SchedulerLease.holder).where(SchedulerLease.name == LOCK_NAME)).scalar()


def test_two_scheduler_processes_run_a_job_once_and_the_standby_takes_over(scheduler_db, tmp_path):
    engine = create_engine(scheduler_db)
    pair = [SchedulerProcess(scheduler_db, tmp_path / f"scheduler-{n}.log") for n in (1, 2)]
    try:
        started = _within(60, lambda: all(p.says("standby") for p in pair) and any(p.says("leader") for p in pair))
        assert started, [p.log.read_text() for p in pair]
        leader, standby = pair if pair[0].says("leader") else pair[::-1]
        assert _within(30, lambda: all(_runs(engine, job) == [(leader.holder, True)] for job in JOBS))
        time.sleep(2 * PROCESS_TTL)  # two lease periods: the standby stays a standby while the leader lives
        assert not standby.says("leader")
        assert _runs(engine, "stall-scan") == [(leader.holder, True)]  # the leader's catch-up, once
        assert _runs(engine, "forecast-refresh") == [(leader.holder, True)]
        assert _lease_holder(engine) == leader.holder

        with engine.begin() as conn:  # a missed run for the next leader to catch up
            conn.execute(delete(JobRun).where(JobRun.job == "forecast-refresh"))
        leader.proc.kill()  # SIGKILL: no clean-up, no release
        leader.proc.wait(10)
        assert _within(20, lambda: standby.says("leader")), standby.log.read_text()
        assert _within(20, lambda: _runs(engine, "forecast-refresh") == [(standby.holder, True)])
        assert _runs(engine, "stall-scan") == [(leader.holder, True)]  # not run again by the new leader
        assert _within(5, lambda: _lease_holder(engine) == standby.holder)

        standby.stop()  # SIGTERM: a clean stop frees the lock
        assert standby.proc.returncode == 0 and standby.says("stopped")
        assert _lease_holder(engine) is None
    finally:
        for process in pair:
            process.stop()
        engine.dispose()


# --- fencing: a job runs only while its process leads -----------------------------------------------------


def test_a_job_of_a_leader_whose_lease_was_taken_over_runs_nothing(app, jobs, locks):
    jobs("test-ok", _writes_and_counts)
    old, new = locks("host-a:1", LeaseLock), locks("host-b:2", LeaseLock)
    with time_machine.travel(NOW, tick=False) as clock:
        assert old.acquire() is True and old.token == 1
        clock.shift(TTL + 1)  # the old leader froze past its lease
        assert new.acquire() is True and new.token == 2
        assert run_job(app, "test-ok", fence=old.fence) is None  # woken: it may not run the job
        assert _count(JobRun) == 0 and _count(Investor, Investor.legal_name == "PT Tercatat") == 0
        run = run_job(app, "test-ok", fence=new.fence)
    assert run.succeeded and run.fencing_token == 2
    assert _count(Investor, Investor.legal_name == "PT Tercatat") == 1


def test_the_token_grows_with_each_new_leader_and_stays_while_one_renews(app, locks):
    first, second = locks("host-a:1", LeaseLock), locks("host-b:2", LeaseLock)
    with time_machine.travel(NOW, tick=False) as clock:
        assert first.acquire() is True
        token = first.token
        assert first.renew() is True and first.acquire() is True and first.token == token
        with app.app_context():
            assert first.fence(db.session) == token
            db.session.rollback()
        clock.shift(TTL + 1)
        assert second.acquire() is True and second.token == token + 1
        with app.app_context():
            assert first.fence(db.session) is None  # its lease was taken over: no longer fenced in
            assert second.fence(db.session) == token + 1
            db.session.rollback()


def _wib_in(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=7, seconds=seconds)).strftime("%H:%M:%S")


def _freeze(process: SchedulerProcess, engine: Engine) -> None:
    """SIGSTOP ``process`` at a moment it holds no SQLite lock. A SQLite writer frozen inside a transaction
    blocks every other writer until it wakes (the database's own lock, whatever Pantau does), which is not the
    case under test: a leader frozen past its lease."""
    for _ in range(50):
        process.proc.send_signal(signal.SIGSTOP)
        if engine.dialect.name != "sqlite":
            return
        probe = sqlite3.connect(engine.url.database, timeout=0.5)
        try:
            probe.execute("UPDATE scheduler_lease SET holder = holder")
            probe.commit()
            return
        except sqlite3.OperationalError:
            process.proc.send_signal(signal.SIGCONT)
            time.sleep(0.2)
        finally:
            probe.close()
    pytest.fail("the scheduler process never paused between two writes")


def test_a_frozen_leader_never_runs_a_job_on_waking_that_the_new_leader_ran(scheduler_db, tmp_path):
    """SIGSTOP the leader past its lease, with the stall scan due while it is frozen; SIGCONT it afterwards.

    SQLite (a lease): the standby takes over and runs the scan when it is due; the woken leader's scheduler
    fires the missed scan too, and the fence refuses it. PostgreSQL (an advisory lock held by the frozen
    process's connection): nobody else can lead, and the woken leader runs the missed scan itself. Either way
    the due scan runs exactly once.
    """
    engine = create_engine(scheduler_db)
    due = datetime.now(UTC) + timedelta(seconds=25)
    scan_at = {"FLASK_STALL_SCAN_TIME": (due + timedelta(hours=7)).strftime("%H:%M:%S")}
    pair = [SchedulerProcess(scheduler_db, tmp_path / f"scheduler-{n}.log", scan_at) for n in (1, 2)]
    try:
        started = _within(20, lambda: any(p.says("leader") for p in pair) and all(p.says("standby") for p in pair))
        assert started, [p.log.read_text() for p in pair]
        leader, standby = pair if pair[0].says("leader") else pair[::-1]
        assert _within(15, lambda: _runs(engine, "stall-scan") == [(leader.holder, True)])  # its catch-up
        _freeze(leader, engine)
        time.sleep(max((due - datetime.now(UTC)).total_seconds(), 0) + 2 * PROCESS_TTL)
        if engine.dialect.name == "sqlite":
            assert standby.says("leader"), standby.log.read_text()
            expected = [(leader.holder, True), (standby.holder, True)]  # the due scan, by the new leader
        else:
            assert not standby.says("leader")  # the frozen process's connection still holds the lock
            expected = [(leader.holder, True), (leader.holder, True)]  # the due scan, once the leader wakes
        leader.proc.send_signal(signal.SIGCONT)
        assert _within(20, lambda: _runs(engine, "stall-scan") == expected), (
            _runs(engine, "stall-scan"),
            leader.log.read_text()[-2000:],
        )
        time.sleep(3 * PROCESS_TTL)  # the woken scheduler has fired its missed scan by now, if it ever would
        assert _runs(engine, "stall-scan") == expected
    finally:
        for process in pair:
            if process.proc.poll() is None:
                process.proc.send_signal(signal.SIGCONT)
            process.stop()
        engine.dispose()
