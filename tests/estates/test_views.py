"""The estates pages through the test client: rendering, create/edit flows, 404s, lists and filters.

Views share the test's session and roll it back on errors, so set-up is committed before each request.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Setting
from devtools.factories import make_claim, make_estate, make_investor, make_zone, region
from estates import views
from estates.models import Claim, ClaimMetric, Estate, EstateStatus, Investor, Zone, ZoneKind


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _rows(html: str, table_id: str) -> list[str]:
    """The ``<tr>`` of the ``<tbody>`` of ``<table id=table_id>``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table #{table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S)
    return re.findall(r"<tr[ >].*?</tr>", body.group(1), re.S) if body else []


@pytest.fixture
def estate() -> Estate:
    investor = make_investor(legal_name="PT Contoh Dinasti", capital_status="pma", country_of_origin="CN", is_demo=True)
    estate = make_estate(
        investor=investor,
        name="Kawasan Contoh",
        area_ha=Decimal(150),
        planned_investment_rp=Decimal(650_000_000_000),
        status=EstateStatus.STOPPED,
        stop_order_on=date(2025, 9, 16),
        stop_order_reason="AMDAL under review",
        kecamatan="Kasemen",
        latitude=Decimal("-6.0123"),
        longitude=Decimal("106.1534"),
    )
    for kind, area in [
        (ZoneKind.INDUSTRIAL, 90),
        (ZoneKind.HOUSING, 25),
        (ZoneKind.COMMERCIAL, 10),
        (ZoneKind.LEISURE, 8),
    ]:
        make_zone(estate=estate, kind=kind, area_ha=Decimal(area))
    make_claim(estate=estate, value=Decimal(50000), value_high=Decimal(100000), claimant="The company")
    make_claim(estate=estate, value=Decimal(15000), claimant="An analyst", source="Kompas")
    make_claim(estate=estate, metric=ClaimMetric.AREA, value=Decimal(4000), unit="ha", source="Rumour")
    make_claim(investor=investor, metric=ClaimMetric.INVESTMENT, value=Decimal(600_000_000_000), unit="Rp")
    db.session.commit()
    return estate


@pytest.fixture(params=["id", "en"])
def lang_client(request: pytest.FixtureRequest, client: FlaskClient) -> tuple[FlaskClient, str]:
    client.get(f"/language/{request.param}")
    return client, request.param


# --- rendering -------------------------------------------------------------------------------------------


