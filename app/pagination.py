"""Page numbers from the query string and paginated queries, the same on every list.

A page argument that is missing, malformed (``abc``, ``-1``, ``²``) or absurd (past ``MAX_PAGE``) is page 1:
it never reaches the database and never causes an error (``app.numbers.strict_int`` reads it).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db
from app.numbers import strict_int

MAX_PAGE = 100_000


def page_number(args: Mapping[str, str] | None = None, name: str = "page") -> int:
    """The ``name`` query argument as 1..MAX_PAGE; anything else is page 1."""
    page = strict_int((request.args if args is None else args).get(name), maximum=MAX_PAGE)
    return page if page else 1


def paginate(stmt: Select, name: str = "page") -> Pagination:
    """One page (PAGE_SIZE rows) of ``stmt``, chosen by the ``name`` query argument; past the end: empty."""
    size = current_app.config["PAGE_SIZE"]
    return db.paginate(stmt, page=page_number(name=name), per_page=size, max_per_page=size, error_out=False)
