"""The permit lists' rows written by Python (``permits.list_rows``) read as the templates wrote them, and the
permit page's reads in fewer statements give what the services gave (issue 13)."""

from __future__ import annotations

import re
from datetime import date
from operator import attrgetter
from pathlib import Path

import pytest
from flask import render_template_string, session
from sqlalchemy import select, update

from app.extensions import db
from app.listing import Sort
from app.security import SYSTEM_SCOPE
from devtools.synth import Sizes, synthesize
from estates.models import Investor
from permits import list_rows, page_reads, services
from permits.models import Permit, PermitEvent
from permits.queries import PermitFilters, permit_page_ids, permits_by_ids
from permits.stalls.evidence import build_evidence, stage_usage
from permits.workflow import permit_clocks

AS_OF = date(2026, 11, 16)
HISTORY_BEFORE = (Path(__file__).parent / "history_before.html").read_text()
SIZES = Sizes(investors=4, estates=30, zones=60, permits=300, events=2400, audit=10)

# The rows of permits/list.html before issue 13's change, macro by macro: what the Python rows must equal.
TEMPLATE_ROWS = """{% from "_macros.html" import status_badge %}{% from "permits/_clock.html" import clock_cell %}
{% from "agencies/_agency.html" import permit_agency %}
{% set permit_url = id_url("permits.permit_detail", "permit_id") %}
{% set estate_url = id_url("estates.estate_detail", "estate_id") %}
{% for permit in permits %}
<tr>
  <td>
    <a class="fw-semibold" href="{{ permit_url(permit.id) }}"
       title="{{ permit.permit_type.name(current_locale) }}">{{ permit.permit_type.code }}</a>
    {% if permit.reference_number %}
    <div class="small text-body-secondary ref-number">{{ permit.reference_number }}</div>{% endif %}
  </td>
  <td>
    <a class="fw-medium" href="{{ estate_url(permit.estate.id) }}">{{ permit.estate.name }}</a>
    <div class="small text-body-secondary">{{ permit.estate.investor.legal_name }}</div>
  </td>
  <td class="small">{{ permit.estate.region.name }}</td>
  <td>
    {{ status_badge(permit.status) }}
    <div class="small text-body-secondary text-nowrap">
      {% if permit.decided_on %}{{ _("decided %(day)s", day=permit.decided_on|day) }}
      {% elif permit.submitted_on %}{{ _("filed %(day)s", day=permit.submitted_on|day) }}{% endif %}
    </div>
  </td>
  <td>{{ clock_cell(clocks[permit.id]) }}</td>
  <td class="small">{{ permit_agency(permit) }}</td>
</tr>
{% endfor %}"""

# The rows of permits/_estate_panel.html before issue 13's change: what ``estate_panel_rows`` must equal.
ESTATE_PANEL_ROWS = """{% from "_macros.html" import status_badge %}
{% from "permits/_clock.html" import clock_cell, whose_move %}
{% for permit in permits %}
<tr>
  <td>
    <a class="fw-semibold"
       href="{{ url_for('permits.permit_detail', permit_id=permit.id) }}">{{ permit.permit_type.code }}</a>
    <div class="small text-body-secondary">{{ permit.permit_type.name(current_locale) }}</div>
    {% if permit.reference_number %}
    <div class="small text-body-secondary ref-number">{{ permit.reference_number }}</div>{% endif %}
  </td>
  <td>{{ status_badge(permit.status) }}</td>
  <td>{{ clock_cell(clocks[permit.id]) }}</td>
  <td class="small">{{ whose_move(clocks[permit.id], permit) }}</td>
  <td class="text-nowrap small">{{ permit.submitted_on|day }}</td>
  <td class="text-nowrap small">{{ permit.decided_on|day }}</td>
</tr>
{% endfor %}"""