def test_every_page_renders_in_both_languages(lang_client: tuple[FlaskClient, str], estate: Estate):
    client, lang = lang_client
    zone, claim = estate.zones[0], estate.claims[0]
    paths = [
        "/investors",
        f"/investors/{estate.investor_id}",
        "/investors/new",
        f"/investors/{estate.investor_id}/edit",
        f"/investors/{estate.investor_id}/claims/new",
        "/estates",
        f"/estates/{estate.id}",
        "/estates/new",
        f"/estates/{estate.id}/edit",
        f"/estates/{estate.id}/zones/new",
        f"/estates/{estate.id}/claims/new",
        f"/zones/{zone.id}/edit",
        f"/zones/{zone.id}/delete",
        f"/claims/{claim.id}/edit",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.text, path
        assert "PT Contoh Dinasti" in response.text or "Kawasan Contoh" in response.text or path.endswith("new"), path


def test_estate_page_shows_facts_zones_claims_and_stop_order(client: FlaskClient, estate: Estate):
    client.get("/language/id")  # the default for users; the test app defaults to English
    html = client.get(f"/estates/{estate.id}").text
    assert len(_rows(html, "zones")) == 4
    assert 'id="stop-order"' in html
    assert "16 Sep 2025" in html  # the one date format
    assert "AMDAL under review" in html
    assert "Rp650.000.000.000" in html
    assert "Rp650 miliar" in html
    assert "Kota Serang" in html and "Kasemen" in html
    assert "68130" in html and "-6.01230" in html
    jobs = re.search(r'id="claims-jobs".*?</ul>', html, re.S).group(0)
    assert "50.000 \u2013 100.000" in jobs and "15.000" in jobs  # disagreeing claims side by side
    assert "The company" in jobs and "An analyst" in jobs and "Kompas" in jobs
    assert "demo-badge" in html  # the demo badge of the investor


def test_estate_page_in_english_formats_for_english(client: FlaskClient, estate: Estate):
    client.get("/language/en")
    html = client.get(f"/estates/{estate.id}").text
    assert "Rp650,000,000,000" in html and "Rp650 billion" in html
    assert "16 Sep 2025" in html  # the one date format, in English too


def test_zone_table_exists_with_no_zones(client: FlaskClient):
    estate = make_estate()
    db.session.commit()
    html = client.get(f"/estates/{estate.id}").text
    assert _rows(html, "zones") == []
    assert "stop-order" not in html


@pytest.mark.parametrize(("area", "warned"), [("49.9999", True), ("50", False)])
def test_area_below_the_setting_is_flagged(client: FlaskClient, area: str, warned: bool):
    estate = make_estate(area_ha=Decimal(area))
    db.session.commit()
    assert ('id="min-area-warning"' in client.get(f"/estates/{estate.id}").text) is warned


def test_minimum_area_is_read_from_the_setting_not_hard_coded(client: FlaskClient):
    estate = make_estate(area_ha=Decimal(40))
    db.session.get(Setting, "estate.min_area_ha").value = "30"
    db.session.commit()
    assert 'id="min-area-warning"' not in client.get(f"/estates/{estate.id}").text
    db.session.get(Setting, "estate.min_area_ha").value = "45"
    db.session.commit()
    html = client.get(f"/estates/{estate.id}").text
    assert 'id="min-area-warning"' in html and "45 ha" in html


def test_investor_page_shows_facts_estates_and_claims(client: FlaskClient, estate: Estate):
    client.get("/language/id")  # the default for users; the test app defaults to English
    make_investor(legal_name="PT Lain")
    estate.investor.npwp = "012345678901000"
    db.session.commit()
    html = client.get(f"/investors/{estate.investor_id}").text
    assert "01.234.567.8-901.000" in html
    assert "Tiongkok" in html
    assert "Kawasan Contoh" in html
    assert "Rp600 miliar" in html  # a claim about the investor itself
    assert "4.000 ha" in html  # a claim about its estate
    assert "PT Lain" not in html


def test_registered_panels_render_in_order_once(client: FlaskClient, estate: Estate, monkeypatch):
    monkeypatch.setattr(views, "_estate_panels", [])

    def first(e: Estate) -> str:
        return f'<section id="panel-one">{e.name}</section>'

    def second(e: Estate) -> str:
        return '<section id="panel-two"></section>'

    views.register_estate_panel(first)
    views.register_estate_panel(second)
    views.register_estate_panel(first)
    html = client.get(f"/estates/{estate.id}").text
    assert html.count('id="panel-one"') == 1
    assert html.index('id="panel-one">Kawasan Contoh') < html.index('id="panel-two"')


# --- 404s and bad parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/investors/999999",
        "/investors/999999/edit",
        "/investors/999999/claims/new",
        "/investors/abc",
        "/investors/-1",
        "/investors/99999999999999999999999",
        "/estates/999999",
        "/estates/0",
        "/estates/999999/edit",
        "/estates/999999/zones/new",
        "/estates/999999/claims/new",
        "/estates/2147483648",
        "/zones/999999/edit",
        "/zones/999999/delete",
        "/claims/999999/edit",
        "/claims/1e3/edit",
    ],
)
def test_unknown_or_malformed_ids_are_404(client: FlaskClient, path: str):
    assert client.get(path).status_code == 404
    assert client.post(path, data={}).status_code in (404, 405)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999999999999999999999",
        "page=100000",
        "region=abc",
        "region=99999999999",
        "status=nonsense",
        "sort=;drop",
        "capital_status=x",
        "q=%25%25%5C_",
        "q=" + "x" * 5000,
        "per_page=100000",
    ],
)
def test_bad_query_parameters_never_fail(client: FlaskClient, estate: Estate, query: str):
    assert client.get(f"/investors?{query}").status_code == 200
    assert client.get(f"/estates?{query}").status_code == 200


