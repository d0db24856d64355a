"""The permit pages: create, edit, detail, the list across estates and the estate's permits panel."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
import time_machine
from flask_babel import refresh
from flask_login import login_user
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from devtools.factories import agency, make_estate, make_investor, make_permit, permit_type, region
from permits.models import Permit, PermitStatus
from permits.views import estate_permits_panel
from permits.workflow import WIB

NOW = datetime(2025, 10, 1, 10, 0, tzinfo=WIB)


def permit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Permit))


def form_data(**kw) -> dict:
    data = {
        "permit_type": str(permit_type("KKPR").id),
        "status": "submitted",
        "reference_number": "",
        "submitted_on": "2025-09-15",
        "decided_on": "",
        "agency": "",
        "agency_override_reason": "",
        "notes": "",
        "recorded_by": "Petugas Uji",
    }
    data.update(kw)
    return data


def estate_with_nib():
    """An estate whose NIB is issued, so that its KKPR may be filed."""
    estate = make_estate()
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
    return estate


def error_beside(html: str, field: str) -> str:
    """The message shown under a field (the `field` macro puts it in #<field>-error)."""
    match = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def table_rows(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table #{table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S)
    return re.findall(r"<tr\b.*?</tr>", body.group(1), re.S) if body else []


# --- create --------------------------------------------------------------------------------------------


def test_create_form_lists_the_catalogue_and_preselects_a_type(client):
    client.get("/language/id")  # the default for users; the test app defaults to English
    estate = make_estate()
    html = client.get(f"/estates/{estate.id}/permits/new?type=AMDAL").get_data(as_text=True)
    amdal = permit_type("AMDAL")
    assert re.search(rf'<option selected value="{amdal.id}">AMDAL: Persetujuan Lingkungan', html)
    assert "PBG: Persetujuan Bangunan Gedung" in html
    assert 'max="' in html  # date pickers stop at today


def test_create_form_ignores_an_unknown_type_in_the_link(client):
    estate = make_estate()
    response = client.get(f"/estates/{estate.id}/permits/new?type=%3Cscript%3E")
    assert response.status_code == 200
    select_box = re.search(r'<select[^>]*name="permit_type".*?</select>', response.get_data(as_text=True), re.S)
    assert re.search(r'<option selected value="">', select_box.group(0))


@time_machine.travel(NOW, tick=False)
def test_create_saves_and_redirects_to_the_detail(client):
    estate = estate_with_nib()
    response = client.post(f"/estates/{estate.id}/permits/new", data=form_data(reference_number="PKKPR-01"))
    assert response.status_code == 302
    permit = db.session.scalars(select(Permit).where(Permit.permit_type_id == permit_type("KKPR").id)).one()
    assert response.headers["Location"].endswith(f"/permits/{permit.id}")
    # the signed-in user is the actor of every event, whatever the form says
    assert [(e.actor, e.actor_id) for e in permit.events] == [("Test officer", client.user.id)] * 2
    assert permit.estate_id == estate.id
    assert permit.status == PermitStatus.SUBMITTED
    assert permit.submitted_on == date(2025, 9, 15)
    assert permit.agency == agency("3673-dpmptsp")  # blank: the rule's (a PMDN's KKPR in Kota Serang)
    assert (permit.agency_override_reason, permit.issuing_authority) == (None, None)
    assert permit.reference_number == "PKKPR-01"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"submitted_on": "2025-10-02"}, "submitted_on", "future"),
        ({"status": "issued", "submitted_on": "2025-09-15", "decided_on": "2025-10-02"}, "decided_on", "future"),
        ({"status": "issued", "submitted_on": "2025-09-15", "decided_on": "2025-09-14"}, "decided_on", "before"),
        ({"status": "under_review", "submitted_on": ""}, "submitted_on", "submitted"),
        ({"status": "rejected", "decided_on": ""}, "decided_on", "decision"),
        ({"status": "not_started", "submitted_on": "", "decided_on": "2025-09-20"}, "decided_on", "No decision"),
        ({"status": "not_started", "submitted_on": "2025-09-20"}, "submitted_on", "not started"),
        ({"submitted_on": "15/09/2025"}, "submitted_on", "Not a valid date"),
        ({"permit_type": ""}, "permit_type", "Choose a permit type"),
        ({"permit_type": "999999"}, "permit_type", "Not a valid choice"),
        ({"permit_type": "abc"}, "permit_type", "Choose a permit type"),
        ({"status": "approved"}, "status", "Not a valid choice"),
        ({"reference_number": "x" * 101}, "reference_number", "100"),
        ({"agency": "999999"}, "agency", "Choose one of the options"),
        ({"agency": "x"}, "agency", "Choose one of the options"),
        ({"agency_override_reason": "x" * 2001}, "agency_override_reason", "2000"),
        ({"notes": "x" * 5001}, "notes", "5000"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_create_refuses_with_a_message_beside_the_field_and_saves_nothing(client, changes, field, message):
    estate = make_estate()
    response = client.post(f"/estates/{estate.id}/permits/new", data=form_data(**changes))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in error_beside(html, field)
    assert "Nothing was saved" in html
    assert permit_count() == 0


@time_machine.travel(NOW, tick=False)
def test_limits_accept_the_edge_values(client):
    """Decided on the submitted day, both today: saved."""
    estate = estate_with_nib()
    data = form_data(status="issued", submitted_on="2025-10-01", decided_on="2025-10-01")
    data.update(reference_number="x" * 100, notes="z" * 5000, recorded_by="r" * 120)
    data.update(agency=str(agency("oss").id), agency_override_reason="y" * 2000)
    assert client.post(f"/estates/{estate.id}/permits/new", data=data).status_code == 302
    assert permit_count() == 2


@time_machine.travel(NOW, tick=False)
def test_create_refuses_a_status_whose_prerequisites_are_missing(client):
    estate = make_estate()
    response = client.post(f"/estates/{estate.id}/permits/new", data=form_data())
    assert response.status_code == 200
    assert "NIB" in error_beside(response.get_data(as_text=True), "status")
    assert permit_count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_second_live_application_is_refused_beside_the_type(client):
    existing = make_permit("KKPR", status=PermitStatus.UNDER_REVIEW, submitted_on=date(2025, 9, 1))
    response = client.post(f"/estates/{existing.estate_id}/permits/new", data=form_data())
    assert "already has a live KKPR application" in error_beside(response.get_data(as_text=True), "permit_type")
    assert permit_count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_rejected_application_may_be_followed_by_a_new_one(client):
    estate = estate_with_nib()
    make_permit(
        "KKPR", estate=estate, status=PermitStatus.REJECTED, submitted_on=date(2025, 6, 2), decided_on=date(2025, 8, 1)
    )
    response = client.post(f"/estates/{estate.id}/permits/new", data=form_data())
    assert response.status_code == 302
    assert permit_count() == 3


@pytest.mark.parametrize("url", ["/estates/999999/permits/new", "/estates/abc/permits/new", "/estates/-1/permits/new"])
def test_create_for_an_unknown_estate_is_404(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url, data=form_data()).status_code == 404


# --- edit ----------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_edit_shows_and_saves_the_record_not_the_status(client):
    permit = make_permit("AMDAL", status=PermitStatus.UNDER_REVIEW, submitted_on=date(2025, 8, 4), notes="ANDAL filed")
    html = client.get(f"/permits/{permit.id}/edit").get_data(as_text=True)
    assert "ANDAL filed" in html and 'name="status"' not in html
    data = {"reference_number": "SK-9", "agency": str(permit.agency_id), "notes": "", "version": str(permit.version)}
    assert client.post(f"/permits/{permit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert permit.status == PermitStatus.UNDER_REVIEW
    assert permit.reference_number == "SK-9" and permit.notes is None


@time_machine.travel(NOW, tick=False)
def test_another_agency_than_the_rule_needs_a_reason_on_create(client):
    estate = estate_with_nib()
    db.session.commit()
    chosen = agency("atr-bpn")
    response = client.post(f"/estates/{estate.id}/permits/new", data=form_data(agency=str(chosen.id)))
    assert response.status_code == 200
    assert "Say why" in error_beside(response.get_data(as_text=True), "agency_override_reason")
    assert permit_count() == 1  # the NIB only
    reason = "Diajukan ke pusat: lintas provinsi"
    data = form_data(agency=str(chosen.id), agency_override_reason=f"  {reason} ")
    assert client.post(f"/estates/{estate.id}/permits/new", data=data).status_code == 302
    permit = db.session.scalars(select(Permit).where(Permit.permit_type_id == permit_type("KKPR").id)).one()
    assert (permit.agency, permit.agency_override_reason) == (chosen, reason)
    html = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert chosen.name_en in re.search(r'id="permit-agency">(.*?)</dd>', html, re.S).group(1)
    assert reason in re.search(r'id="agency-override">(.*?)</div>', html, re.S).group(1)


@time_machine.travel(NOW, tick=False)
def test_an_officer_overrides_a_permits_agency_with_a_reason_kept_and_audited(client):
    permit = make_permit("AMDAL", status=PermitStatus.UNDER_REVIEW, submitted_on=date(2025, 8, 4))
    rule = permit.agency
    events = len(permit.events)
    db.session.commit()
    html = client.get(f"/permits/{permit.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{rule.id}">[^<]*\(the catalogue(&#39;|\')s rule\)', html)
    chosen = agency("banten-dlhk")
    data = {"reference_number": "", "agency": str(chosen.id), "notes": "", "version": str(permit.version)}
    response = client.post(f"/permits/{permit.id}/edit", data=data)
    assert response.status_code == 200
    assert "Say why" in error_beside(response.get_data(as_text=True), "agency_override_reason")
    db.session.expire_all()
    assert permit.agency == rule
    data["agency_override_reason"] = "Lokasi lintas kab/kota: kewenangan provinsi"
    assert client.post(f"/permits/{permit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (permit.agency, permit.agency_override_reason) == (chosen, data["agency_override_reason"])
    assert len(permit.events) == events  # the history is the stage machine's: an override is not a move
    (line,) = db.session.scalars(select(AuditLog).where(AuditLog.event == AuditEvent.PERMIT_AGENCY_CHANGED)).all()
    assert line.user_id == client.user.id
    assert f"agency {rule.code} -> {chosen.code}" in line.detail and "lintas kab/kota" in line.detail
    # back to the rule's agency: no reason needed, the override is cleared (and audited)
    data.update(agency=str(rule.id), agency_override_reason="", version=str(permit.version))
    assert client.post(f"/permits/{permit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (permit.agency, permit.agency_override_reason) == (rule, None)
    assert db.session.scalar(select(func.count()).where(AuditLog.event == AuditEvent.PERMIT_AGENCY_CHANGED)) == 2
    # each edit of the record is in the audit log too, with the values before and after
    edits = db.session.scalars(
        select(AuditLog).where(AuditLog.event == AuditEvent.PERMIT_EDITED).order_by(AuditLog.id)
    ).all()
    assert [(e.user_id, json.loads(e.detail)["after"]["agency_id"]) for e in edits] == [
        (client.user.id, chosen.id),
        (client.user.id, rule.id),
    ]
    assert json.loads(edits[1].detail)["before"]["agency_id"] == chosen.id


@time_machine.travel(NOW, tick=False)
def test_an_edit_based_on_a_stale_version_changes_nothing(client):
    permit = make_permit("AMDAL", status=PermitStatus.UNDER_REVIEW, submitted_on=date(2025, 8, 4), notes="old")
    db.session.commit()
    stale = str(permit.version)
    permit.notes = "saved by a colleague"
    db.session.commit()
    data = {"reference_number": "", "notes": "mine", "version": stale}
    response = client.post(f"/permits/{permit.id}/edit", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    conflict = re.search(r'id="conflict">(.*?)</div>', page, re.S).group(1)
    assert "Someone else changed this permit" in conflict
    assert f'href="/permits/{permit.id}/edit">Reload the page</a>' in conflict
    assert re.search(r"<textarea[^>]*>\s*mine</textarea>", page)  # the officer's text is kept to copy
    assert f'name="version" type="hidden" value="{stale}"' in page  # saving again is refused again
    db.session.expire_all()
    assert permit.notes == "saved by a colleague"


@pytest.mark.parametrize("url", ["/permits/999999", "/permits/999999/edit", "/permits/x", "/permits/1.5/edit"])
def test_unknown_permit_is_404(client, url):
    assert client.get(url).status_code == 404


# --- detail --------------------------------------------------------------------------------------------


def test_detail_shows_the_law_and_the_prerequisites(client):
    estate = make_estate(name="Kawasan Sawah Luhur")
    kkpr = make_permit("KKPR", estate=estate, status=PermitStatus.ISSUED)
    amdal = make_permit("AMDAL", estate=estate, status=PermitStatus.UNDER_REVIEW, reference_number="SKKL-77")
    html = client.get(f"/permits/{amdal.id}").get_data(as_text=True)
    ptype = permit_type("AMDAL")
    rule = next(r for r in ptype.rules if r.regime.name == "PP 28/2025")
    assert f"{rule.sla_working_days} working days" in html
    assert rule.legal_basis in html and "PP 28/2025" in html
    assert rule.note_en in html  # the catalogue's note in the page's language (English here)
    assert "UNCONFIRMED figure" not in html  # AMDAL: 3 + 50 + 10 HK are confirmed for the ANDAL phase
    assert "SKKL-77" in html
    assert f'href="/estates/{estate.id}"' in html
    prerequisites = re.search(r'id="prerequisites">(.*?)</ul>', html, re.S).group(1)
    assert f'/permits/{kkpr.id}"' in prerequisites  # KKPR held, with its status
    assert "PERTEK" in prerequisites
    assert "not filed for this estate" in prerequisites


def test_detail_labels_a_confirmed_figure(client):
    html = client.get(f"/permits/{make_permit('KKPR').id}").get_data(as_text=True)
    assert "UNCONFIRMED" not in html
    assert "confirmed" in html


def test_detail_lists_the_earlier_applications_of_the_type(client):
    old = make_permit("KKPR", status=PermitStatus.REJECTED, reference_number="OLD-1")
    new = make_permit("KKPR", estate=old.estate, status=PermitStatus.SUBMITTED)
    rows = table_rows(client.get(f"/permits/{new.id}").get_data(as_text=True), "other-applications")
    assert len(rows) == 1
    assert "OLD-1" in rows[0]


def test_detail_speaks_both_languages(client):
    client.get("/language/id")  # the default for users; the test app defaults to English
    permit = make_permit("AMDAL")
    assert "Persetujuan Lingkungan (AMDAL / SKKLH)" in client.get(f"/permits/{permit.id}").get_data(as_text=True)
    client.get("/language/en")
    refresh()  # Flask-Babel caches the locale on g, which the test's app context shares between requests
    html = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Environmental approval through AMDAL" in html


# --- the list ------------------------------------------------------------------------------------------


def test_list_filters_from_the_query_string(client):
    serang = make_estate(name="Kawasan Serang", region=region("36.73"))
    lebak = make_estate(name="Kawasan Lebak", region=region("36.02"))
    make_permit("KKPR", estate=serang, status=PermitStatus.ISSUED, reference_number="REF-SERANG")
    make_permit("PBG", estate=lebak, status=PermitStatus.SUBMITTED, reference_number="REF-LEBAK")
    both = client.get("/permits").get_data(as_text=True)
    assert len(table_rows(both, "permit-list")) == 2
    for query, shown in [
        ("?status=issued", "REF-SERANG"),
        ("?type=PBG", "REF-LEBAK"),
        ("?region=36.02", "REF-LEBAK"),
        (f"?agency={agency('3673-dpmptsp').id}", "REF-SERANG"),
    ]:
        rows = table_rows(client.get("/permits" + query).get_data(as_text=True), "permit-list")
        assert len(rows) == 1, query
        assert shown in rows[0], query


@pytest.mark.parametrize(
    "query", ["?status=bogus", "?type=NOPE", "?region=99.99", "?page=abc", "?page=-3", "?page=" + "9" * 40]
)
def test_list_ignores_bad_parameters(client, query):
    make_permit("KKPR")
    response = client.get("/permits" + query)
    assert response.status_code == 200
    assert len(table_rows(response.get_data(as_text=True), "permit-list")) == 1


def test_list_shows_estate_and_investor_and_paginates(client, app):
    estate = make_estate(name="Kawasan Banyak", investor=make_investor(legal_name="PT Contoh Investasi"))
    size = app.config["PAGE_SIZE"]
    for code in ("NIB", "KKPR", "PERTEK", "AMDAL", "IUKI", "PBG", "SLF"):
        for _ in range(size // 7 + 1):
            make_permit(code, estate=estate, status=PermitStatus.REJECTED)
    total = permit_count()
    first = client.get("/permits").get_data(as_text=True)
    assert len(table_rows(first, "permit-list")) == size
    assert "PT Contoh Investasi" in first
    assert f"{total} permits" in first
    second = client.get("/permits?page=2").get_data(as_text=True)
    assert len(table_rows(second, "permit-list")) == total - size


def test_list_when_empty(client):
    assert "No permit has been recorded yet" in client.get("/permits").get_data(as_text=True)
    assert "No permit matches these filters" in client.get("/permits?status=issued").get_data(as_text=True)


# --- the estate's panel --------------------------------------------------------------------------------


def panel_html(app, user, estate) -> str:
    """The panel as ``user`` sees it (the panel reads the signed-in user's scope and ``can_edit``)."""
    with app.test_request_context():
        login_user(user)
        return str(estate_permits_panel(estate))


def test_estate_panel_has_one_row_per_permit_in_catalogue_order(app, client):
    estate = make_estate()
    pbg = make_permit("PBG", estate=estate)
    nib = make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
    rejected = make_permit("KKPR", estate=estate, status=PermitStatus.REJECTED, submitted_on=date(2025, 1, 2))
    again = make_permit("KKPR", estate=estate, status=PermitStatus.SUBMITTED, submitted_on=date(2025, 6, 2))
    make_permit("AMDAL")  # another estate's
    html = panel_html(app, client.user, estate)
    rows = table_rows(html, "permits")
    ids = [int(re.search(r'href="/permits/(\d+)"', row).group(1)) for row in rows]
    assert ids == [nib.id, rejected.id, again.id, pbg.id]
    unfiled = re.search(r'class="card-body border-top unfiled-types">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"type=(\w+)", unfiled) == ["PERTEK", "AMDAL", "IUKI", "SLF", "PERLUASAN"]
    assert f'href="/estates/{estate.id}/permits/new"' in html


def test_estate_panel_for_an_estate_without_permits(app, client):
    estate = make_estate()
    html = panel_html(app, client.user, estate)
    assert table_rows(html, "permits") == []
    assert "No permit has been recorded for this estate yet." in html
    assert len(re.findall(r"type=\w+", html)) == 8


def test_estate_page_includes_the_panel(client):
    estate = make_estate()
    make_permit("KKPR", estate=estate)
    html = client.get(f"/estates/{estate.id}").get_data(as_text=True)
    assert len(table_rows(html, "permits")) == 1
