"""Who sees and changes which permits, and what the lists and the dashboard count (issue 4).

A Kota Serang officer (36.73) gets a 404 for a Kab. Tangerang (36.03) permit or estate, GET or POST, and
nothing changes; the permits list, the clock stops and every dashboard figure hold only Kota Serang. The
governor's office reads every page, finds no edit control and gets 403 on every write. Investor users get
403 on the office's pages (the dashboard sends them to their portal); anonymous visitors are sent to sign in.
The last test walks every route of the estates, permits and dashboard pages, so a new one cannot slip by.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.errors import NotFound, NotInScope, ReadOnlyScope
from app.extensions import db
from app.models import Role
from app.security import EDITORS, SYSTEM_SCOPE, Scope
from devtools.factories import (
    agency,
    make_claim,
    make_estate,
    make_investor,
    make_permit,
    make_zone,
    permit_type,
    region,
)
from estates.models import Estate, EstateStatus, Investor
from permits import figures, services
from permits.models import Permit, PermitEvent, PermitStatus

SERANG, TANGERANG = "36.73", "36.03"
BILLION = Decimal(10**9)
FILED = date(2025, 9, 1)


@dataclass
class Side:
    estate: Estate
    permit: Permit  # returned for revision: it has stopped its agency's clock once


@dataclass
class World:
    investor: Investor
    serang: Side
    tangerang: Side


def _returned(estate: Estate, agency_code: str) -> Permit:
    """An NIB application returned for revision, recorded through the service (system scope by default), handled
    by the kab/kota's own office (an officer's choice: the rule gives Lembaga OSS to both)."""
    return services.create_permit(
        estate,
        permit_type("NIB").id,
        PermitStatus.RETURNED,
        actor="Petugas",
        submitted_on=FILED,
        agency_id=agency(agency_code).id,
        agency_override_reason="Uji: diajukan lewat DPMPTSP setempat",
    )


@pytest.fixture
def world() -> World:
    investor = make_investor(legal_name="PT Dua Wilayah")
    serang = make_estate(
        investor=investor,
        region=region(SERANG),
        name="Kawasan Serang",
        area_ha=Decimal(100),
        planned_investment_rp=BILLION,
    )
    tangerang = make_estate(
        investor=investor,
        region=region(TANGERANG),
        name="Kawasan Tangerang",
        area_ha=Decimal(300),
        planned_investment_rp=7 * BILLION,
        status=EstateStatus.PERMITTING,
    )
    make_estate(
        region=region(TANGERANG),
        name="Kawasan Tangerang Lama",
        area_ha=Decimal(50),
        planned_investment_rp=2 * BILLION,
        status=EstateStatus.OPERATING,
    )
    w = World(
        investor=investor,
        serang=Side(serang, _returned(serang, "3673-dpmptsp")),
        tangerang=Side(tangerang, _returned(tangerang, "3603-dpmptsp")),
    )
    make_permit("KKPR", estate=tangerang, status=PermitStatus.ISSUED)
    db.session.commit()
    return w


@pytest.fixture
def serang_officer(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    return login_as("officer", region=SERANG)


def serang_scope() -> Scope:
    return Scope(role=Role.OFFICER, region_id=region(SERANG).id)


def snapshot() -> list[tuple]:
    """Every permit and permit event as stored."""
    db.session.expire_all()
    rows: list[tuple] = []
    for model in (Permit, PermitEvent):
        table = model.__table__
        rows += [tuple(row) for row in db.session.execute(select(table).order_by(table.c.id))]
    return rows


def write_requests(side: Side) -> list[tuple[str, str, dict]]:
    """(method, URL, data) of every permits page that changes ``side``'s records, with data that would work."""
    permit, estate = side.permit, side.estate
    new_permit = {"permit_type": str(permit_type("KKPR").id), "status": "not_started", "recorded_by": "Petugas"}
    move = {
        "target": "submitted",
        "effective_on": "2025-09-08",
        "recorded_by": "Petugas",
        "note": "Perbaikan diterima",
        "version": str(permit.version),
    }
    return [
        ("GET", f"/permits/{permit.id}/edit", {}),
        ("POST", f"/permits/{permit.id}/edit", {"reference_number": "SK-9", "version": str(permit.version)}),
        ("POST", f"/permits/{permit.id}/move", move),
        ("GET", f"/estates/{estate.id}/permits/new", {}),
        ("POST", f"/estates/{estate.id}/permits/new", new_permit),
    ]


