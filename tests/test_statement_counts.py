"""No page's number of SQL statements grows with the data: every page of every role (``devtools.synth.pages``) is
walked on a tiny synthetic province, then again after the province has grown, and the counts must be equal."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from devtools.synth import Sizes, synthesize
from devtools.synth.pages import accounts, pages, sample, signed_in
from forecast.services import refresh_forecast
from permits.stalls.scan import scan_stalled
from tests.statements import counting

SMALL = Sizes(investors=4, estates=30, zones=60, permits=300, events=2400, audit=30)
MORE = Sizes(investors=8, estates=60, zones=120, permits=600, events=4800, audit=70)
AS_OF = date(2026, 11, 16)


def _walk(app, clients, s) -> dict[str, int]:
    counts = {}
    for page in pages(s):
        client = clients[page.role]
        with app.test_request_context():
            url = page.url()
        client.get(url)  # the first request warms the caches (calendar, settings) alike at both sizes
        db.session.remove()  # the requests share the test's app context: each starts from an empty session
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, (page, response.status_code)
        counts[f"{page.role} {page.name}"] = len(statements)
    return counts


def _grow(sizes: Sizes, seed: int) -> None:
    synthesize(sizes, seed, AS_OF)
    scan_stalled(AS_OF)
    db.session.commit()
    refresh_forecast(actor="test")
    db.session.commit()


def test_no_page_issues_more_statements_on_more_data(app):
    _grow(SMALL, 1)
    s = sample()
    clients = {role: signed_in(app, user) for role, user in accounts(s).items()}
    before = _walk(app, clients, s)
    _grow(MORE, 2)  # more of everything, beside the same sample records
    after = _walk(app, clients, s)
    grew = {page: (before[page], after[page]) for page in before if before[page] != after[page]}
    assert grew == {}, f"statements per page (small, larger) that differ: {grew}"