# --- lists -----------------------------------------------------------------------------------------------


def test_investor_list_paginates_filters_and_counts_estates(app: Flask, client: FlaskClient):
    client.get("/language/id")  # the default for users; the test app defaults to English
    size = app.config["PAGE_SIZE"]
    for n in range(size + 1):
        make_investor(legal_name=f"PT Domestik {n:02d}")
    foreign = make_investor(legal_name="PT Asing", capital_status="pma", country_of_origin="JP", nib="9120001234567")
    make_estate(investor=foreign)
    make_estate(investor=foreign)
    db.session.commit()
    assert len(_rows(client.get("/investors").text, "investors")) == size
    assert len(_rows(client.get("/investors?page=2").text, "investors")) == 2
    assert _rows(client.get("/investors?page=9").text, "investors") == []
    rows = _rows(client.get("/investors?capital_status=pma").text, "investors")
    assert len(rows) == 1 and "PT Asing" in rows[0] and "Japan" not in rows[0] and "Jepang" in rows[0]
    assert re.search(r'class="num">2<', rows[0])  # its two estates
    assert "PT Asing" in _rows(client.get("/investors?q=001234").text, "investors")[0]


def test_investor_list_needs_the_same_queries_for_3_or_30_investors(client: FlaskClient):
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def queries_for(n: int) -> int:
        for i in range(n):
            make_estate(investor=make_investor(legal_name=f"PT N{n}-{i}"))
        db.session.commit()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/investors").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    assert queries_for(3) == queries_for(27)


def test_estate_list_filters_sorts_and_paginates(app: Flask, client: FlaskClient):
    make_estate(name="Kawasan Serang", region=region("36.73"), planned_investment_rp=Decimal(5), area_ha=Decimal(10))
    make_estate(name="Kawasan Cilegon", region=region("36.72"), planned_investment_rp=Decimal(9), area_ha=Decimal(5))
    make_estate(
        name="Kawasan Berhenti",
        region=region("36.72"),
        status=EstateStatus.STOPPED,
        stop_order_on=date(2025, 9, 16),
        planned_investment_rp=None,
        area_ha=Decimal(20),
    )
    db.session.commit()

    def names(query: str) -> list[str]:
        rows = _rows(client.get(f"/estates?{query}").text, "estates")
        return [re.search(r'<a class="fw-medium"[^>]*>([^<]+)</a>', row).group(1) for row in rows]

    cilegon = region("36.72").id
    assert names(f"region={cilegon}") == ["Kawasan Berhenti", "Kawasan Cilegon"]
    assert names("status=stopped") == ["Kawasan Berhenti"]
    assert names(f"region={cilegon}&status=planned") == ["Kawasan Cilegon"]
    assert names("sort=-investment") == ["Kawasan Cilegon", "Kawasan Serang", "Kawasan Berhenti"]
    assert names("sort=-area") == ["Kawasan Berhenti", "Kawasan Serang", "Kawasan Cilegon"]
    assert names("q=cilegon") == ["Kawasan Cilegon"]
    assert names("q=PT+Uji") == ["Kawasan Berhenti", "Kawasan Cilegon", "Kawasan Serang"]  # by investor name
    assert names("region=999") == []


def test_estate_list_pages(app: Flask, client: FlaskClient):
    size = app.config["PAGE_SIZE"]
    for n in range(size + 3):
        make_estate(name=f"Kawasan {n:02d}")
    db.session.commit()
    assert len(_rows(client.get("/estates").text, "estates")) == size
    second = client.get("/estates?page=2").text
    assert len(_rows(second, "estates")) == 3
    assert f"{size + 1}\u2013{size + 3}" in second


