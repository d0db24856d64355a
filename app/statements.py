"""Statements built once per process and run with parameters (issue 13).

SQLAlchemy finds a statement's compiled form by its cache key, a walk of the whole statement with its loader
options, memoized on the statement object: a page that builds its statement anew on every request pays that walk
every time (0.3-0.6 ms for a statement with joined loads, more than the database's own time for a read by primary
key). ``kept_statement`` builds it once per name and key (what changes its SQL: the whole ``Scope`` where the statement
holds a scope's condition, never a part of it, so that a rule of visibility added to ``Scope`` later cannot be
missed by a key) with ``bindparam`` for what changes per request (a record's id), and the page runs it with those
values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.sql import Executable

S = TypeVar("S", bound=Executable)

SIZE = 2048  # statements kept per process at most (a scope each: the kab/kota officers', each investor's)

_kept: dict[tuple[str, Hashable], Executable] = {}
_lock = threading.Lock()


def kept_statement(name: str, key: Hashable, build: Callable[[], S]) -> S:
    """The statement ``build()`` returned for (``name``, ``key``) in this process, built on first use."""
    stmt = _kept.get((name, key))
    if stmt is None:
        stmt = build()
        with _lock:
            if len(_kept) >= SIZE:
                _kept.clear()
            _kept[name, key] = stmt
    return stmt  # type: ignore[return-value]
