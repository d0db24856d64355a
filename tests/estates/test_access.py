"""Who sees and changes which investors, estates, zones and claims (issue 4, "nobody sees what is not theirs").

A Kota Serang officer (36.73) gets a 404 for anything of a Kab. Tangerang (36.03) estate, by any id, GET or
POST, and nothing changes; the governor's office reads every page and changes nothing; investor users have
the portal and get 403 here; an anonymous visitor is sent to sign in. The same rules hold in the services.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import make_claim, make_estate, make_investor, make_zone, region
from estates import lists, queries, services, views
from estates.fields import ClaimFields, EstateFields, ZoneFields
from estates.models import Claim, ClaimMetric, Estate, Investor, Zone, ZoneKind

SERANG, TANGERANG = "36.73", "36.03"


@dataclass
class Side:
    """One kab/kota's records: an estate with a zone and a claim about it."""

    estate: Estate
    zone: Zone
    claim: Claim


@dataclass
class World:
    investor: Investor  # has an estate in each kab/kota
    only_tangerang: Investor  # has estates in Kab. Tangerang only
    investor_claim: Claim  # about the investor itself, not an estate
    serang: Side
    tangerang: Side


def _side(investor: Investor, bps_code: str, name: str) -> Side:
    estate = make_estate(investor=investor, region=region(bps_code), name=name, planned_investment_rp=Decimal(10**12))
    zone = make_zone(estate=estate, kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(40), name=f"Zona {name}")
    claim = make_claim(estate=estate, value=Decimal(1234), source=f"Sumber {name}", claimant=f"Klaim {name}")
    return Side(estate, zone, claim)


@pytest.fixture
def world() -> World:
    investor = make_investor(legal_name="PT Dua Wilayah")
    only_tangerang = make_investor(legal_name="PT Hanya Tangerang")
    w = World(
        investor=investor,
        only_tangerang=only_tangerang,
        investor_claim=make_claim(investor=investor, source="Sumber tentang perusahaan", claimant="Klaim perusahaan"),
        serang=_side(investor, SERANG, "Kawasan Serang Satu"),
        tangerang=_side(investor, TANGERANG, "Kawasan Tangerang Satu"),
    )
    make_estate(investor=only_tangerang, region=region(TANGERANG), name="Kawasan Tangerang Dua")
    db.session.commit()
    return w


