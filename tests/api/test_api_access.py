"""The pages' access rules apply to tokens: an investor's token sees its own company only (another investor's
estate or permit: 404, as on the portal), an officer of one kab/kota the estates there, the governor's office
reads everything and writes nothing (403)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_layoff, make_lkpm_entry, make_permit, region
from estates.models import Investor
from permits.models import PermitStatus


def _company(name: str, bps: str = "36.73"):
    investor = make_investor(legal_name=name)
    estate = make_estate(investor=investor, region=region(bps), name=f"Kawasan {name}")
    permit = make_permit("KKPR", estate=estate, status=PermitStatus.SUBMITTED, submitted_on=date(2026, 1, 5))
    db.session.commit()
    return investor, estate, permit


def test_an_investor_token_reaches_its_own_records_and_gets_404_for_another_investors(token_for):
    own_investor, own_estate, own_permit = _company("PT Milik Sendiri")
    _other_investor, other_estate, other_permit = _company("PT Orang Lain")
    caller = token_for("investor", investor=own_investor)
    assert caller.get(f"/api/v1/estates/{own_estate.id}").status_code == 200
    assert caller.get(f"/api/v1/permits/{own_permit.id}").status_code == 200
    for url in (
        f"/api/v1/estates/{other_estate.id}",
        f"/api/v1/permits/{other_permit.id}",
        f"/api/v1/permits/{other_permit.id}/events",
        f"/api/v1/investors/{other_estate.investor_id}",
        "/api/v1/estates/999999999",
        "/api/v1/permits/99999999999999999999",
    ):
        response = caller.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
    listed = caller.get("/api/v1/estates").get_json()
    assert [e["id"] for e in listed["items"]] == [own_estate.id] and listed["total"] == 1
    assert [p["id"] for p in caller.get("/api/v1/permits").get_json()["items"]] == [own_permit.id]
    assert [i["id"] for i in caller.get("/api/v1/investors").get_json()["items"]] == [own_investor.id]
    for office_only in ("/api/v1/flags", "/api/v1/layoffs", "/api/v1/forecast"):
        assert caller.get(office_only).status_code == 403, office_only  # as on the pages


def test_an_officer_of_one_kabkota_sees_the_estates_there_only(token_for):
    _i, serang, _p = _company("PT Serang", "36.73")
    _i2, tangerang, tangerang_permit = _company("PT Tangerang", "36.03")
    caller = token_for("officer", region="36.73")
    assert caller.get(f"/api/v1/estates/{serang.id}").status_code == 200
    assert caller.get(f"/api/v1/estates/{tangerang.id}").status_code == 404
    assert caller.get(f"/api/v1/permits/{tangerang_permit.id}").status_code == 404
    assert [e["id"] for e in caller.get("/api/v1/estates").get_json()["items"]] == [serang.id]


def test_the_governors_office_token_reads_everything_and_cannot_write(token_for):
    investor, estate, permit = _company("PT Baca Saja")
    caller = token_for("governor")
    assert caller.get(f"/api/v1/permits/{permit.id}").status_code == 200
    before = db.session.scalar(select(func.count(Investor.id)))
    writes = (
        caller.post(
            "/api/v1/investors",
            json={"legal_name": "PT Baru", "legal_form": "pt", "capital_status": "pmdn", "country_of_origin": "ID"},
        ),
        caller.put(f"/api/v1/investors/{investor.id}", json={}),
        caller.post("/api/v1/estates", json={}),
        caller.post(f"/api/v1/estates/{estate.id}/zones", json={}),
        caller.post(f"/api/v1/permits/{permit.id}/transitions", json={"status": "declared_complete", "version": 1}),
        caller.patch(f"/api/v1/permits/{permit.id}", json={"version": 1}),
    )
    for response in writes:
        assert response.status_code == 403, response.request.path
        assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count(Investor.id))) == before


def test_lists_are_paginated_filtered_and_sorted(token_for):
    for n in range(5):
        _company(f"PT Daftar {n}", "36.73" if n % 2 else "36.03")
    caller = token_for("officer")
    page = caller.get("/api/v1/estates?per_page=2&page=2&sort=name").get_json()
    assert page["total"] == 5 and page["pages"] == 3 and len(page["items"]) == 2
    assert [e["name"] for e in page["items"]] == ["Kawasan PT Daftar 2", "Kawasan PT Daftar 3"]
    names = [i["legal_name"] for i in caller.get("/api/v1/investors?sort=-name&per_page=2").get_json()["items"]]
    assert names == ["PT Daftar 4", "PT Daftar 3"]
    permits = caller.get("/api/v1/permits?region=36.73&permit_type=KKPR&status=submitted").get_json()
    assert permits["total"] == 2
    item = permits["items"][0]
    assert item["clock"]["holder"] in ("agency", "investor", "nobody") and "working_days_left" in item["clock"]
    assert item["agency"] is None or "name_id" in item["agency"]
    for bad in ("per_page=0", "per_page=1000", "page=-1", "sort=nope", "status=nope", "region=36", "band=x"):
        response = caller.get(f"/api/v1/permits?{bad}")
        assert response.status_code == 422, bad
        assert response.mimetype == "application/problem+json" and response.get_json()["errors"], bad


READS = ("investors", "estates", "permits", "permit-types", "agencies", "lkpm", "flags", "layoffs", "forecast",
         "forecast/snapshots")  # fmt: skip
OFFICE_ONLY = {"flags", "layoffs", "forecast", "forecast/snapshots"}


def test_every_list_answers_each_roles_token_as_its_pages_do(token_for):
    investor, _estate, _permit = _company("PT Peran")
    callers = {
        "investor": token_for("investor", investor=investor),
        "governor": token_for("governor"),
        "officer": token_for("officer", region="36.73"),
        "administrator": token_for("administrator"),
    }
    wrong = []
    for role, caller in callers.items():
        for resource in READS:
            expected = 403 if role == "investor" and resource in OFFICE_ONLY else 200
            status = caller.get(f"/api/v1/{resource}").status_code
            if status != expected:
                wrong.append(f"{role} GET {resource}: {status}, expected {expected}")
        status = caller.post("/api/v1/investors", json={}).status_code
        expected = 403 if role in ("investor", "governor") else 422  # let in, then the empty body is refused
        if status != expected:
            wrong.append(f"{role} POST investors: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_token_calls_need_no_csrf_token_where_the_pages_do(app, token_for, login_as):
    caller = token_for("officer")
    page_user = login_as("officer")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        created = caller.post("/api/v1/investors", json={**_INVESTOR, "legal_name": "PT Tanpa CSRF"})
        page = page_user.post("/account/tokens", data={"name": "tanpa csrf"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert created.status_code == 201
    assert page.status_code == 400  # the page's form is still protected


_INVESTOR = {"legal_form": "pt", "capital_status": "pmdn", "country_of_origin": "ID"}


def test_the_other_lists_sort_too(token_for):
    """LKPM reports, layoffs, flags and agencies take a ``sort`` of their columns, either way; an unknown one is
    refused with the field named."""
    investor, estate, _permit = _company("PT Urut")
    for tki, quarter in ((30, "2026-Q1"), (10, "2026-Q2"), (20, "2025-Q4")):
        make_lkpm_entry(investor=investor, estate=estate, period=quarter, tki=tki)
    for workers, quarter in ((300, "2026-Q1"), (100, "2026-Q2")):
        make_layoff(period=quarter, workers=workers)
    db.session.commit()
    caller = token_for("officer")
    lkpm = caller.get("/api/v1/lkpm").get_json()["items"]
    assert [e["period"] for e in lkpm] == ["2026-Q2", "2026-Q1", "2025-Q4"]  # the latest period first
    assert [e["tki"] for e in caller.get("/api/v1/lkpm?sort=-tki").get_json()["items"]] == [30, 20, 10]
    assert [r["workers"] for r in caller.get("/api/v1/layoffs?sort=workers").get_json()["items"]] == [100, 300]
    agencies = caller.get("/api/v1/agencies?sort=name&per_page=100").get_json()["items"]
    names = [a["name_id"].casefold() for a in agencies]
    assert len(names) > 1 and names == sorted(names)
    assert caller.get("/api/v1/flags?sort=-raised").status_code == 200
    for url in ("/api/v1/lkpm?sort=nope", "/api/v1/layoffs?sort=-", "/api/v1/flags?sort=x", "/api/v1/agencies?sort=1"):
        response = caller.get(url)
        assert response.status_code == 422 and "sort" in str(response.get_json()["errors"]), url
