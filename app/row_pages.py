"""A page of a list read by one statement of the columns its rows show (issue 13): the page's ids and their
related records in one round trip, instead of the ids first and the records after. The rest of the page (the
page number, past the end, the total given by a cheaper count) is ``app.pagination.paginate_counted``'s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from app.pagination import page_number


class _LoadedPagination(Pagination):
    """A page whose rows ``load(limit, offset)`` reads; its total is given."""

    def _query_items(self) -> list[Any]:
        return list(self._query_args["load"](self.per_page, self._query_offset))

    def _query_count(self) -> int:  # pragma: no cover - the total is always given
        raise NotImplementedError


def paginate_rows(
    load: Callable[[int, int], Sequence[Any]], total: int, name: str = "page", at_most: int | None = None
) -> Pagination:
    """The page chosen by the ``name`` query argument (PAGE_SIZE rows, or ``at_most`` if fewer), its rows read by
    ``load(limit, offset)``, ``total`` rows in all; past the end: empty."""
    size = min(current_app.config["PAGE_SIZE"], at_most or current_app.config["PAGE_SIZE"])
    pagination = _LoadedPagination(
        page=page_number(name=name), per_page=size, max_per_page=size, error_out=False, count=False, load=load
    )
    pagination.total = total
    return pagination