def test_estate_list_rows_show_every_cell_escaped(client: FlaskClient):
    """The rows written by ``estates.rows`` (issue 13): links, the demo badge, the kab/kota and kecamatan, the
    figures and the status badge, with every text escaped."""
    investor = make_investor(legal_name="PT <b>Tebal</b> & Co", is_demo=True)
    estate = make_estate(
        investor=investor,
        name="Kawasan <script>alert(1)</script>",
        region=region("36.72"),
        kecamatan="Ciwandan & Citangkil",
        area_ha=Decimal("12.5"),
        planned_investment_rp=Decimal(650_000_000_000),
        status=EstateStatus.OPERATING,
    )
    plain = make_estate(name="Kawasan Biasa", planned_investment_rp=None, status=EstateStatus.PLANNED)
    db.session.commit()
    rows = _rows(client.get("/estates").text, "estates")
    first, second = rows if "script" in rows[0] else rows[::-1]
    assert (
        f'<a class="fw-medium" href="/estates/{estate.id}">Kawasan &lt;script&gt;alert(1)&lt;/script&gt;</a>' in first
    )
    assert f'<a href="/investors/{investor.id}">PT &lt;b&gt;Tebal&lt;/b&gt; &amp; Co</a> <span class="badge' in first
    assert "demo-badge" in first and "demo-badge" not in second
    assert '<div class="small text-body-secondary">Ciwandan &amp; Citangkil</div>' in first
    assert '<td class="num">12.5 ha</td>' in first  # the tests' language is English
    assert '<span title="Rp650,000,000,000">Rp650 billion</span>' in first
    assert "estate-status-operating" in first and "estate-status-planned" in second
    assert '<span class="text-body-secondary">—</span>' in second  # no planned investment
    assert f'href="/estates/{plain.id}"' in second and "<script>" not in first


# --- investor flows --------------------------------------------------------------------------------------

NEW_INVESTOR = {
    "legal_name": "PT Baru Jaya",
    "legal_form": "pt",
    "capital_status": "pma",
    "country_of_origin": "CN",
    "nib": "9120001234567",
    "npwp": "01.234.567.8-901.000",
    "main_kbli": "68130",
    "contact_person": "Budi",
    "phone": "0254 123456",
    "email": "budi@contoh.co.id",
    "notes": "  From the OSS extract  ",
}


def test_create_investor_writes_exactly_what_was_posted(client: FlaskClient):
    response = client.post("/investors/new", data=NEW_INVESTOR)
    investor = db.session.scalars(select(Investor)).one()
    assert response.status_code == 302
    assert response.location.endswith(f"/investors/{investor.id}")
    assert (investor.legal_name, investor.legal_form.value, investor.capital_status.value) == (
        "PT Baru Jaya",
        "pt",
        "pma",
    )
    assert (investor.country_of_origin, investor.nib, investor.npwp) == ("CN", "9120001234567", "012345678901000")
    assert (investor.main_kbli, investor.contact_person, investor.phone) == ("68130", "Budi", "0254 123456")
    assert (investor.email, investor.notes, investor.is_demo) == ("budi@contoh.co.id", "From the OSS extract", False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nib": "912000123456"}, "13"),
        ({"npwp": "0123"}, "15 or 16"),
        ({"country_of_origin": "ID"}, "PMA"),
        ({"legal_name": ""}, "required"),
        ({"email": "budi@"}, "email"),
    ],
)
def test_invalid_investor_is_not_saved(client: FlaskClient, change: dict, message: str):
    response = client.post("/investors/new", data=NEW_INVESTOR | change)
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert message in response.text
    assert _count(Investor) == 0