def send(client: FlaskClient, method: str, url: str, data: dict):
    return client.post(url, data=data) if method == "POST" else client.get(url)


# --- services --------------------------------------------------------------------------------------------


def test_services_refuse_a_permit_outside_the_region(world: World):
    scope, t = serang_scope(), world.tangerang
    before = snapshot()
    with pytest.raises(NotFound):
        services.get_permit(t.permit.id, scope)
    assert services.get_permit(world.serang.permit.id, scope) == world.serang.permit
    with pytest.raises(NotInScope):
        services.create_permit(t.estate, permit_type("KKPR").id, PermitStatus.NOT_STARTED, actor="o", scope=scope)
    with pytest.raises(NotInScope):
        services.update_permit(t.permit, reference_number="SK-9", scope=scope)
    with pytest.raises(NotInScope):
        services.move_permit(t.permit, PermitStatus.SUBMITTED, scope=scope, actor="o", on=date(2025, 9, 8))
    assert services.estate_permits(t.estate.id, scope) == []
    db.session.rollback()
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.INVESTOR])
def test_services_refuse_read_only_scopes(world: World, role: Role):
    scope = Scope(role=role, investor_id=world.investor.id if role is Role.INVESTOR else None)
    s = world.serang
    with pytest.raises(ReadOnlyScope):
        services.create_permit(s.estate, permit_type("KKPR").id, PermitStatus.NOT_STARTED, actor="o", scope=scope)
    with pytest.raises(ReadOnlyScope):
        services.update_permit(s.permit, reference_number="SK-9", scope=scope)
    with pytest.raises(ReadOnlyScope):
        services.move_permit(s.permit, PermitStatus.SUBMITTED, scope=scope, actor="o", on=date(2025, 9, 8))


def test_a_region_officer_may_move_a_permit_of_its_region(world: World):
    services.move_permit(
        world.serang.permit, PermitStatus.SUBMITTED, scope=serang_scope(), actor="o", on=date(2025, 9, 8)
    )
    assert world.serang.permit.status is PermitStatus.SUBMITTED


# --- a Kota Serang officer and a Kab. Tangerang permit ------------------------------------------------------


def test_region_officer_gets_404_for_a_permit_of_another_region(serang_officer: FlaskClient, world: World):
    before = snapshot()
    assert serang_officer.get(f"/permits/{world.tangerang.permit.id}").status_code == 404
    for method, url, data in write_requests(world.tangerang):
        assert send(serang_officer, method, url, data).status_code == 404, (method, url)
    assert snapshot() == before


def test_region_officer_works_on_the_permits_of_its_region(serang_officer: FlaskClient, world: World):
    assert serang_officer.get(f"/permits/{world.serang.permit.id}").status_code == 200
    html = serang_officer.get(f"/estates/{world.serang.estate.id}").get_data(as_text=True)
    assert f"/permits/{world.serang.permit.id}" in html  # the estate's permits panel
    method, url, data = write_requests(world.serang)[2]  # the move back to the agency
    response = send(serang_officer, method, url, data)
    assert response.status_code == 302, re.findall(r"invalid-feedback[^>]*>([^<]*)", response.get_data(as_text=True))
    assert db.session.get(Permit, world.serang.permit.id).status is PermitStatus.SUBMITTED
    for method, url, _data in write_requests(world.serang):
        if method == "GET":
            assert serang_officer.get(url).status_code == 200, url


def _permit_ids(html: str) -> set[int]:
    table = re.search(r'<table[^>]*id="permit-list".*?</table>', html, re.S)
    return {int(i) for i in re.findall(r'href="/permits/(\d+)"', table.group(0))} if table else set()


