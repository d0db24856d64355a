"""URLs: redirect targets that stay on this site, and ids in routes that can exist."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import url_for
from werkzeug.routing import IntegerConverter


def safe_next(target: str | None, fallback: str) -> str:
    """Return ``target`` when it is a path on this site, else ``fallback``.

    Refuses absolute URLs, scheme-relative ``//host`` and backslash tricks browsers treat as ``//``.
    """
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


MAX_ID = 2**31 - 1  # ids live in INTEGER columns: a larger one cannot exist (and PostgreSQL refuses to compare it)


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits only (``\\d`` would also match ``٣``, which ``int()`` reads as 3),
    at most ten of them, and an id past the INTEGER range does not match either: a 404, never a 500."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


_MARKER = 1_987_654_321  # an id no URL holds by chance (ten digits)


def id_url(endpoint: str, key: str, **values: object) -> Callable[[int], str]:
    """``url_for(endpoint, key=id, **values)`` for many ids: the URL built once, each id put in its place (a list of
    a few hundred links; url_for costs tens of microseconds a call)."""
    head, tail = url_for(endpoint, **{key: _MARKER}, **values).split(str(_MARKER))
    return lambda id_: f"{head}{int(id_)}{tail}"
