"""Leadership of the scheduler: exactly one process runs the jobs, and a job runs only while its process leads.

On PostgreSQL a session advisory lock decides (the server frees it when the process dies); elsewhere a lease row
with an expiry. Both keep a *fencing token*, the count of hand-overs of the leadership: a job checks, inside its
own transaction, that its process still holds the lock under the token it started with (fence), so a leader
that was frozen past its lease and wakes up never runs a job the new leader runs.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import Connection, case, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.database import utcnow
from app.extensions import db
from app.models import SchedulerLease

log = logging.getLogger(__name__)
LOCK_NAME = "pantau-scheduler"
ADVISORY_KEY = 0x50414E544155  # "PANTAU"


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
        self.token: int | None = None  # the fencing token of this holder's leadership

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
                .values(holder=self.holder, expires_at=now + self.ttl, token=_next_token(self.holder))
            ).rowcount
            if taken:
                self.token = conn.execute(select(SchedulerLease.token).where(SchedulerLease.name == LOCK_NAME)).scalar()
                return True
            exists = conn.execute(select(SchedulerLease.name).where(SchedulerLease.name == LOCK_NAME)).first()
            if exists:
                return False
        try:
            with self.app.app_context(), db.engine.begin() as conn:
                conn.execute(
                    insert(SchedulerLease).values(
                        name=LOCK_NAME, holder=self.holder, expires_at=utcnow() + self.ttl, token=1
                    )
                )
            self.token = 1
            return True
        except IntegrityError:
            return False  # another process inserted it first

    def fence(self, session: Session) -> int | None:
        """This holder's fencing token if it still leads, checked inside ``session``'s transaction; else None.

        The check writes the lease row, so on SQLite the transaction holds the database's write lock until it
        ends: no other process can take the lease over between the check and the job's commit.
        """
        if self.token is None:
            return None
        held = session.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == LOCK_NAME,
                SchedulerLease.holder == self.holder,
                SchedulerLease.token == self.token,
                SchedulerLease.expires_at > utcnow(),
            )
            .values(expires_at=SchedulerLease.expires_at)
            .execution_options(synchronize_session=False)
        ).rowcount
        return self.token if held else None

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
        self.token = None
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
        self.pid: int | None = None  # the server process of the lock's connection

    def acquire(self) -> bool:
        if self.conn is None:
            conn = None
            try:
                with self.app.app_context():
                    conn = db.engine.connect()
                got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
                self.pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
                conn.commit()
            except SQLAlchemyError:
                log.warning("advisory lock: the database did not answer; staying a standby", exc_info=True)
                got = False
            if not got:
                if conn is not None:
                    conn.close()
                return False
            self.conn = conn
        self._heartbeat(taking=True)
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

    def _heartbeat(self, *, taking: bool = False) -> None:
        try:
            with self.app.app_context(), db.engine.begin() as conn:
                now = utcnow()
                values = {"holder": self.holder, "expires_at": now + self.ttl}
                if taking:  # a new leadership: the next fencing token
                    values["token"] = SchedulerLease.token + 1
                if not conn.execute(
                    update(SchedulerLease).where(SchedulerLease.name == LOCK_NAME).values(**values)
                ).rowcount:
                    conn.execute(insert(SchedulerLease).values({**values, "name": LOCK_NAME, "token": 1}))
                if taking:
                    self.token = conn.execute(
                        select(SchedulerLease.token).where(SchedulerLease.name == LOCK_NAME)
                    ).scalar()
        except SQLAlchemyError:
            log.warning("advisory lock: heartbeat not written (the lock still holds)", exc_info=True)

    def fence(self, session: Session) -> int | None:
        """This holder's token while its connection still holds the advisory lock (asked of the server inside
        ``session``'s transaction); else None. A frozen leader keeps its connection, and so its lock: a standby
        cannot lead meanwhile, and the woken leader still holds what it checks."""
        if self.pid is None or self.conn is None:
            return None
        held = session.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = :pid "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"
            ),
            {"pid": self.pid, "key": ADVISORY_KEY},
        ).scalar()
        return self.token if held else None

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


def _next_token(holder: str):
    """SQL for the lease's token after ``holder`` takes or renews it: the same for its holder, one more for a new
    one."""
    return case((SchedulerLease.holder == holder, SchedulerLease.token), else_=SchedulerLease.token + 1)


def make_lock(app: Flask, holder: str | None = None) -> LeaseLock:
    ttl = float(app.config["SCHEDULER_LEASE_SECONDS"])
    with app.app_context():
        dialect = db.engine.dialect.name
    cls = AdvisoryLock if dialect == "postgresql" else LeaseLock
    return cls(app, holder or holder_name(), ttl)