def test_edit_investor(client: FlaskClient):
    investor = make_investor(legal_name="PT Lama", nib="9120001234567")
    make_investor(legal_name="PT Lain", nib="9120009999999")
    db.session.commit()
    taken = client.post(f"/investors/{investor.id}/edit", data=NEW_INVESTOR | {"nib": "9120009999999"})
    assert taken.status_code == 200 and "already has this NIB" in taken.text
    db.session.expire_all()
    assert db.session.get(Investor, investor.id).legal_name == "PT Lama"
    response = client.post(f"/investors/{investor.id}/edit", data=NEW_INVESTOR | {"nib": ""})
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Investor, investor.id)
    assert (edited.legal_name, edited.nib, edited.npwp) == ("PT Baru Jaya", None, "012345678901000")
    assert _count(Investor) == 2


# --- estate flows ----------------------------------------------------------------------------------------


@pytest.fixture
def new_estate() -> dict:
    investor = make_investor()
    db.session.commit()
    return {
        "investor_id": str(investor.id),
        "name": "Kawasan Baru",
        "region_id": str(region("36.73").id),
        "kecamatan": "Kasemen",
        "kelurahan": "Sawah Luhur",
        "area_ha": "150,5",
        "planned_investment_rp": "Rp650.000.000.000",
        "kbli": "68130",
        "status": "stopped",
        "stop_order_on": "2025-09-16",
        "stop_order_reason": "AMDAL pending",
        "latitude": "-6.0123",
        "longitude": "106.1534",
        "notes": "",
    }


def test_create_estate_writes_exactly_what_was_posted(client: FlaskClient, new_estate: dict):
    response = client.post("/estates/new", data=new_estate)
    estate = db.session.scalars(select(Estate)).one()
    assert response.status_code == 302 and response.location.endswith(f"/estates/{estate.id}")
    assert (estate.name, estate.region.bps_code, estate.kecamatan, estate.kelurahan) == (
        "Kawasan Baru",
        "36.73",
        "Kasemen",
        "Sawah Luhur",
    )
    assert estate.area_ha == Decimal("150.5")
    assert estate.planned_investment_rp == Decimal(650_000_000_000)
    assert isinstance(estate.planned_investment_rp, Decimal)
    assert (estate.status, estate.stop_order_on, estate.stop_order_reason) == (
        EstateStatus.STOPPED,
        date(2025, 9, 16),
        "AMDAL pending",
    )
    assert (estate.latitude, estate.longitude, estate.notes) == (Decimal("-6.0123"), Decimal("106.1534"), None)


@pytest.mark.parametrize(
    "change",
    [
        {"area_ha": "0"},
        {"area_ha": "10000,0001"},
        {"planned_investment_rp": "1000000000000001"},
        {"planned_investment_rp": "-5"},
        {"region_id": "999"},
        {"region_id": "x"},
        {"investor_id": "999999"},
        {"stop_order_on": ""},
        {"stop_order_reason": ""},
        {"longitude": ""},
        {"latitude": "-8"},
        {"kbli": "123"},
        {"stop_order_on": "2999-01-01"},
    ],
)
def test_invalid_estate_is_not_saved(client: FlaskClient, new_estate: dict, change: dict):
    response = client.post("/estates/new", data=new_estate | change)
    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    assert _count(Estate) == 0


def test_new_estate_from_an_investor_page_preselects_the_investor(client: FlaskClient, new_estate: dict):
    html = client.get(f"/estates/new?investor={new_estate['investor_id']}").text
    assert re.search(rf'<option selected value="{new_estate["investor_id"]}"', html) or re.search(
        rf'<option value="{new_estate["investor_id"]}" selected', html
    )
    assert client.get("/estates/new?investor=abc").status_code == 200


