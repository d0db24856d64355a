"""Page numbers from the query string and paginated queries, the same on every list.

A page argument that is missing, malformed (``abc``, ``-1``, ``²``) or absurd (past ``MAX_PAGE``) is page 1:
it never reaches the database and never causes an error (``app.numbers.strict_int`` reads it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.numbers import strict_int

MAX_PAGE = 100_000


def page_number(args: Mapping[str, str] | None = None, name: str = "page") -> int:
    """The ``name`` query argument as 1..MAX_PAGE; anything else is page 1."""
    page = strict_int((request.args if args is None else args).get(name), maximum=MAX_PAGE)
    return page if page else 1


def paginate(stmt: Select, name: str = "page", at_most: int | None = None) -> Pagination:
    """One page (PAGE_SIZE rows, or ``at_most`` if fewer) of ``stmt``, chosen by the ``name`` query argument; past
    the end: empty."""
    size = min(current_app.config["PAGE_SIZE"], at_most or MAX_PAGE)
    return db.paginate(stmt, page=page_number(name=name), per_page=size, max_per_page=size, error_out=False)


def paginate_counted(stmt: Select, count: Select | int, name: str = "page", at_most: int | None = None) -> Pagination:
    """``paginate`` with the total read by ``count`` (a cheaper statement giving the same number, e.g. on one
    table without the list's joins), or given (a number the page reads anyway, or kept), instead of a count of
    ``stmt`` wrapped in a subquery."""
    size = min(current_app.config["PAGE_SIZE"], at_most or MAX_PAGE)
    pagination = db.paginate(
        stmt, page=page_number(name=name), per_page=size, max_per_page=size, error_out=False, count=False
    )
    pagination.total = count if isinstance(count, int) else db.session.scalar(count) or 0
    return pagination


# --- keyset pages ("older / newer") for a list that only grows, newest first ---------------------------------

_CURSOR = re.compile(r"(\d{20})-(\d{1,18})")


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list ordered newest first by (time, id), reached from the neighbouring row's cursor: no
    row is counted and no row is skipped over, however deep the page (``older``/``newer``: the links' cursors)."""

    items: list
    older: str | None  # the cursor of the page after this one (older rows), if there is one
    newer: str | None  # the cursor of the page before this one (newer rows), if there is one


def cursor_of(at: datetime, row_id: int) -> str:
    return f"{at.astimezone(UTC):%Y%m%d%H%M%S%f}-{row_id}"


def read_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The (time, id) a cursor names; ``None`` for anything else (then the list starts at its newest row)."""
    match = _CURSOR.fullmatch(text or "")
    if match is None:
        return None
    try:
        at = datetime.strptime(match[1], "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None
    return at, int(match[2])


def keyset_page(stmt: Select, at: InstrumentedAttribute, row_id: InstrumentedAttribute) -> KeysetPage:
    """The page of ``stmt`` (unordered: it is ordered here by ``at`` and ``row_id``, newest first) older than
    the ``before`` query argument's cursor or newer than the ``after`` one; without either, the newest rows."""
    size = current_app.config["PAGE_SIZE"]
    stmt = stmt.order_by(None)
    before, after = read_cursor(request.args.get("before")), read_cursor(request.args.get("after"))
    if after is not None and before is None:
        rows = list(
            db.session.scalars(
                stmt.where(tuple_(at, row_id) > tuple_(*after)).order_by(at.asc(), row_id.asc()).limit(size + 1)
            )
        )
        items = list(reversed(rows[:size]))
        has_newer, has_older = len(rows) > size, True
    else:
        if before is not None:
            stmt = stmt.where(tuple_(at, row_id) < tuple_(*before))
        rows = list(db.session.scalars(stmt.order_by(at.desc(), row_id.desc()).limit(size + 1)))
        items = rows[:size]
        has_newer, has_older = before is not None, len(rows) > size
    key = at.key, row_id.key
    first, last = (items[0], items[-1]) if items else (None, None)
    return KeysetPage(
        items=items,
        older=cursor_of(getattr(last, key[0]), getattr(last, key[1])) if has_older and last is not None else None,
        newer=cursor_of(getattr(first, key[0]), getattr(first, key[1])) if has_newer and first is not None else None,
    )