@pytest.fixture
def serang_officer(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    return login_as("officer", region=SERANG)


def scope_for(role: Role, *, bps_code: str | None = None, investor: Investor | None = None) -> Scope:
    region_id = region(bps_code).id if bps_code else None
    return Scope(role=role, region_id=region_id, investor_id=investor.id if investor else None)


def snapshot() -> list[tuple]:
    """Every investor, estate, zone and claim as stored (to prove that a refused request changed nothing)."""
    db.session.expire_all()
    rows: list[tuple] = []
    for model in (Investor, Estate, Zone, Claim):
        table = model.__table__
        rows += [tuple(row) for row in db.session.execute(select(table).order_by(table.c.id))]
    return rows


# Valid form data for each write page, so that a POST would change something if it were let through.
def estate_form(w: World, side: Side, **kw) -> dict:
    data = {
        "investor_id": str(w.investor.id),
        "name": side.estate.name + " Baru",
        "region_id": str(side.estate.region_id),
        "area_ha": "150",
        "kbli": "68130",
        "status": "planned",
    }
    return data | kw


ZONE_FORM = {"kind": "commercial", "area_ha": "5", "name": "Zona baru"}
CLAIM_FORM = {
    "metric": "jobs",
    "value": "999",
    "source": "Sumber baru",
    "claimed_on": "2025-09-01",
    "recorded_by": "Petugas",
}


def write_requests(w: World, side: Side) -> list[tuple[str, dict]]:
    """(URL, POST data) of every estates page that changes ``side``'s records."""
    return [
        (f"/estates/{side.estate.id}/edit", estate_form(w, side)),
        (f"/estates/{side.estate.id}/zones/new", ZONE_FORM),
        (f"/zones/{side.zone.id}/edit", ZONE_FORM),
        (f"/zones/{side.zone.id}/delete", {}),
        (f"/estates/{side.estate.id}/claims/new", CLAIM_FORM),
        (f"/claims/{side.claim.id}/edit", CLAIM_FORM),
    ]


def read_pages(w: World) -> list[str]:
    return [
        "/investors",
        f"/investors/{w.investor.id}",
        f"/investors/{w.only_tangerang.id}",
        "/estates",
        f"/estates/{w.serang.estate.id}",
        f"/estates/{w.tangerang.estate.id}",
    ]


def all_write_requests(w: World) -> list[tuple[str, dict]]:
    investor_form = {
        "legal_name": "PT Ganti Nama",
        "legal_form": "pt",
        "capital_status": "pmdn",
        "country_of_origin": "ID",
    }
    return [
        ("/investors/new", investor_form),
        (f"/investors/{w.investor.id}/edit", investor_form),
        (f"/investors/{w.investor.id}/claims/new", CLAIM_FORM),
        ("/estates/new", estate_form(w, w.serang)),
        *write_requests(w, w.serang),
        *write_requests(w, w.tangerang),
    ]


# --- the rule itself ----------------------------------------------------------------------------------------


def test_the_sql_and_python_rules_agree_for_every_kind_of_user(world: World):
    """``estates_visible_to`` (lists, loads) and ``can_see_estate`` (writes) must never disagree."""
    scopes = {
        "administrator": SYSTEM_SCOPE,
        "governor": scope_for(Role.GOVERNOR),
        "province officer": scope_for(Role.OFFICER),
        "serang officer": scope_for(Role.OFFICER, bps_code=SERANG),
        "investor": scope_for(Role.INVESTOR, investor=world.only_tangerang),
        "investor without a company": scope_for(Role.INVESTOR),
    }
    everything = set(db.session.scalars(select(Estate.id)))
    expected = {
        "administrator": everything,
        "governor": everything,
        "province officer": everything,
        "serang officer": {world.serang.estate.id},
        "investor": {e.id for e in world.only_tangerang.estates},
        "investor without a company": set(),
    }
    for name, scope in scopes.items():
        by_sql = set(db.session.scalars(select(Estate.id).where(queries.estates_visible_to(scope))))
        by_python = {e.id for e in db.session.scalars(select(Estate)) if queries.can_see_estate(e, scope)}
        assert by_sql == by_python == expected[name], name


def test_scoped_reads_return_nothing_outside_the_region(world: World):
    serang = scope_for(Role.OFFICER, bps_code=SERANG)
    t, s = world.tangerang, world.serang
    assert queries.get_estate(t.estate.id, serang) is None
    assert queries.get_zone(t.zone.id, serang) is None
    assert queries.get_claim(t.claim.id, serang) is None
    assert queries.get_estate(s.estate.id, serang) == s.estate
    assert queries.estate_page(t.estate.id, serang) is None  # the estate page's read: the same rule
    assert queries.estate_page(s.estate.id, serang)[0] == s.estate
    assert queries.get_zone(s.zone.id, serang) == s.zone
    assert queries.get_claim(s.claim.id, serang) == s.claim
    assert queries.get_claim(world.investor_claim.id, serang) == world.investor_claim
    assert queries.get_investor(world.only_tangerang.id, serang) == world.only_tangerang  # companies stay visible
    assert queries.investor_estates(world.investor, serang) == [s.estate]
    assert len(queries.investor_estates(world.investor, SYSTEM_SCOPE)) == 2
    assert [name for _, name in queries.region_choices(serang)] == ["Kota Serang"]
    assert len(queries.region_choices(SYSTEM_SCOPE)) == 8


def test_an_investor_scope_sees_only_its_own_company(world: World):
    own = scope_for(Role.INVESTOR, investor=world.only_tangerang)
    assert queries.get_investor(world.investor.id, own) is None
    assert queries.get_investor(world.only_tangerang.id, own) == world.only_tangerang
    assert queries.get_claim(world.investor_claim.id, own) is None
    assert queries.get_estate(world.tangerang.estate.id, own) is None
    assert queries.estate_page(world.tangerang.estate.id, own) is None


def test_write_services_refuse_records_outside_the_region(world: World):
    serang = scope_for(Role.OFFICER, bps_code=SERANG)
    t = world.tangerang
    zone_fields = ZoneFields(kind=ZoneKind.HOUSING, area_ha=Decimal(1))
    claim_fields = ClaimFields(
        metric=ClaimMetric.JOBS, value=Decimal(1), unit="jobs", source="x", claimed_on=date(2025, 1, 1), recorded_by="o"
    )
    before = snapshot()
    refused = [
        lambda: services.update_estate(t.estate, _fields(t.estate), scope=serang),
        lambda: services.add_zone(t.estate, zone_fields, scope=serang),
        lambda: services.update_zone(t.zone, zone_fields, scope=serang),
        lambda: services.delete_zone(t.zone, scope=serang),
        lambda: services.add_claim(claim_fields, scope=serang, estate=t.estate),
        lambda: services.update_claim(t.claim, claim_fields, scope=serang),
    ]
    for call in refused:
        with pytest.raises(services.NotInScope):
            call()
    db.session.rollback()
    assert snapshot() == before
    # the same officer may change what is in Kota Serang
    services.add_zone(world.serang.estate, zone_fields, scope=serang)
    services.add_claim(claim_fields, scope=serang, investor=world.investor)


def _fields(estate: Estate, **kw) -> EstateFields:
    values = {"investor_id": estate.investor_id, "name": estate.name, "region_id": estate.region_id}
    return EstateFields(**(values | {"area_ha": estate.area_ha} | kw))


def test_a_region_officer_records_estates_only_in_its_own_region(world: World):
    serang = scope_for(Role.OFFICER, bps_code=SERANG)
    other = EstateFields(investor_id=world.investor.id, name="Kawasan Baru", region_id=region(TANGERANG).id, area_ha=1)
    with pytest.raises(services.RegionOutOfScope) as caught:
        services.create_estate(other, scope=serang)
    assert caught.value.field == "region_id"
    with pytest.raises(services.RegionOutOfScope):  # nor move its own estate out of its region
        services.update_estate(
            world.serang.estate, _fields(world.serang.estate, region_id=other.region_id), scope=serang
        )
    assert services.create_estate(_fields(world.serang.estate, name="Kawasan Baru", area_ha=1), scope=serang).id


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.INVESTOR])
def test_write_services_refuse_read_only_scopes(world: World, role: Role):
    scope = scope_for(role, investor=world.investor if role is Role.INVESTOR else None)
    s = world.serang
    zone_fields = ZoneFields(kind=ZoneKind.HOUSING, area_ha=Decimal(1))
    calls = [
        lambda: services.create_estate(_fields(s.estate, name="Kawasan Lain"), scope=scope),
        lambda: services.update_estate(s.estate, _fields(s.estate), scope=scope),
        lambda: services.add_zone(s.estate, zone_fields, scope=scope),
        lambda: services.update_zone(s.zone, zone_fields, scope=scope),
        lambda: services.delete_zone(s.zone, scope=scope),
    ]
    for call in calls:
        with pytest.raises(services.ReadOnlyScope):
            call()


