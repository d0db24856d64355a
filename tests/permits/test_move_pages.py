"""The permit page's clock, history and move form."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.factories import agency, make_estate, make_permit
from permits.models import PermitEvent, PermitStatus
from permits.workflow import WIB, advance_permit

NOW = "2026-03-02 10:00 +0700"


def _running_amdal():
    estate = make_estate()
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(code, estate=estate, status=PermitStatus.ISSUED)
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, PermitStatus.SUBMITTED, actor="Petugas", on=date(2026, 1, 5), today=date(2026, 1, 5))
    db.session.commit()
    return amdal


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(PermitEvent))


@time_machine.travel(NOW, tick=False)
def test_detail_shows_the_clock_history_and_only_the_allowed_moves(client):
    amdal = _running_amdal()
    html = client.get(f"/permits/{amdal.id}").get_data(as_text=True)
    assert 'id="clock"' in html and 'id="timeline"' in html
    assert amdal.agency == agency("3673-dlh")  # a PMDN in Kota Serang: the kab/kota environment office
    assert "Environment Office, Serang City" in re.search(r'id="whose-move">(.*?)</div>', html, re.S).group(1)
    select_box = re.search(r'<select[^>]*name="target".*?</select>', html, re.S).group(0)
    offered = set(re.findall(r'value="([a-z_]+)"', select_box))
    assert offered == {
        "declared_complete",
        "under_review",
        "returned",
        "deemed_withdrawn",
        "issued",
        "verified",
        "deemed_granted",
        "rejected",
        "withdrawn",
    }


@time_machine.travel(NOW, tick=False)
def test_returning_needs_a_note_and_stops_the_clock(client):
    amdal = _running_amdal()
    data = {
        "target": "returned",
        "effective_on": "2026-02-02",
        "note": "",
        "recorded_by": "Petugas",
        "version": str(amdal.version),
    }
    response = client.post(f"/permits/{amdal.id}/move", data=data)
    assert response.status_code == 422 and "A note is required" in response.get_data(as_text=True)
    assert _events() == 1
    data["note"] = "Dokumen ANDAL perlu perbaikan"
    response = client.post(f"/permits/{amdal.id}/move", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert amdal.status is PermitStatus.RETURNED and amdal.clock_stops == 1
    html = client.get(f"/permits/{amdal.id}").get_data(as_text=True)
    assert 'id="investor-clock"' in html and "Dokumen ANDAL perlu perbaikan" in html


@time_machine.travel(NOW, tick=False)
def test_a_move_on_a_stale_page_is_refused(client):
    amdal = _running_amdal()
    stale = str(amdal.version)
    advance_permit(amdal, PermitStatus.UNDER_REVIEW, actor="Rekan", on=date(2026, 1, 6))
    db.session.commit()
    data = {"target": "issued", "effective_on": "2026-02-02", "note": "Catatan saya", "version": stale}
    response = client.post(f"/permits/{amdal.id}/move", data=data)
    assert response.status_code == 409  # a conflict, not a mistake in the form
    page = response.get_data(as_text=True)
    conflict = re.search(r'<div class="alert alert-warning" role="alert" id="conflict">(.*?)</div>', page, re.S).group(
        1
    )
    assert "Someone else changed this permit" in conflict
    assert f'href="/permits/{amdal.id}">Reload the page</a>' in conflict
    assert "Catatan saya</textarea>" in page  # what the officer typed is still there
    db.session.expire_all()
    assert amdal.status is PermitStatus.UNDER_REVIEW and _events() == 2


@time_machine.travel(NOW, tick=False)
def test_a_move_dated_in_the_future_or_to_a_forbidden_status_changes_nothing(client):
    amdal = _running_amdal()
    base = {"note": "x", "recorded_by": "Saya", "version": str(amdal.version)}
    for data in (
        {"target": "issued", "effective_on": "2026-03-03"},
        {"target": "revoked", "effective_on": "2026-03-02"},
        {"target": "bogus", "effective_on": "2026-03-02"},
        {"target": "issued", "effective_on": "02/03/2026"},
        {"target": "issued", "effective_on": "2026-01-02"},  # before the previous move
    ):
        response = client.post(f"/permits/{amdal.id}/move", data=base | data)
        assert response.status_code == 422, data
    db.session.expire_all()
    assert amdal.status is PermitStatus.SUBMITTED and _events() == 1


def test_moving_an_unknown_permit_is_404(client):
    assert client.post("/permits/999999/move", data={}).status_code == 404


def test_wib_is_the_office_clock():
    assert str(WIB) == "Asia/Jakarta"


def test_clock_stops_are_counted_per_agency_with_how_late_they_came(client):
    early = _running_amdal()  # 63 working days; filed 5 January 2026
    late = _running_amdal()
    today = date(2026, 6, 1)
    advance_permit(early, PermitStatus.RETURNED, actor="o", note="a", on=date(2026, 1, 19), today=today)  # day 10
    advance_permit(early, PermitStatus.SUBMITTED, actor="o", on=date(2026, 1, 26), today=today)
    advance_permit(late, PermitStatus.RETURNED, actor="o", note="b", on=date(2026, 4, 1), today=today)
    db.session.commit()
    from permits.figures import clock_stops_by_agency

    (figure,) = clock_stops_by_agency(scope=SYSTEM_SCOPE)
    assert (figure.agency, figure.stops, figure.permits) == (early.agency, 2, 2)
    assert figure.late_stops == 1 and figure.latest_share >= Decimal("0.75")
    assert early.clock_stops == 1 and late.clock_stops == 1
    html = client.get("/permits/clock-stops").get_data(as_text=True)
    assert early.agency.name_en in html and 'id="clock-stops"' in html
    assert f'href="/permits?agency={early.agency_id}"' in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("role", "region"), [("officer", None), ("officer", "36.73"), ("administrator", None)])
def test_a_move_records_the_signed_in_user_whatever_the_form_says(login_as, role, region):
    amdal = _running_amdal()
    user_client = login_as(role, region=region)
    data = {"target": "under_review", "effective_on": "2026-02-02", "note": "", "version": str(amdal.version)}
    response = user_client.post(f"/permits/{amdal.id}/move", data=data | {"recorded_by": "Someone Else"})
    assert response.status_code == 302
    event = db.session.scalars(select(PermitEvent).order_by(PermitEvent.id.desc())).first()
    assert (event.to_status, event.actor_id, event.actor) == (
        PermitStatus.UNDER_REVIEW,
        user_client.user.id,
        user_client.user.name,
    )
    html = user_client.get(f"/permits/{amdal.id}").get_data(as_text=True)
    assert "Someone Else" not in html and 'name="recorded_by"' not in html
    assert user_client.user.name in re.search(r'id="timeline".*?</ol>', html, re.S).group(0)
