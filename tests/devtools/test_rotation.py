"""The throughput benchmark's URLs (``devtools.synth.rotation``): many per page, each in its role's scope and
answering 200, the same from one run to the next."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from devtools.synth import Sizes, synthesize
from devtools.synth.pages import accounts, pages, sample, signed_in
from devtools.synth.rotation import variants
from estates.models import Estate
from permits.models import Permit

SIZES = Sizes(investors=4, estates=30, zones=60, permits=300, events=1200, audit=30)


def test_every_page_rotates_over_urls_of_its_scope_that_answer(app):
    synthesize(SIZES, 1, date(2026, 11, 16))
    s = sample()
    clients = {role: signed_in(app, user) for role, user in accounts(s).items()}
    with app.test_request_context():
        found = variants(s, pages(s), size=40)
        again = variants(s, pages(s), size=40)
    assert found == again  # deterministic
    assert len(found["officer", "permit page"]) in (40, 41)  # the sample's own, and 40 drawn
    assert len(found["officer", "estate page"]) == 30  # every estate of the province: fewer than 40
    assert len(found["officer", "permits overdue"]) > 5
    assert len(found["region", "permits list"]) > 5
    mine = {p.id for p in db.session.query(Permit).join(Estate).filter(Estate.investor_id == s.investor_id)}
    portal = found["investor", "portal permit"]
    assert len(portal) > 1 and all(int(url.rsplit("/", 1)[1]) in mine for url in portal)
    for (role, name), urls in found.items():
        for url in urls[:12]:
            response = clients[role].get(url)
            assert response.status_code == 200, (role, name, url, response.status_code)
            db.session.remove()
