"""Hostile input to every form and every query string (issue 14): random and malicious values (control
characters, huge and negative numbers, unicode, script and SQL fragments, missing and repeated fields) never
answer 500, never leave a partial row behind a refusal, and are never reflected unescaped.

The PostgreSQL phase of ``make test`` is the one that matters: it is where a NUL byte used to become a 500.
Each form is found by reading the page that shows it: the fields it posts are the ones the browser would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from tests.test_access import ACCESS, ROLES, World, _arguments, _routes, _url
from tests.test_access import world as world

SCRIPT = "<script>alert('x')</script>"
NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\u202e\u200b",
    "'; DROP TABLE permit; --",
    "' OR '1'='1",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "9" * 400,
    "-1",
    "0",
    "2147483648",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "²",
    "٣",
    "\uff32\uff50\uff16\uff15\uff10",  # Rp650 in full-width letters
    "😀" * 30,
    "x" * 5000,
    "2026-02-30",
    "../../etc/passwd",
    "",
    " ",
]
QUERY_NAMES = [
    "q", "page", "status", "type", "band", "region", "agency", "kind", "group", "as_of", "year", "next", "email",
    "role", "sort", "dir", "investor", "estate", "zone_kind", "capital", "authority", "lang", "snapshot", "format",
]  # fmt: skip
SKIP = {"auth.logout", "core.set_language"}  # sign-out ends the session every other request needs
FORM = re.compile(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
NAME = re.compile(r'name="([^"]+)"')
TYPE = re.compile(r'type="([^"]+)"')
ACTION = re.compile(r'<form[^>]*action="([^"]*)"', re.I)


def _row_count() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables)


def _pages(app: Flask, world: World, role: str) -> list[str]:
    """Every GET page this role may open (by the access table), with real ids in its URL."""
    roles = list(ROLES)
    world.messages.setdefault(role, world.messages["other"])  # a message id for pages that need one
    pages = []
    for endpoint, rule, methods in _routes(app):
        if "GET" not in methods or endpoint in SKIP or endpoint.endswith("static") or endpoint == "static":
            continue
        expected = ACCESS.get(endpoint, (None,) * 5)[roles.index(role)]
        if expected in (403, 404, "login") or (isinstance(expected, str) and expected.startswith("/")):
            continue
        try:
            pages.append(_url(rule, _arguments(world, endpoint, role, other=False)))
        except KeyError:
            continue
    return pages


def _forms(client: FlaskClient, pages: list[str]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(action URL, [(field name, input type)]) of every POST form on these pages."""
    for page in pages:
        response = client.get(page)
        if response.mimetype != "text/html":
            response.close()  # a download streams its file: close it
            continue
        html = response.get_data(as_text=True)
        for match in re.finditer(r"<form\b[^>]*>.*?</form>", html, re.S | re.I):
            block = match.group(0)
            if 'method="post"' not in block.split(">", 1)[0].lower():
                continue
            action = ACTION.search(block)
            url = (action.group(1) if action and action.group(1) else page).replace("&amp;", "&")
            if url.split("?")[0] in ("/logout", "/language"):
                continue  # signing out would end the session every other example needs
            fields = []
            for _tag, attrs in FIELD.findall(block):
                name = NAME.search(attrs)
                if name and name.group(1) != "csrf_token":
                    kind = TYPE.search(attrs)
                    fields.append((name.group(1), kind.group(1) if kind else "text"))
            yield url, fields


def _assert_safe(response, before: int, sent: list[str], *, read: bool = False) -> None:
    """``read``: a GET, which may write its audit line when it succeeds (a download, an export)."""
    body = response.get_data().decode("utf-8", errors="replace")
    assert response.status_code < 500, body[:500]
    if response.status_code >= 400 or (response.status_code < 300 and not read):
        assert _row_count() == before, "a refused request left rows behind"
    if any(SCRIPT in value for value in sent) and response.mimetype == "text/html":
        assert SCRIPT not in body, "a script fragment was reflected unescaped"


@pytest.fixture(params=["officer", "administrator", "investor"])
def visitor(request, app: Flask, login_as, world: World) -> tuple[FlaskClient, list[str], list]:
    role = request.param
    client = login_as(role, investor=world.own.investor if role == "investor" else None)
    client.get("/language/id")
    pages = _pages(app, world, role)
    return client, pages, list(_forms(client, pages))


QUICK = {"deadline": None, "suppress_health_check": list(HealthCheck), "phases": [Phase.generate]}


@settings(max_examples=25, **QUICK)
@given(data=st.data())
def test_hostile_query_strings_on_every_page(visitor, data):
    client, pages, _forms_found = visitor
    page = data.draw(st.sampled_from(pages))
    names = data.draw(st.lists(st.sampled_from(QUERY_NAMES), min_size=1, max_size=4))
    values = [data.draw(st.sampled_from(NASTY) | st.text(max_size=30)) for _ in names]
    before = _row_count()
    response = client.get(page, query_string=list(zip(names, values, strict=True)))
    _assert_safe(response, before, values, read=True)
    response.close()


@settings(max_examples=40, **QUICK)
@given(data=st.data())
def test_hostile_values_in_every_form(visitor, data):
    client, _pages_found, forms = visitor
    assert forms, "no form found: the walk is broken"
    url, fields = data.draw(st.sampled_from(forms))
    posted: list[tuple[str, str]] = []
    for name, kind in fields:
        if kind in ("file", "submit"):
            continue
        if data.draw(st.integers(0, 9)) == 0:
            continue  # a missing field
        repeats = data.draw(st.integers(1, 2))  # a repeated field, now and then
        for _ in range(repeats):
            posted.append((name, data.draw(st.sampled_from(NASTY) | st.text(max_size=40))))
    before = _row_count()
    response = client.post(url, data=MultiDict(posted))
    _assert_safe(response, before, [v for _n, v in posted])
    response.close()