def normal(html: str) -> str:
    """Markup without the layout's whitespace between and inside elements (what a browser shows the same)."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).strip()


@pytest.fixture
def province(app):
    synthesize(SIZES, 1, AS_OF)
    first = db.session.scalars(select(Permit.id).order_by(Permit.id).limit(3)).all()
    # a legacy agency text, no agency at all, a fictional investor: the agency cell's and the badge's cases
    db.session.execute(
        update(Permit).where(Permit.id == first[0]).values(agency_id=None, issuing_authority="DPMPTSP <Lama>")
    )
    db.session.execute(update(Permit).where(Permit.id == first[1]).values(agency_id=None, issuing_authority=None))
    db.session.execute(update(Investor).values(is_demo=True))
    db.session.commit()
    return app


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_rows_read_as_the_template_wrote_them(province, lang):
    ids = db.session.scalars(select(Permit.id).order_by(Permit.id)).all()
    with province.test_request_context("/permits"):
        session["lang"] = lang
        permits = permits_by_ids(ids)
        expected = render_template_string(TEMPLATE_ROWS, permits=permits, clocks=permit_clocks(permits, AS_OF))
        rows = list_rows.rows_by_ids(ids)
        written = list_rows.permit_list_rows(rows, list_rows.row_clocks(rows, AS_OF))
    assert len(rows) == len(ids) == 300
    assert normal(written) == normal(expected)
    assert "DPMPTSP &lt;Lama&gt;" in written


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_estate_panels_rows_read_as_the_template_wrote_them(province, lang):
    ids = db.session.scalars(select(Permit.id).order_by(Permit.id)).all()
    held = [i for i, clock in permit_clocks(permits_by_ids(ids), AS_OF).items() if clock.holder == "agency"]
    db.session.execute(
        update(Permit).where(Permit.id == held[0]).values(agency_id=None, issuing_authority="Dinas <Lama>")
    )
    db.session.commit()
    with province.test_request_context("/estates/1"):
        session["lang"] = lang
        permits = permits_by_ids(ids)
        expected = render_template_string(ESTATE_PANEL_ROWS, permits=permits, clocks=permit_clocks(permits, AS_OF))
        written = list_rows.estate_panel_rows(permits, list_rows.row_clocks(permits, AS_OF))
    assert normal(written) == normal(expected)
    assert written.count("<tr>") == 300
    assert '<i class="bi bi-building" aria-hidden="true"></i> Dinas &lt;Lama&gt;</td>' in written  # its move


@pytest.mark.parametrize("sort", [Sort(), Sort("due", descending=True), Sort("estate")])
def test_a_page_of_rows_is_the_page_of_the_list(province, sort):
    """One statement (the ids as a subquery) or, by a related record's column, two: the same rows in order."""
    filters = PermitFilters(sort=sort)
    ids = db.session.scalars(permit_page_ids(filters, SYSTEM_SCOPE, AS_OF).limit(20).offset(20)).all()
    assert len(ids) == 20
    assert [r.id for r in list_rows.page_rows(filters, SYSTEM_SCOPE, AS_OF, 20, 20)] == ids


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_permit_pages_reads_equal_the_services(province, lang):
    db.session.execute(update(PermitEvent).where(PermitEvent.id % 7 == 0).values(evidence_fingerprint="ab" * 32))
    db.session.commit()
    with province.test_request_context("/"):
        session["lang"] = lang
        for permit in db.session.scalars(select(Permit).where(Permit.regime_id.is_not(None)).limit(60)):
            prerequisites, siblings = page_reads.related_applications(permit)  # plain rows of the same permits
            shown = attrgetter(*(c.key for c in page_reads.RELATED_COLUMNS))
            expected = services.prerequisite_permits(permit.estate_id, permit.permit_type)
            assert {k: shown(p) for k, p in prerequisites.items()} == {k: shown(p) for k, p in expected.items()}
            assert [shown(p) for p in siblings] == [shown(p) for p in services.sibling_applications(permit)]
            events = services.permit_history(permit.id)
            assert stage_usage(permit, events, AS_OF) == build_evidence(permit, AS_OF).stages
            expected = render_template_string(HISTORY_BEFORE, events=events)
            assert normal(page_reads.history_html(events)) == normal(expected)
        assert normal(page_reads.history_html([])) == normal(render_template_string(HISTORY_BEFORE, events=[]))