def test_permit_list_and_clock_stops_hold_only_the_region(
    serang_officer: FlaskClient, client: FlaskClient, world: World
):
    html = serang_officer.get("/permits").get_data(as_text=True)
    assert _permit_ids(html) == {world.serang.permit.id}
    assert "1 permit" in re.search(r'id="permit-count">(.*?)</span>', html, re.S).group(1)
    assert len(_permit_ids(client.get("/permits").get_data(as_text=True))) == 3
    # a kab/kota in the query string does not widen the scope, and only its own is offered
    asked = serang_officer.get(f"/permits?region={TANGERANG}").get_data(as_text=True)
    assert _permit_ids(asked) == {world.serang.permit.id}
    box = re.search(r'<select[^>]*name="region".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option[^>]*value="([\d.]+)"', box) == [SERANG]

    stops = serang_officer.get("/permits/clock-stops").get_data(as_text=True)
    mine, theirs = agency("3673-dpmptsp"), agency("3603-dpmptsp")
    assert mine.name_en in stops and theirs.name_en not in stops
    assert theirs.name_en in client.get("/permits/clock-stops").get_data(as_text=True)
    assert [f.agency for f in figures.clock_stops_by_agency(serang_scope())] == [mine]


def test_dashboard_figures_hold_only_the_region(world: World):
    mine, everything = figures.dashboard_figures(serang_scope()), figures.dashboard_figures(SYSTEM_SCOPE)
    assert (mine.estate_count, everything.estate_count) == (1, 3)
    assert (mine.pipeline_count, everything.pipeline_count) == (1, 2)
    assert (mine.pipeline_rp, everything.pipeline_rp) == (BILLION, 8 * BILLION)
    assert (mine.total_area_ha, everything.total_area_ha) == (Decimal(100), Decimal(450))
    assert (mine.permit_count, everything.permit_count) == (1, 3)
    assert dict(mine.permits_by_status)[PermitStatus.RETURNED] == 1
    assert dict(mine.permits_by_status)[PermitStatus.ISSUED] == 0
    assert dict(everything.permits_by_status)[PermitStatus.ISSUED] == 1
    assert [(r.region.bps_code, r.estates, r.pipeline_rp) for r in mine.by_region] == [(SERANG, 1, BILLION)]
    assert len(everything.by_region) == 8
    assert sum(c.pipeline_rp for c in mine.by_capital) == BILLION
    assert [e.name for e in mine.top_estates] == ["Kawasan Serang"]
    assert [e.name for e in everything.top_estates] == ["Kawasan Tangerang", "Kawasan Serang"]


def test_dashboard_page_holds_only_the_region(serang_officer: FlaskClient, client: FlaskClient, world: World):
    html = serang_officer.get("/").get_data(as_text=True)
    assert "Industrial estates of Kota Serang" in html and 'id="scope-note"' in html
    assert re.search(r'id="estate-count">(\d+)<', html).group(1) == "1"
    assert re.search(r'id="permit-count">(\d+)<', html).group(1) == "1"
    assert re.findall(r'data-region="([\d.]+)"', html) == [SERANG]
    top = re.search(r'<table[^>]*id="top-estates".*?</table>', html, re.S).group(0)
    assert "Kawasan Serang" in top and "Tangerang" not in top
    province = client.get("/").get_data(as_text=True)
    assert re.search(r'id="estate-count">(\d+)<', province).group(1) == "3"
    assert "Industrial estates of Banten" in province and 'id="scope-note"' not in province


# --- the governor's office -----------------------------------------------------------------------------------

WRITE_LINK = re.compile(r'href="[^"]*/(?:edit|new|delete)(?:[?#"])')


