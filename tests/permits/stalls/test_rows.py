"""The stalled list's rows written by Python (``permits.stalls.rows``) read as the template wrote them, in both
languages, for every order of the list (issue 13)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import render_template_string, session
from sqlalchemy import select, update

from app.extensions import db
from app.listing import Sort
from app.security import SYSTEM_SCOPE
from devtools.synth import Sizes, synthesize
from estates.models import Investor
from permits.models import Permit
from permits.stalls import rows, stats
from permits.stalls.scan import scan_stalled
from permits.stalls.stats import StallFilters
from tests.permits.test_list_rows import normal

AS_OF = date(2026, 11, 16)
BEFORE = (Path(__file__).parent / "rows_before.html").read_text()


@pytest.fixture
def flagged(app):
    synthesize(Sizes(investors=4, estates=30, zones=60, permits=300, events=2400, audit=10), 1, AS_OF)
    scan_stalled(AS_OF)
    first = db.session.scalars(select(Permit.id).order_by(Permit.id).limit(1)).all()
    db.session.execute(update(Permit).where(Permit.id.in_(first)).values(agency_id=None, issuing_authority="Lama"))
    db.session.execute(update(Investor).where(Investor.id % 2 == 0).values(is_demo=True))
    db.session.commit()
    return app


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("sort", ["late", "-late", "type", "agency", "estate", "raised"])
def test_the_rows_read_as_the_template_wrote_them(flagged, lang, sort):
    filters = StallFilters(sort=Sort(sort.removeprefix("-"), sort.startswith("-")))
    with flagged.test_request_context("/stalls"):
        session["lang"] = lang
        permits = db.session.scalars(stats.stalled_permits_query(filters, SYSTEM_SCOPE).limit(40)).unique().all()
        expected = render_template_string(BEFORE, rows=stats.stall_rows(permits, AS_OF))
        page = rows.page(filters, SYSTEM_SCOPE, AS_OF, 40, 0)
        written = rows.stalled_list_rows(page)
    assert [r.permit.id for r in page] == [p.id for p in permits]
    assert len(permits) > 10
    assert normal(written) == normal(expected)