def test_edit_estate_cannot_shrink_below_zones(client: FlaskClient, estate: Estate):
    form = {
        "investor_id": str(estate.investor_id),
        "name": estate.name,
        "region_id": str(estate.region_id),
        "area_ha": "132,9999",
        "kbli": "68130",
        "status": "permitting",
    }
    refused = client.post(f"/estates/{estate.id}/edit", data=form)
    assert refused.status_code == 200 and "133 ha" in refused.text
    db.session.expire_all()
    assert db.session.get(Estate, estate.id).area_ha == Decimal(150)
    assert client.post(f"/estates/{estate.id}/edit", data=form | {"area_ha": "133"}).status_code == 302
    db.session.expire_all()
    edited = db.session.get(Estate, estate.id)
    assert (edited.area_ha, edited.status, edited.latitude) == (Decimal(133), EstateStatus.PERMITTING, None)
    assert edited.stop_order_on == date(2025, 9, 16)  # the earlier stop order stays on record


# --- zone flows ------------------------------------------------------------------------------------------


def test_add_zone_up_to_the_area_left(client: FlaskClient, estate: Estate):
    over = client.post(f"/estates/{estate.id}/zones/new", data={"kind": "industrial", "area_ha": "17,0001"})
    assert over.status_code == 200
    assert "only 17 ha" in over.text
    assert _count(Zone) == 4
    response = client.post(
        f"/estates/{estate.id}/zones/new",
        data={"kind": "utilities_green", "name": "Green belt", "area_ha": "17", "planned_direct_jobs": "1.200"},
    )
    assert response.status_code == 302 and response.location.endswith(f"/estates/{estate.id}#zones")
    zone = db.session.scalars(select(Zone).where(Zone.name == "Green belt")).one()
    assert (zone.kind, zone.area_ha, zone.planned_direct_jobs, zone.housing_units) == (
        ZoneKind.UTILITIES_GREEN,
        Decimal(17),
        1200,
        None,
    )
    assert len(_rows(client.get(f"/estates/{estate.id}").text, "zones")) == 5


def test_edit_zone(client: FlaskClient, estate: Estate):
    zone = next(z for z in estate.zones if z.kind is ZoneKind.HOUSING)
    refused = client.post(
        f"/zones/{zone.id}/edit", data={"kind": "commercial", "area_ha": "25", "housing_units": "300"}
    )
    assert refused.status_code == 200 and "housing zone" in refused.text
    data = {"kind": "housing", "area_ha": "42", "housing_units": "1.500"}
    assert client.post(f"/zones/{zone.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    edited = db.session.get(Zone, zone.id)
    assert (edited.area_ha, edited.housing_units) == (Decimal(42), 1500)
    assert client.post(f"/zones/{zone.id}/edit", data=data | {"area_ha": "42,0001"}).status_code == 200


def test_zone_delete_needs_a_post(client: FlaskClient, estate: Estate):
    zone = estate.zones[0]
    page = client.get(f"/zones/{zone.id}/delete")
    assert page.status_code == 200 and '<form method="post"' in page.text
    assert _count(Zone) == 4
    response = client.post(f"/zones/{zone.id}/delete")
    assert response.status_code == 302 and response.location.endswith("#zones")
    assert _count(Zone) == 3


def test_zone_delete_refuses_a_post_without_csrf_token(app: Flask, client: FlaskClient, estate: Estate):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/zones/{estate.zones[0].id}/delete")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (200, 400)
    assert _count(Zone) == 4


# --- claim flows -----------------------------------------------------------------------------------------

NEW_CLAIM = {
    "metric": "jobs",
    "value": "50.000",
    "value_high": "100.000",
    "unit": "",
    "claimant": "PT Contoh Dinasti",
    "source": "Press conference",
    "source_url": "https://example.org/news",
    "claimed_on": "2025-08-21",
    "recorded_by": "Ani",
    "notes": "",
}


def test_add_claim_to_an_estate(client: FlaskClient, estate: Estate):
    before = _count(Claim)
    response = client.post(f"/estates/{estate.id}/claims/new", data=NEW_CLAIM)
    assert response.status_code == 302 and response.location.endswith(f"/estates/{estate.id}#claims")
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert _count(Claim) == before + 1
    assert (claim.estate_id, claim.investor_id, claim.metric) == (estate.id, None, ClaimMetric.JOBS)
    assert (claim.value, claim.value_high, claim.unit) == (Decimal(50000), Decimal(100000), "jobs")
    assert (claim.claimant, claim.source, claim.source_url) == (
        "PT Contoh Dinasti",
        "Press conference",
        NEW_CLAIM["source_url"],
    )
    assert (claim.claimed_on, claim.recorded_by, claim.notes) == (date(2025, 8, 21), "Test officer", None)


def test_add_claim_to_an_investor(client: FlaskClient, estate: Estate):
    data = NEW_CLAIM | {"metric": "investment_rp", "value": "Rp1,2 triliun", "value_high": ""}
    response = client.post(f"/investors/{estate.investor_id}/claims/new", data=data)
    assert response.location.endswith(f"/investors/{estate.investor_id}#claims")
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert (claim.investor_id, claim.estate_id, claim.value, claim.unit) == (
        estate.investor_id,
        None,
        Decimal(1_200_000_000_000),
        "Rp",
    )


@pytest.mark.parametrize(
    "change",
    [{"value_high": "49.999"}, {"source_url": "javascript:alert(1)"}, {"claimed_on": "2999-01-01"}, {"source": ""}],
)
def test_invalid_claim_is_not_saved(client: FlaskClient, estate: Estate, change: dict):
    before = _count(Claim)
    response = client.post(f"/estates/{estate.id}/claims/new", data=NEW_CLAIM | change)
    assert response.status_code == 200 and "Nothing was saved" in response.text
    assert _count(Claim) == before


def test_edit_claim(client: FlaskClient, estate: Estate):
    claim = estate.claims[0]
    response = client.post(f"/claims/{claim.id}/edit", data=NEW_CLAIM | {"value": "60.000", "value_high": ""})
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Claim, claim.id)
    assert (edited.value, edited.value_high, edited.estate_id) == (Decimal(60000), None, estate.id)


