"""Officers write through the API with the forms' services: a refusal answers 422 naming the field, a stale
version 409, a refused move 422 naming the reason, and nothing changes after any of them."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit, region
from estates.models import Estate, Investor, Zone
from permits.models import Permit, PermitEvent, PermitType

INVESTOR = {"legal_name": "PT API Baru", "legal_form": "pt", "capital_status": "pmdn", "country_of_origin": "ID"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_officer_records_an_investor_an_estate_and_a_zone(token_for):
    caller = token_for("officer")
    investor = caller.post("/api/v1/investors", json={**INVESTOR, "nib": "1234567890123"})
    assert investor.status_code == 201, investor.get_json()
    investor_id = investor.get_json()["id"]
    estate = caller.post(
        "/api/v1/estates",
        json={"investor_id": investor_id, "name": "Kawasan API", "region_id": region("36.73").id, "area_ha": "120.5"},
    )
    assert estate.status_code == 201, estate.get_json()
    estate_id = estate.get_json()["id"]
    zone = caller.post(f"/api/v1/estates/{estate_id}/zones", json={"kind": "industrial", "area_ha": "100"})
    assert zone.status_code == 201, zone.get_json()
    too_big = caller.post(f"/api/v1/estates/{estate_id}/zones", json={"kind": "industrial", "area_ha": "50"})
    assert too_big.status_code == 422 and "area_ha" in too_big.get_json()["errors"]
    assert _count(Zone) == 1
    renamed = caller.put(f"/api/v1/investors/{investor_id}", json={**INVESTOR, "legal_name": "PT API Lama"})
    assert renamed.status_code == 200 and renamed.get_json()["legal_name"] == "PT API Lama"
    detail = caller.get(f"/api/v1/estates/{estate_id}").get_json()
    assert [z["area_ha"] for z in detail["zones"]] == ["100.0000"]


def test_bad_input_of_any_shape_is_refused_with_the_field_named_and_nothing_saved(token_for):
    caller = token_for("officer")
    make_investor(legal_name="PT Sudah Ada")
    db.session.commit()
    before = _count(Investor)
    for body, field in (
        ({**INVESTOR, "legal_name": "PT Nul\x00"}, "legal_name"),
        ({**INVESTOR, "legal_name": "x" * 201}, "legal_name"),
        ({**INVESTOR, "legal_name": "PT Sudah Ada"}, "legal_name"),  # the service's rule
        ({**INVESTOR, "capital_status": "pma"}, "country_of_origin"),  # a PMA is foreign
        ({**INVESTOR, "nib": "12"}, "nib"),
        ({**INVESTOR, "surprise": 1}, "surprise"),
        ({"legal_name": 5}, "legal_name"),
        ({**INVESTOR, "legal_name": "PT \ud800"}, "legal_name"),  # a lone surrogate
    ):
        response = caller.post("/api/v1/investors", json=body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        assert field in response.get_json()["errors"], (body, response.get_json())
    for raw in (b"{", b"[]", b"null", b"\xff\xfe", b'"text"', b"[" * 100_000, b'{"a":' * 50_000, b"1e999999"):
        response = caller.post("/api/v1/investors", data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 422), raw
    estate = caller.post("/api/v1/estates", json={"investor_id": 2**40, "name": "K", "region_id": 1, "area_ha": "NaN"})
    assert estate.status_code == 422
    investor = db.session.scalar(select(Investor.id))
    for area in ("1e999999", "-1e-999999", "1e-999999", 1e308, "0", "-5", "Infinity", True, []):
        body = {"investor_id": investor, "name": "K", "region_id": region("36.73").id, "area_ha": area}
        response = caller.post("/api/v1/estates", json=body)
        assert response.status_code == 422, (area, response.get_json())
    for latitude in ("1e999999", "-6.1e-999999"):
        body = {"investor_id": investor, "name": "K", "region_id": region("36.73").id, "area_ha": "5"}
        response = caller.post("/api/v1/estates", json={**body, "latitude": latitude, "longitude": "106.1"})
        assert response.status_code == 422, (latitude, response.get_json())
    assert _count(Investor) == before and _count(Estate) == 0


def _filed_permit(caller) -> dict:
    investor = make_investor(legal_name="PT Izin")
    estate = make_estate(investor=investor, region=region("36.73"), name="Kawasan Izin")
    db.session.commit()
    nib = {"estate_id": estate.id, "permit_type": "NIB", "status": "issued", "submitted_on": "2026-01-02"}
    assert caller.post("/api/v1/permits", json={**nib, "decided_on": "2026-01-02"}).status_code == 201
    body = {"estate_id": estate.id, "permit_type": "KKPR", "status": "submitted", "submitted_on": "2026-01-05"}
    created = caller.post("/api/v1/permits", json=body)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _history(permit_id: int) -> list[tuple]:
    db.session.expire_all()
    events = db.session.scalars(select(PermitEvent).where(PermitEvent.permit_id == permit_id)).all()
    permit = db.session.get(Permit, permit_id)
    return [(e.seq, e.to_status) for e in events] + [(permit.status, permit.version)]


def test_a_transition_moves_the_permit_with_the_version_seen(token_for):
    caller = token_for("officer")
    permit = _filed_permit(caller)
    assert permit["status"] == "submitted" and permit["clock"]["holder"] in ("agency", "investor")
    moved = caller.post(
        f"/api/v1/permits/{permit['id']}/transitions",
        json={"status": "declared_complete", "version": permit["version"]},
    )
    assert moved.status_code == 201, moved.get_json()
    assert moved.get_json()["status"] == "declared_complete" and moved.get_json()["version"] > permit["version"]
    events = caller.get(f"/api/v1/permits/{permit['id']}/events").get_json()
    assert events[-1]["to_status"] == "declared_complete" and events[-1]["actor"] == caller.user.name


def test_a_stale_version_answers_409_and_changes_nothing(token_for):
    caller = token_for("officer")
    permit = _filed_permit(caller)
    before = _history(permit["id"])
    stale = caller.post(
        f"/api/v1/permits/{permit['id']}/transitions",
        json={"status": "declared_complete", "version": permit["version"] - 1 or 99},
    )
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert "reload" in stale.get_json()["detail"]
    assert _history(permit["id"]) == before
    edit = caller.patch(f"/api/v1/permits/{permit['id']}", json={"version": 999, "notes": "x"})
    assert edit.status_code == 409
    assert _history(permit["id"]) == before


def test_each_kind_of_forbidden_move_answers_422_with_its_reason_and_changes_nothing(token_for):
    caller = token_for("officer")
    permit = _filed_permit(caller)
    url, version = f"/api/v1/permits/{permit['id']}/transitions", permit["version"]
    before = _history(permit["id"])
    for body, reason in (
        ({"status": "revoked", "version": version, "note": "x"}, "not_allowed_from_status"),
        ({"status": "returned", "version": version}, "note_required"),
        ({"status": "declared_complete", "version": version, "effective_on": "2099-01-01"}, "invalid_date"),
        ({"status": "declared_complete", "version": version, "effective_on": "2025-01-01"}, "invalid_date"),
    ):
        response = caller.post(url, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["reason"] == reason, response.get_json()
        assert _history(permit["id"]) == before
    waiting = select(PermitType).where(PermitType.prerequisites.any(), PermitType.code.not_in(("NIB", "KKPR")))
    dependent = db.session.scalars(waiting).first()  # its prerequisites include more than the issued NIB
    blocked = make_permit(dependent.code, estate=db.session.get(Estate, permit["estate_id"]))
    db.session.commit()
    before = _history(blocked.id)
    response = caller.post(f"/api/v1/permits/{blocked.id}/transitions", json={"status": "submitted", "version": 1})
    assert response.status_code == 422 and response.get_json()["reason"] == "missing_prerequisite"
    assert _history(blocked.id) == before
    for body in ({"status": "nope", "version": 1}, {"status": "submitted"}, {"status": "submitted", "version": -1}):
        assert caller.post(url, json=body).status_code == 422, body