def test_governor_reads_every_permit_page_without_a_control(login_as: Callable[..., FlaskClient], world: World):
    governor = login_as("governor")
    pages = [
        "/",
        "/permits",
        "/permits/clock-stops",
        f"/permits/{world.serang.permit.id}",
        f"/permits/{world.tangerang.permit.id}",
        f"/estates/{world.tangerang.estate.id}",  # with its permits panel
    ]
    for url in pages:
        response = governor.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        main = html[html.index("<main") :]
        assert not WRITE_LINK.findall(main), (url, WRITE_LINK.findall(main))
        assert 'id="move-form"' not in main and "/move" not in main, url
        assert 'method="post"' not in main, url
    # an officer sees the move form and the add links on the same pages (so the checks above can fail)
    officer = login_as("officer")
    assert 'id="move-form"' in officer.get(f"/permits/{world.serang.permit.id}").get_data(as_text=True)
    assert WRITE_LINK.search(officer.get(f"/estates/{world.tangerang.estate.id}").get_data(as_text=True))


def test_governor_gets_403_on_every_permit_write(login_as: Callable[..., FlaskClient], world: World):
    governor = login_as("governor")
    before = snapshot()
    for side in (world.serang, world.tangerang):
        for method, url, data in write_requests(side):
            assert send(governor, method, url, data).status_code == 403, (method, url)
        assert governor.get(f"/permits/{side.permit.id}/move").status_code == 405  # the move is a POST only
    assert snapshot() == before


# --- investor users and anonymous visitors -------------------------------------------------------------------


def test_investor_users_get_403_on_every_permits_page(login_as: Callable[..., FlaskClient], world: World):
    investor = login_as("investor", investor=world.investor)  # the permits are its own, yet not on these pages
    before = snapshot()
    for url in ["/permits", "/permits/clock-stops", f"/permits/{world.serang.permit.id}"]:
        assert investor.get(url).status_code == 403, url
    for method, url, data in write_requests(world.serang):
        assert send(investor, method, url, data).status_code == 403, (method, url)
    assert snapshot() == before
    response = investor.get("/")  # the dashboard sends an investor to its portal
    assert response.status_code == 302 and response.location == "/portal"


def test_anonymous_visitors_are_sent_to_sign_in(anon_client: FlaskClient, world: World):
    pages = ["/", "/permits", "/permits/clock-stops", f"/permits/{world.serang.permit.id}"]
    for url in pages:
        response = anon_client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url
    for method, url, data in write_requests(world.serang):
        response = send(anon_client, method, url, data)
        assert response.status_code == 302 and response.location.startswith("/login"), (method, url)


# --- every route of the office's pages ---------------------------------------------------------------------

OFFICE_MODULES = ("estates.views", "permits.views", "permits.dashboard")


def _office_routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    """(endpoint, rule, methods) of every route whose view lives in the office's modules."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if view.__module__ in OFFICE_MODULES:
            routes.append((rule.endpoint, rule.rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return routes


def _url(rule: str, ids: dict[str, int]) -> str:
    return re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule)


def test_every_office_route_is_closed_to_investors_and_writes_to_editors(
    app: Flask, login_as: Callable[..., FlaskClient], world: World
):
    estate = world.serang.estate
    zone, claim = make_zone(estate=estate, area_ha=Decimal(1)), make_claim(estate=estate)
    db.session.commit()
    ids = {
        "estate_id": estate.id,
        "investor_id": world.investor.id,
        "zone_id": zone.id,
        "claim_id": claim.id,
        "permit_id": world.serang.permit.id,
    }
    routes = _office_routes(app)
    assert len(routes) >= 20  # the walk really covers the three modules
    investor, governor = login_as("investor", investor=world.investor), login_as("governor")
    for endpoint, rule, methods in routes:
        view = app.view_functions[endpoint]
        roles = getattr(view, "allowed_roles", None)
        assert roles is not None, f"{endpoint} has no @role_required"
        assert Role.INVESTOR not in roles, endpoint
        url = _url(rule, ids)
        for method in methods:
            answer = send(investor, method, url, {}).status_code
            if endpoint == "dashboard.index":
                assert answer == 302, endpoint
            else:
                assert answer == 403, (endpoint, method)
            if method == "POST" or set(roles) == set(EDITORS):
                assert set(roles) == set(EDITORS), endpoint
                assert send(governor, method, url, {}).status_code == 403, (endpoint, method)
            else:
                assert send(governor, method, url, {}).status_code == 200, (endpoint, method)