# --- a Kota Serang officer and a Kab. Tangerang estate -----------------------------------------------------


def test_region_officer_gets_404_for_every_record_of_another_region(serang_officer: FlaskClient, world: World):
    before = snapshot()
    assert serang_officer.get(f"/estates/{world.tangerang.estate.id}").status_code == 404
    for url, data in write_requests(world, world.tangerang):
        assert serang_officer.get(url).status_code == 404, url
        assert serang_officer.post(url, data=data).status_code == 404, url
    assert snapshot() == before


def test_region_officer_sees_and_changes_its_own_region(serang_officer: FlaskClient, world: World):
    assert serang_officer.get(f"/estates/{world.serang.estate.id}").status_code == 200
    for url, _data in write_requests(world, world.serang):
        assert serang_officer.get(url).status_code == 200, url
    response = serang_officer.post(f"/zones/{world.serang.zone.id}/edit", data=ZONE_FORM)
    assert response.status_code == 302
    assert db.session.get(Zone, world.serang.zone.id).name == "Zona baru"


def test_investor_page_lists_only_the_estates_and_claims_of_the_region(
    serang_officer: FlaskClient, client: FlaskClient, world: World
):
    html = serang_officer.get(f"/investors/{world.investor.id}").get_data(as_text=True)
    assert "Kawasan Serang Satu" in html and "Klaim Kawasan Serang Satu" in html
    assert "Kawasan Tangerang Satu" not in html and "Klaim Kawasan Tangerang Satu" not in html
    assert "Klaim perusahaan" in html  # a claim about the company itself is not tied to a region
    province = client.get(f"/investors/{world.investor.id}").get_data(as_text=True)
    assert "Kawasan Tangerang Satu" in province and "Klaim Kawasan Tangerang Satu" in province

    html = serang_officer.get(f"/investors/{world.only_tangerang.id}").get_data(as_text=True)
    assert "Kawasan Tangerang Dua" not in html
    assert "no estate recorded in your kabupaten/kota" in html


