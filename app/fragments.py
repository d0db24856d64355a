"""Parts of pages kept per worker until the next committed write (issue 13): the dashboards' figures, the filter
bars' choices, a list's count.

**The register's version.** ``data_version`` holds one row whose ``stamp`` (random) and ``version`` (a counter)
change in the same transaction as every write: an engine hook notes each INSERT, UPDATE or DELETE a connection
runs (COPY through ``app.bulk`` is noted by it) and, when that connection commits, runs ``UPDATE data_version``
just before the COMMIT, as the transaction's last statement (so the row's lock is held for an instant and no
writer waits on it while holding other locks). A rolled-back transaction changes nothing. Writes to the
scheduler's bookkeeping (``scheduler_lease``, ``job_run``) and to the audit log (``audit_log``: every sign-in,
export and refused request writes a row) do not count: no cached part reads them (``tests/test_fragment_reads.py``
walks every page and fails if one does), and an export must not throw away every worker's parts.

**The cache.** ``cached(name, key, compute)`` returns what ``compute()`` returned for the same name and key while
the stamp is the one this request read (one indexed statement, once per request, and only on pages that use
the cache): any committed write, by this worker or another process, makes the next request compute again, so no
user ever sees a figure older than the last committed write. ``key`` must hold everything the part depends on
besides the data: the scope (role, kab/kota, investor), the language, the day. Values must be plain data or
rendered HTML, never ORM objects (the request's commit expires them). A worker keeps at most ``SIZE`` parts.
``FRAGMENT_CACHE = False`` (``FLASK_FRAGMENT_CACHE=false``) computes every part every time: what the cache
saves is measured by ``bench/bench_throughput.py --no-cache``.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import get_locale
from sqlalchemy import ColumnElement, event, inspect, select, update
from sqlalchemy.engine import Connection, Engine

from app.extensions import db
from app.models import DataVersion
from app.security import Scope
from app.transactions import has_uncommitted_work

T = TypeVar("T")
SIZE = 2_000
_WROTE = "pantau_wrote"
_STAMP = "pantau.data_stamp"
_IGNORED = frozenset({"data_version", "scheduler_lease", "job_run", "audit_log"})  # tables no cached part reads
_WRITE = re.compile(r"\s*(?:(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)|WITH\b|COPY\b)", re.I)
_ANY_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.I)
_parts: OrderedDict[tuple, tuple[str, object]] = OrderedDict()
_lock = threading.Lock()
_has_table: set[str] = set()  # engines (by URL) whose database has data_version
_ALONG = "pantau.read_along."
_along: dict[str, Callable[[], ColumnElement | None]] = {}
_computing: ContextVar[bool] = ContextVar("pantau_fragment_computing", default=False)


def note_write(connection: Connection, table: str | None = None) -> None:
    """Count a write the hook cannot see (``app.bulk``'s COPY)."""
    if table not in _IGNORED:
        connection.info[_WROTE] = True


def _noted(conn, cursor, statement: str, parameters, context, executemany) -> None:
    found = _WRITE.match(statement)
    if not found:
        if statement.lstrip()[:4].upper() == "DROP" and "data_version" in statement:
            _has_table.discard(str(conn.engine.url))  # a downgrade, or the tests' fresh schema
        return
    table = (found.group(1) or "").lower()
    if not table and statement.lstrip()[:4].upper() == "WITH" and not _ANY_WRITE.search(statement):
        return  # a query with a common table expression that writes nothing
    if table not in _IGNORED:
        conn.info[_WROTE] = True


def _bump(conn: Connection) -> None:
    if not conn.info.pop(_WROTE, False) or not _counter_exists(conn):
        return
    values = {"version": DataVersion.version + 1, "stamp": secrets.token_hex(16)}
    conn.execute(update(DataVersion).where(DataVersion.id == 1).values(values))
    if has_request_context():
        request.environ.pop(_STAMP, None)  # a request that goes on after its commit reads the new stamp
        for key in [key for key in request.environ if key.startswith(_ALONG)]:
            del request.environ[key]  # and what was read with it


def _forget(conn: Connection) -> None:
    if not conn.invalidated:  # a dropped connection's info went with it (and reading it would raise)
        conn.info.pop(_WROTE, None)


def _counter_exists(conn: Connection) -> bool:
    url = str(conn.engine.url)
    if url not in _has_table and inspect(conn).has_table("data_version"):
        _has_table.add(url)  # once there, it stays (before the migration that adds it, nothing is counted)
    return url in _has_table


def install() -> None:
    """The engine hooks (once per process, for every engine)."""
    if not event.contains(Engine, "after_cursor_execute", _noted):
        event.listen(Engine, "after_cursor_execute", _noted)
        event.listen(Engine, "commit", _bump)
        event.listen(Engine, "rollback", _forget)


def stamp() -> str | None:
    """The register's stamp as this request reads it (one statement, once per request; outside a request, at
    each call); None without the row."""
    if not has_app_context():
        return None
    environ = request.environ if has_request_context() else {}
    if _STAMP not in environ:
        along = [(name, column) for name, make in _along.items() if (column := make()) is not None] if environ else []
        row = db.session.execute(select(DataVersion.stamp, *(c for _n, c in along)).where(DataVersion.id == 1)).first()
        environ[_STAMP] = row[0] if row is not None else None
        for (name, _column), value in zip(along, row[1:] if row is not None else (), strict=False):
            environ[_ALONG + name] = value
    return environ[_STAMP]


def read_with_stamp(name: str, column: Callable[[], ColumnElement | None]) -> None:
    """Read ``column()`` (a scalar subquery, or None for nothing) with the stamp, in the same statement, on the
    requests that read the stamp; ``read_along(name)`` gives it to a later part of the request (the layout's unread
    notifications: a round trip less on every page that keeps parts)."""
    _along[name] = column


def read_along(name: str) -> tuple[bool, object]:
    """(True, the value) when ``name`` was read with this request's stamp and nothing was written since, else
    (False, None): the caller reads it itself."""
    key = _ALONG + name
    if not has_request_context() or key not in request.environ or _writing():
        return False, None
    return True, request.environ[key]


def scope_key(scope: Scope) -> tuple:
    """What a part of an office page depends on besides the data and its arguments: the scope (role, kab/kota,
    investor: never the user) and the language."""
    return (scope.role, scope.region_id, scope.investor_id, str(get_locale() or "id"))


def cached(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for (name, key) since the last committed write (see the module). In a
    transaction that has written (flushed or not), always ``compute()``: its own changes are not committed yet."""
    if not current_app.config["FRAGMENT_CACHE"] or _writing():
        return compute()
    current = stamp()
    if current is None:
        return compute()
    with _lock:
        entry = _parts.get((name, key))
        if entry is not None and entry[0] == current:
            _parts.move_to_end((name, key))
            return entry[1]  # type: ignore[return-value]
    token = _computing.set(True)
    try:
        value = compute()
    finally:
        _computing.reset(token)
    with _lock:  # the development server's threads share the parts
        _parts[name, key] = (current, value)
        _parts.move_to_end((name, key))
        while len(_parts) > SIZE:
            _parts.popitem(last=False)
    return value


def computing() -> bool:
    """Whether a part is being computed for the cache (what it reads must not be a table of ``_IGNORED``)."""
    return _computing.get()


def ignored_tables() -> frozenset[str]:
    """The tables whose writes leave every cached part as it is: no part may read them."""
    return _IGNORED


def _writing() -> bool:
    session = db.session()
    if has_uncommitted_work(session):
        return True
    return session.in_transaction() and bool(session.connection().info.get(_WROTE))  # Core writes


def clear() -> None:
    """Forget every cached part of this worker (tests)."""
    with _lock:
        _parts.clear()
