"""Issue 12, "Lists": every list's column headers sort it (both ways, ``aria-sort``, kept by the pages and the CSV
link, unknown keys ignored); every list exports its rows as CSV with the page's scope, filters and order (audited);
reference numbers are shown whole; the agency figures and the map are in the office's navigation. The same tests
run on SQLite and PostgreSQL (``make test`` runs the suite on both)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.listing import Sort, cell, read_sort, sort_rows
from app.models import AuditEvent, AuditLog, JobRun
from devtools.factories import make_estate, make_investor, make_permit, region
from permits.models import PermitStatus as S
from permits.stalls.scan import scan_stalled
from permits.workflow import WIB, advance_permit
from tests.listing import csv_table as _table

SERANG, TANGERANG = "36.73", "36.03"
TODAY = date(2026, 4, 15)


def _ids(html: str, table_id: str, pattern: str) -> list[str]:
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    return list(dict.fromkeys(re.findall(pattern, body)))


def _estates() -> dict[str, object]:
    """Three estates: two in Kota Serang, one in Kabupaten Tangerang, of three investors."""
    alfa = make_estate(
        name="Kawasan Alfa",
        investor=make_investor(legal_name="PT Zulu Serang", nib="9120000000001"),
        region=region(SERANG),
        area_ha=Decimal("300"),
        planned_investment_rp=None,
        latitude=Decimal("-6.05"),
        longitude=Decimal("106.15"),
    )
    beta = make_estate(
        name="Kawasan Beta",
        investor=make_investor(legal_name="PT Alfa Serang", nib="9120000000002"),
        region=region(SERANG),
        area_ha=Decimal("120"),
        planned_investment_rp=Decimal(5 * 10**12),
    )
    gamma = make_estate(
        name="Kawasan Gamma",
        investor=make_investor(legal_name="PT Mike Tangerang", nib="9120000000003"),
        region=region(TANGERANG),
        area_ha=Decimal("200"),
        planned_investment_rp=Decimal(10**12),
        latitude=Decimal("-6.2"),
        longitude=Decimal("106.5"),
    )
    db.session.commit()
    return {"alfa": alfa, "beta": beta, "gamma": gamma}


# --- the shared pieces -------------------------------------------------------------------------------------


def test_read_sort_takes_whitelisted_keys_only(app):
    with app.test_request_context("/?sort=-area"):
        assert read_sort(("area", "name")) == Sort("area", True)
    for raw in ("", "-", "nonsense", "area;drop", "--area", "-" * 500, "name\x00"):
        assert read_sort(("area", "name"), {"sort": raw}) == Sort(), raw
    assert Sort("area", True).param == "-area" and Sort("area").param == "area" and Sort().param == ""


def test_rows_in_memory_sort_both_ways_with_empty_values_last():
    rows = [{"v": 2}, {"v": None}, {"v": 1}, {"v": 3}]
    keys = {"v": lambda row: row["v"]}
    assert [r["v"] for r in sort_rows(rows, Sort("v"), keys)] == [1, 2, 3, None]
    assert [r["v"] for r in sort_rows(rows, Sort("v", True), keys)] == [3, 2, 1, None]
    assert sort_rows(rows, Sort(), keys) == rows


def test_a_cell_that_a_spreadsheet_would_run_is_quoted():
    assert [cell(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "PT Biasa", None, 7, Decimal("-6.5"))] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "PT Biasa",
        "",
        "7",
        "-6.5",
    ]


# --- sortable columns --------------------------------------------------------------------------------------


def test_estate_headers_sort_both_ways_and_keep_the_filters(client):
    e = _estates()
    names = {str(v.id): k for k, v in e.items()}

    def order(query: str) -> list[str]:
        html = client.get(f"/estates?{query}").get_data(as_text=True)
        return [names[i] for i in _ids(html, "estates", r'href="/estates/(\d+)"')]

    assert order("") == ["alfa", "beta", "gamma"]
    assert order("sort=-name") == ["gamma", "beta", "alfa"]
    assert order("sort=investor") == ["beta", "gamma", "alfa"]
    assert order("sort=-area") == ["alfa", "gamma", "beta"]
    assert order("sort=investment") == ["gamma", "beta", "alfa"]  # no figure: last either way
    assert order("sort=-investment") == ["beta", "gamma", "alfa"]
    assert order("sort=region") == ["gamma", "alfa", "beta"]  # Kabupaten Tangerang before Kota Serang
    assert order("sort=nonsense") == ["alfa", "beta", "gamma"]

    html = client.get("/estates?sort=area&q=kawasan&page=1").get_data(as_text=True)
    head = html[html.index('id="estates"') : html.index("</thead>")]
    assert re.search(r'<th scope="col" class="num" aria-sort="ascending"><a class="sort-link active"', head)
    assert head.count("aria-sort") == 1
    area_link = re.search(r'href="([^"]*)"[^>]*>\s*Area', head) or re.search(r'data-sort="area" href="([^"]*)"', head)
    assert (
        "sort=-area" in area_link.group(1) and "q=kawasan" in area_link.group(1) and "page=" not in area_link.group(1)
    )
    assert re.search(r'id="csv-export" href="/estates.csv\?[^"]*sort=area', html)
    assert 'name="sort" value="area"' in html  # the filter form keeps the order


def test_investor_headers_sort_by_name_nib_and_the_scoped_figures(client):
    _estates()

    def order(query: str) -> list[str]:
        html = client.get(f"/investors?{query}").get_data(as_text=True)
        body = html[html.index('id="investors"') :]
        return re.findall(r'class="fw-medium" href="/investors/\d+">([^<]+)<', body)

    assert order("") == ["PT Alfa Serang", "PT Mike Tangerang", "PT Zulu Serang"]
    assert order("sort=-name") == ["PT Zulu Serang", "PT Mike Tangerang", "PT Alfa Serang"]
    assert order("sort=-nib") == ["PT Mike Tangerang", "PT Alfa Serang", "PT Zulu Serang"]
    assert order("sort=-investment") == ["PT Alfa Serang", "PT Mike Tangerang", "PT Zulu Serang"]
    assert order("sort=nonsense") == order("")
    html = client.get("/investors?sort=-nib").get_data(as_text=True)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="nib"' in html


def _permits():
    e = _estates()
    a = make_permit("NIB", estate=e["alfa"], status=S.ISSUED, reference_number="NIB-0001/KS/2026")
    b = make_permit("NIB", estate=e["beta"], status=S.ISSUED, reference_number="NIB-0003/KS/2026")
    c = make_permit("NIB", estate=e["gamma"], status=S.ISSUED, reference_number="NIB-0002/TNG/2026")
    db.session.commit()
    return a, b, c


def test_permit_headers_sort_both_ways_and_the_sort_is_kept_by_the_pager_and_the_csv(client, app, monkeypatch):
    a, b, c = _permits()
    names = {str(a.id): "a", str(b.id): "b", str(c.id): "c"}

    def order(query: str) -> list[str]:
        html = client.get(f"/permits?{query}").get_data(as_text=True)
        return [names[i] for i in _ids(html, "permit-list", r'href="/permits/(\d+)"') if i in names]

    assert order("sort=reference") == ["a", "c", "b"]
    assert order("sort=-reference") == ["b", "c", "a"]
    assert order("sort=estate") == ["a", "b", "c"]
    assert order("sort=-estate") == ["c", "b", "a"]
    assert order("sort=region") == ["c", "a", "b"]
    assert order("sort=-region") == ["a", "b", "c"]
    assert client.get("/permits?sort=-nonsense").status_code == 200

    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    html = client.get("/permits?sort=-estate&q=NIB-").get_data(as_text=True)
    pages = re.findall(r'class="page-link" href="(/permits\?[^"]*page=2[^"]*)"', html)
    assert pages and all("sort=-estate" in url and "q=NIB-" in url for url in pages)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="estate"' in html
    assert re.search(r'id="csv-export" class="small" href="/permits.csv\?[^"]*sort=-estate', html)
    table = _table(client.get("/permits.csv?sort=-reference&q=NIB-"))
    assert [row[1] for row in table[1:]] == ["NIB-0003/KS/2026", "NIB-0002/TNG/2026", "NIB-0001/KS/2026"]


def test_reference_numbers_are_shown_whole(client):
    estate = make_estate(region=region(SERANG))
    long_number = "0220/KKPR/DPMPTSP-KOTA-SERANG/IV/2026/PERSETUJUAN-KESESUAIAN-KEGIATAN-PEMANFAATAN-RUANG-0001"
    make_permit("NIB", estate=estate, status=S.ISSUED, reference_number=long_number)
    db.session.commit()
    for url in ("/permits", f"/estates/{estate.id}"):  # the permits list and the estate's permits
        html = client.get(url).get_data(as_text=True)
        assert f'<div class="small text-body-secondary ref-number">{long_number}</div>' in html, url
        assert "text-truncate" not in html


def _flagged(bps: str, on: date, reference: str):
    estate = make_estate(region=region(bps))
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate, reference_number=reference)
    advance_permit(permit, S.SUBMITTED, actor="t", on=on)
    advance_permit(permit, S.DECLARED_COMPLETE, actor="t", on=on)
    return permit


@pytest.fixture
def stalled():
    with time_machine.travel(datetime(2026, 4, 15, 9, 0, tzinfo=WIB), tick=False):
        oldest = _flagged(SERANG, date(2026, 1, 8), "KKPR-OLD")
        newer = _flagged(SERANG, date(2026, 2, 2), "KKPR-NEW")
        elsewhere = _flagged(TANGERANG, date(2026, 1, 20), "KKPR-TNG")
        scan_stalled(TODAY)
        finished = datetime(2026, 4, 15, 0, 31, tzinfo=UTC)
        db.session.add(JobRun(job="stall-scan", started_at=finished, finished_at=finished, succeeded=True))
        db.session.commit()
        yield oldest, newer, elsewhere


def test_stalled_list_sorts_by_days_late_both_ways_and_exports_its_rows(stalled, client, login_as):
    oldest, newer, elsewhere = stalled

    def order(query: str) -> list[int]:
        html = client.get(f"/stalls?{query}").get_data(as_text=True)
        return [int(i) for i in _ids(html, "stalled-list", r'<tr data-permit="(\d+)">')]

    assert order("") == [oldest.id, elsewhere.id, newer.id]
    assert order("sort=-late") == [oldest.id, elsewhere.id, newer.id]  # most days late first
    assert order("sort=late") == [newer.id, elsewhere.id, oldest.id]
    assert order("sort=-reference") == [elsewhere.id, oldest.id, newer.id]
    assert order("sort=bogus") == order("")
    default = client.get("/stalls").get_data(as_text=True)  # the default order is a column's: its header says so
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="late"' in default
    html = client.get("/stalls?sort=late").get_data(as_text=True)
    assert 'aria-sort="ascending"><a class="sort-link active" data-sort="late"' in html
    assert "KKPR-OLD" in html  # the reference number is on the stalled list too

    table = _table(client.get("/stalls.csv?sort=late"))
    assert table[0][:3] == ["Permit type", "Reference number", "Estate"]
    assert [row[1] for row in table[1:]] == ["KKPR-NEW", "KKPR-TNG", "KKPR-OLD"]
    serang = _table(login_as("officer", region=SERANG).get("/stalls.csv"))
    assert [row[1] for row in serang[1:]] == ["KKPR-OLD", "KKPR-NEW"]
    assert {row[4] for row in serang[1:]} == {"Kota Serang"}


def test_agency_figures_sort_by_each_column_and_the_csv_keeps_the_order(stalled, client):
    def order(query: str) -> list[str]:
        html = client.get(f"/stalls/agencies?group=region&{query}").get_data(as_text=True)
        return re.findall(r'<tr data-key="([^"]*)">', html)

    assert order("sort=label") == [TANGERANG, SERANG]
    assert order("sort=-label") == [SERANG, TANGERANG]
    assert order("sort=-running") == [SERANG, TANGERANG]  # two open files in Kota Serang, one in Tangerang
    assert order("sort=running") == [TANGERANG, SERANG]
    assert order("sort=nope") == order("")
    html = client.get("/stalls/agencies?group=region&sort=-running").get_data(as_text=True)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="running"' in html
    assert 'name="sort" value="-running"' in html
    table = _table(client.get("/stalls/agencies.csv?group=region&sort=label"))
    assert [row[0] for row in table[1:]] == ["Kabupaten Tangerang", "Kota Serang", "Total"]


def test_the_audit_log_sorts_by_its_columns(login_as):
    admin = login_as("administrator", email="admin.audit@pantau.test")
    from app import audit

    audit.record(AuditEvent.LOGIN_FAILED, email="zz@pantau.test")
    audit.record(AuditEvent.LOGIN_FAILED, email="aa@pantau.test")
    db.session.commit()

    def accounts(query: str) -> list[str]:
        html = admin.get(f"/admin/audit?event=login_failed&{query}").get_data(as_text=True)
        return re.findall(r'<td class="small audit-account">([^<]+)</td>', html)

    assert accounts("") == ["aa@pantau.test", "zz@pantau.test"]  # newest first
    assert accounts("sort=email") == ["aa@pantau.test", "zz@pantau.test"]
    assert accounts("sort=-email") == ["zz@pantau.test", "aa@pantau.test"]
    assert accounts("sort=at") == ["zz@pantau.test", "aa@pantau.test"]
    assert accounts("sort=x") == accounts("")
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="at"' in html
    table = _table(admin.get("/admin/audit.csv?event=login_failed&sort=-email"))
    assert [row[2] for row in table[1:]] == ["zz@pantau.test", "aa@pantau.test"]


# --- the CSV of every list ---------------------------------------------------------------------------------


def test_the_estates_and_investors_csv_hold_the_page_s_rows_in_its_order(client):
    _estates()
    table = _table(client.get("/estates.csv?sort=-area"))
    assert table[0][:3] == ["Estate", "Investor", "Kabupaten/kota"]
    assert [row[0] for row in table[1:]] == ["Kawasan Alfa", "Kawasan Gamma", "Kawasan Beta"]
    assert table[1][7:] == ["-6.050000", "106.150000"]  # a negative number stays a number
    filtered = _table(client.get("/estates.csv?q=beta"))
    assert [row[0] for row in filtered[1:]] == ["Kawasan Beta"]
    investors = _table(client.get("/investors.csv?sort=-name"))
    assert [row[0] for row in investors[1:]] == ["PT Zulu Serang", "PT Mike Tangerang", "PT Alfa Serang"]
    assert investors[1][3:5] == ["9120000000001", "1"]


def test_a_kota_serang_officer_s_csv_of_every_list_holds_only_kota_serang(client, login_as):
    _permits()
    serang = login_as("officer", region=SERANG)
    estates = _table(serang.get("/estates.csv"))
    assert [row[0] for row in estates[1:]] == ["Kawasan Alfa", "Kawasan Beta"]
    assert {row[2] for row in estates[1:]} == {"Kota Serang"}
    asked = _table(serang.get(f"/estates.csv?region={region(TANGERANG).id}"))
    assert asked[1:] == []  # a region in the query string does not widen the scope
    investors = _table(serang.get("/investors.csv"))
    assert [row[0] for row in investors[1:]] == ["PT Alfa Serang", "PT Zulu Serang"]
    permits = _table(serang.get("/permits.csv"))
    assert {row[4] for row in permits[1:]} == {"Kota Serang"} and len(permits) == 3
    # the province sees all three
    assert len(_table(client.get("/estates.csv"))) == 4 and len(_table(client.get("/investors.csv"))) == 4


@pytest.mark.parametrize(
    "url",
    [
        "/estates.csv",
        "/investors.csv",
        "/permits.csv",
        "/stalls.csv",
        "/stalls/agencies.csv",
        "/estates/map",
        "/realisation/lkpm.csv",
        "/realisation/layoffs/export.csv",
    ],
)
def test_an_investor_cannot_reach_the_office_lists(url, login_as, anon_client):
    e = _estates()
    investor = login_as("investor", investor=e["alfa"].investor)
    assert investor.get(url).status_code == 403
    response = anon_client.get(url)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_every_list_export_is_audited_with_its_filters(client):
    _estates()
    for url in ("/estates.csv?q=alfa&sort=-area", "/investors.csv?capital_status=pmdn", "/stalls.csv"):
        assert client.get(url).status_code == 200
    lines = db.session.scalars(
        select(AuditLog).where(AuditLog.event == AuditEvent.EXPORTED).order_by(AuditLog.id)
    ).all()
    details = [json.loads(line.detail) for line in lines]
    assert [(d["what"], d["filters"]) for d in details] == [
        ("estates", {"q": "alfa", "sort": "-area"}),
        ("investors", {"capital_status": "pmdn"}),
        ("stalled approvals", {}),
    ]
    assert {line.user_id for line in lines} == {client.user.id}


# --- the navigation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "governor", "administrator"])
def test_the_office_s_navigation_links_the_agency_figures_and_the_map(role, login_as):
    html = login_as(role).get("/estates").get_data(as_text=True)
    assert 'href="/stalls/agencies" id="nav-agency-figures"' in html
    assert 'href="/estates/map" id="nav-map"' in html
    figures = login_as(role).get("/stalls/agencies").get_data(as_text=True)
    assert re.search(r'class="nav-link active" href="/stalls/agencies"', figures)
    assert not re.search(r'class="nav-link active" href="/stalls"', figures)


def test_the_investor_s_navigation_has_neither(login_as):
    e = _estates()
    html = login_as("investor", investor=e["alfa"].investor).get("/portal").get_data(as_text=True)
    assert "/stalls/agencies" not in html and "/estates/map" not in html


def test_any_sort_argument_gives_every_list_and_its_csv_never_an_error(app, login_as):
    """Every list with a CSV twin (``x`` and ``x_csv``), asked with nonsense orders, answers its page."""
    admin = login_as("administrator")
    endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if "<" not in rule.rule}
    pairs = [(endpoints.get(name[:-4]), url) for name, url in endpoints.items() if name.endswith("_csv")]
    pairs = [(page, csv) for page, csv in pairs if page] + [("/admin/audit", "/admin/audit.csv")]
    assert len(pairs) >= 10 and ("/estates", "/estates.csv") in pairs
    for page, csv_url in [*pairs, ("/estates/map", None)]:
        for raw in ("-", "--name", "name;drop table estate", "ñame", "x" * 300, "-status,id", "__class__"):
            response = admin.get(page, query_string={"sort": raw, "page": "2"})
            assert response.status_code == 200, (page, raw)
        if csv_url:
            assert admin.get(csv_url, query_string={"sort": "-"}).status_code == 200, csv_url