def test_lists_and_totals_hold_only_the_region(serang_officer: FlaskClient, client: FlaskClient, world: World):
    html = serang_officer.get("/estates").get_data(as_text=True)
    assert "Kawasan Serang Satu" in html
    assert "Tangerang" not in re.search(r'<table[^>]*id="estates".*?</table>', html, re.S).group(0)
    tangerang_id = region(TANGERANG).id
    asked = serang_officer.get(f"/estates?region={tangerang_id}").get_data(as_text=True)
    assert "Kawasan Tangerang" not in asked  # a region in the query string does not widen the scope
    filter_box = re.search(r'<select[^>]*id="filter-region".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", filter_box) == ["Kota Serang"]

    serang = scope_for(Role.OFFICER, bps_code=SERANG)
    assert lists.estate_totals(scope=serang) == lists.EstateTotals(1, Decimal(100), Decimal(10**12))
    assert lists.estate_totals(scope=SYSTEM_SCOPE).count == 3
    ids = [world.investor.id, world.only_tangerang.id]
    assert lists.investor_stats(ids, serang) == {
        world.investor.id: lists.InvestorStats(1, Decimal(10**12)),
        world.only_tangerang.id: lists.InvestorStats(0, None),
    }
    assert lists.investor_stats(ids, SYSTEM_SCOPE)[world.investor.id].estates == 2

    # the region officer's list holds the companies with an estate there, or with none recorded yet (issue 12,
    # item 10); the others stay reachable by their page
    make_investor(legal_name="PT Belum Berkawasan")
    db.session.commit()
    investors = serang_officer.get("/investors").get_data(as_text=True)
    assert "PT Dua Wilayah" in investors and "PT Belum Berkawasan" in investors
    assert "PT Hanya Tangerang" not in investors
    assert serang_officer.get(f"/investors/{world.only_tangerang.id}").status_code == 200
    assert "PT Hanya Tangerang" in client.get("/investors").get_data(as_text=True)


def _region_options(html: str) -> list[str]:
    box = re.search(r'<select[^>]*name="region_id".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="(\d+)"', box)


def test_new_estate_offers_and_accepts_only_the_officers_region(serang_officer: FlaskClient, world: World):
    serang_id, tangerang_id = str(region(SERANG).id), str(region(TANGERANG).id)
    html = serang_officer.get("/estates/new").get_data(as_text=True)
    assert _region_options(html) == [serang_id]
    assert re.search(
        rf'<option[^>]*selected[^>]*value="{serang_id}"|<option[^>]*value="{serang_id}"[^>]*selected', html
    )

    before = snapshot()
    forged = estate_form(world, world.serang, name="Kawasan Palsu", region_id=tangerang_id)
    response = serang_officer.post("/estates/new", data=forged)
    assert response.status_code == 200
    assert "You record estates in your own kabupaten/kota only" in response.get_data(as_text=True)
    assert snapshot() == before

    edit = estate_form(world, world.serang, name=world.serang.estate.name, region_id=tangerang_id)
    response = serang_officer.post(f"/estates/{world.serang.estate.id}/edit", data=edit)
    assert response.status_code == 200 and snapshot() == before

    response = serang_officer.post("/estates/new", data=forged | {"region_id": serang_id})
    assert response.status_code == 302
    assert db.session.scalars(select(Estate).where(Estate.name == "Kawasan Palsu")).one().region_id == int(serang_id)


def test_a_province_officer_is_offered_every_region(client: FlaskClient, world: World):
    assert len(_region_options(client.get("/estates/new").get_data(as_text=True))) == 8


# --- the governor's office: reads everything, changes nothing -----------------------------------------------

WRITE_LINK = re.compile(r'href="[^"]*/(?:edit|new|delete)(?:[?#"])')


def test_governor_reads_every_page_without_an_edit_control(login_as: Callable[..., FlaskClient], world: World):
    governor = login_as("governor")
    for url in read_pages(world):
        response = governor.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        main = html[html.index("<main") :]
        assert not WRITE_LINK.findall(main), (url, WRITE_LINK.findall(main))
        assert 'method="post"' not in main, url
    # the same pages do show the controls to an officer (so the check above can fail)
    officer = login_as("officer")
    assert WRITE_LINK.search(officer.get(f"/estates/{world.serang.estate.id}").get_data(as_text=True))


def test_governor_gets_403_on_every_write_url(login_as: Callable[..., FlaskClient], world: World):
    governor = login_as("governor")
    before = snapshot()
    for url, data in all_write_requests(world):
        assert governor.get(url).status_code == 403, url
        assert governor.post(url, data=data).status_code == 403, url
    assert snapshot() == before


# --- investor users and anonymous visitors -----------------------------------------------------------------


def test_investor_users_get_403_on_every_estates_page(login_as: Callable[..., FlaskClient], world: World):
    investor = login_as("investor", investor=world.investor)  # even for the pages about its own company
    before = snapshot()
    for url in read_pages(world):
        assert investor.get(url).status_code == 403, url
    for url, data in all_write_requests(world):
        assert investor.get(url).status_code == 403, url
        assert investor.post(url, data=data).status_code == 403, url
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(anon_client: FlaskClient, world: World):
    for url in read_pages(world):
        response = anon_client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url
    for url, data in all_write_requests(world):
        response = anon_client.post(url, data=data)
        assert response.status_code == 302 and response.location.startswith("/login"), url


# --- the services' own checks, should a view ever skip the scoped read ---------------------------------------


def test_a_service_refusal_reaches_the_visitor_as_404_or_403(
    serang_officer: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
):
    before = snapshot()
    monkeypatch.setattr(queries, "get_zone", lambda zone_id, scope: world.tangerang.zone)  # a read gone wrong
    assert serang_officer.post(f"/zones/{world.tangerang.zone.id}/delete", data={}).status_code == 404
    monkeypatch.setattr(views, "current_scope", lambda: Scope(role=Role.GOVERNOR))  # a role check gone wrong
    assert serang_officer.post(f"/zones/{world.serang.zone.id}/delete", data={}).status_code == 403
    assert snapshot() == before
