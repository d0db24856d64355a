"""The permit page's reads in fewer objects (issue 13, branch ``tpe``): the catalogue kept as plain data reads as the
ORM's, the page's rule and clock are the services', the page never loads the permit's type and runs the same
statements whichever permit it shows, and an edit of the catalogue is on the very next page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import session
from sqlalchemy import select, update

from app.extensions import db
from app.models import User
from app.security import SYSTEM_SCOPE
from devtools.synth import Sizes, synthesize
from permits import catalogue, page_reads, services
from permits.models import Permit, PermitEvent, PermitStatus, PermitType
from permits.rules import PermitRule
from permits.stalls.evidence import stage_usage
from permits.workflow import permit_clock, rule_of
from tests.statements import counting

AS_OF = date(2026, 11, 16)
SIZES = Sizes(investors=4, estates=30, zones=60, permits=300, events=2400, audit=10)


@pytest.fixture
def province(app):
    synthesize(SIZES, 1, AS_OF)
    db.session.commit()
    return app


def test_the_kept_catalogue_reads_as_the_orm(province):
    with province.test_request_context("/"):
        types = db.session.scalars(select(PermitType)).all()
        assert types
        for ptype in types:
            kept = catalogue.type_of(ptype.id)
            assert (kept.id, kept.code, kept.name("id"), kept.name("en")) == (
                ptype.id,
                ptype.code,
                ptype.name("id"),
                ptype.name("en"),
            )
            assert [(p.id, p.code, p.name("en")) for p in kept.prerequisites] == [
                (p.id, p.code, p.name("en")) for p in ptype.prerequisites
            ]
            assert len(kept.rules) == len(ptype.rules)
            for rule in ptype.rules:
                copy = kept.rule_for(rule.regime_id)
                for column in PermitRule.__table__.columns:
                    if column.key not in ("id", "permit_type_id"):
                        assert getattr(copy, column.key) == getattr(rule, column.key), column.key
                assert copy.regime.name == rule.regime.name
                assert (copy.note("id"), copy.note("en")) == (rule.note("id"), rule.note("en"))
            assert kept.rule_for(-1) is None


def test_the_pages_rule_clock_and_stages_are_the_services(province):
    with province.test_request_context("/"):
        permits = db.session.scalars(select(Permit).order_by(Permit.id).limit(80)).all()
        assert any(p.regime_id is None for p in permits) and any(p.regime_id for p in permits)
        for permit in permits:
            ptype = catalogue.type_of(permit.permit_type_id)
            rule = page_reads.page_rule(permit, ptype, AS_OF)
            assert rule == catalogue.KeptRule.of(rule_of(permit, AS_OF))
            related = page_reads.related_applications(permit, ptype)
            assert related == page_reads.related_applications(permit)
            if permit.regime_id:
                events = services.permit_history(permit.id)
                assert stage_usage(permit, events, AS_OF, rule) == stage_usage(permit, events, AS_OF)


def test_the_page_reads_its_permit_in_one_statement_without_its_type(province):
    """The permit with its estate, investor, kab/kota and agency in one statement; its type never loaded (the
    page reads the kept catalogue); outside the scope: 404."""
    with province.test_request_context("/"):
        permit_id = db.session.scalar(select(Permit.id).where(Permit.agency_id.is_not(None)).limit(1))
        db.session.expunge_all()
        with counting() as statements:
            permit = page_reads.permit_for_page(permit_id, SYSTEM_SCOPE)
            seen = (permit.estate.investor.legal_name, permit.estate.region.name, permit.agency.name("id"))
            if permit.agency.region_id:
                seen += (permit.agency.region.name,)
        assert len(statements) == 1 and all(seen)
        assert not re.search(r"\bpermit_type\b", statements[0])


def test_every_permit_page_runs_the_same_statements_and_never_reads_the_type(province, client):
    ids = db.session.scalars(select(Permit.id).order_by(Permit.id).limit(40)).all()
    client.get(f"/permits/{ids[0]}")  # the kept parts filled
    shapes = set()
    for permit_id in ids:
        with counting() as statements:
            assert client.get(f"/permits/{permit_id}").status_code == 200
        shapes.add(len(statements))
        assert not [s for s in statements if re.search(r"\bpermit_type\b", s)]
    assert len(shapes) == 1 or shapes == {min(shapes), min(shapes) + 1}  # + the regime of an unfiled permit
    assert client.get(f"/permits/{max(ids) + 10_000}").status_code == 404


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_catalogue_edit_is_on_the_next_page(province, client, lang):
    with client.session_transaction() as s:
        s["lang"] = lang
    permit = db.session.scalar(select(Permit).where(Permit.regime_id.is_not(None)).limit(1))
    rule = rule_of(permit)
    url = f"/permits/{permit.id}"
    assert "Pasal &lt;baru&gt;" not in client.get(url).get_data(as_text=True)  # the catalogue now kept
    db.session.execute(
        update(PermitRule)
        .where(PermitRule.id == rule.id)
        .values(sla_working_days=987, legal_basis="Pasal <baru>", note_en="A new note", note_id="Catatan baru")
    )
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Pasal &lt;baru&gt;" in html
    assert ("A new note" if lang == "en" else "Catatan baru") in html
    assert re.search(r'id="statutory-days">\s*<span class="fw-semibold">987 ', html)
    with province.test_request_context("/"):
        session["lang"] = lang
        expected = permit_clock(db.session.get(Permit, permit.id))
    assert f"/ {expected.sla_working_days}</small>" in html


def _folded(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_kept_parts_are_the_parts_rendered_live(province, client, app, lang):
    """The law facts and the move fields read the same kept or computed (``FRAGMENT_CACHE`` off), for permits of
    every status and type; an edit of the catalogue or a move is on the next page."""
    with client.session_transaction() as s:
        s["lang"] = lang
    firsts = select(Permit.status, Permit.permit_type_id, db.func.min(Permit.id)).group_by(
        Permit.status, Permit.permit_type_id
    )
    ids = [row[2] for row in db.session.execute(firsts)][:30]
    kept = {i: _folded(client.get(f"/permits/{i}").get_data(as_text=True)) for i in ids * 2}
    app.config["FRAGMENT_CACHE"] = False
    try:
        live = {i: _folded(client.get(f"/permits/{i}").get_data(as_text=True)) for i in ids}
    finally:
        app.config["FRAGMENT_CACHE"] = True
    masked = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')
    for i in ids:
        assert masked.sub("", kept[i]) == masked.sub("", live[i])
    assert sum('id="move-form"' in page for page in kept.values()) >= 2
    assert all('id="statutory-days"' in page for page in kept.values())


def test_a_refused_move_shows_its_errors_and_the_next_page_is_fresh(province, client):
    permit = db.session.scalar(select(Permit).where(Permit.status == PermitStatus.SUBMITTED).limit(1))
    url = f"/permits/{permit.id}"
    fresh = client.get(url).get_data(as_text=True)
    assert 'aria-invalid="true"' not in fresh
    refused = client.post(f"{url}/move", data={"target": "", "effective_on": "", "version": str(permit.version)})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="target-error"' in html and 'id="effective_on-error"' in html  # written for that request
    assert client.get(url).get_data(as_text=True).count('aria-invalid="true"') == 0
    moved = client.post(
        f"{url}/move",
        data={"target": "declared_complete", "effective_on": AS_OF.isoformat(), "version": str(permit.version)},
    )
    assert moved.status_code == 302
    after = client.get(url).get_data(as_text=True)
    assert after != fresh and '<option value="declared_complete">' not in after  # the next status's choices


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pages_plain_events_read_as_the_history(province, client, lang):
    """``page_events`` (plain rows) give the history and the sub-stages the ORM's events give: names of users now
    and labels of the time, notes, evidence, in order."""
    db.session.execute(update(PermitEvent).where(PermitEvent.id % 7 == 0).values(evidence_fingerprint="ab" * 32))
    renamed = client.user.id  # a user who made some moves, renamed since: the name now, escaped
    db.session.execute(update(PermitEvent).where(PermitEvent.id % 5 == 0).values(actor_id=renamed))
    db.session.execute(update(User).where(User.id == renamed).values(name="Nama <Baru>"))
    db.session.commit()
    with province.test_request_context("/"):
        session["lang"] = lang
        permits = db.session.scalars(select(Permit).order_by(Permit.id).limit(60)).all()
        named = 0
        for permit in permits:
            events = services.permit_history(permit.id)
            rows = page_reads.page_events(permit.id)
            assert [r.actor_name for r in rows] == [e.actor_name for e in events]
            named += sum(r.actor_name == "Nama <Baru>" for r in rows)
            assert page_reads.history_html(rows) == page_reads.history_html(events)
            if permit.regime_id:
                assert stage_usage(permit, rows, AS_OF) == stage_usage(permit, events, AS_OF)
        assert any(len(page_reads.page_events(p.id)) > 3 for p in permits)
        assert named > 0