# --- edit forms round-trip: what a form shows, posted back unchanged, saves the same values ---------------


def _form_values(html: str) -> dict[str, str]:
    """The values a browser would post for the page's form (inputs, selected options, textareas)."""
    main = html[html.index("<main") :]  # the sign-out form of the navigation bar comes first
    form = re.search(r"<form method=\"post\".*?</form>", main, re.S).group(0)
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            values[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*(?:selected[^>]*value="([^"]*)"|value="([^"]*)"[^>]*selected)', body)
        values[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = body.strip()
    return {key: value.replace("&#39;", "'").replace("&amp;", "&") for key, value in values.items()}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_edit_forms_round_trip_unchanged(client: FlaskClient, estate: Estate, lang: str):
    estate.area_ha = Decimal(1500)  # grouped as "1.500" it would read back as ambiguous
    estate.zones[1].area_ha = Decimal("12.5")
    db.session.commit()
    client.get(f"/language/{lang}")
    pages = [
        f"/investors/{estate.investor_id}/edit",
        f"/estates/{estate.id}/edit",
        f"/zones/{estate.zones[1].id}/edit",
        f"/claims/{estate.claims[0].id}/edit",
    ]

    def snapshot() -> list:
        db.session.expire_all()
        rows = [db.session.get(Investor, estate.investor_id), db.session.get(Estate, estate.id)]
        rows += [db.session.get(Zone, estate.zones[1].id), db.session.get(Claim, estate.claims[0].id)]
        skip = {"updated_at", "created_at", "recorded_at"}
        return [{c.key: getattr(r, c.key) for c in r.__table__.columns if c.key not in skip} for r in rows]

    before = snapshot()
    for page in pages:
        values = _form_values(client.get(page).text)
        response = client.post(page, data=values)
        assert response.status_code == 302, (page, values, re.findall(r"invalid-feedback[^>]*>([^<]*)", response.text))
    assert snapshot() == before
