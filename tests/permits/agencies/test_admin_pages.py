"""The administrator's pages of the agencies: the list with contacts and rules, an agency's contact and a rule's
target, each change audited; a changed rule gives new permits the new agency and leaves recorded ones alone."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from devtools.factories import agency, make_estate, permit_type, region
from estates.models import CapitalStatus
from permits.agencies.models import AgencyKind, AgencyLevel, AgencyRule
from permits.models import PermitStatus
from permits.services import create_permit


@pytest.fixture
def admin(login_as) -> FlaskClient:
    return login_as("administrator")


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def audit_lines() -> list[str]:
    query = select(AuditLog.detail).where(AuditLog.event == AuditEvent.AGENCY_CHANGED).order_by(AuditLog.id)
    return list(db.session.scalars(query))


def rule_of(code: str, capital: CapitalStatus | None) -> AgencyRule:
    query = select(AgencyRule).where(
        AgencyRule.permit_type_id == permit_type(code).id,
        AgencyRule.capital_status.is_(None) if capital is None else AgencyRule.capital_status == capital,
    )
    return db.session.scalars(query).one()


# --- the administrator's pages -------------------------------------------------------------------------------


def test_the_list_shows_every_agency_its_contact_and_the_rules(admin):
    html = admin.get("/admin/agencies").get_data(as_text=True)
    rows = re.findall(r'<tr id="agency-\d+" data-code="([\w-]+)">', html)
    assert len(rows) == 33 and rows[:5] == ["oss", "atr-bpn", "klh", "kemenhub", "kemenperin"]
    assert rows.count("3673-dlh") == 1
    oss = html[html.index('data-code="oss"') :]
    oss = oss[: oss.index("</tr>")]
    assert 'href="https://oss.go.id"' in oss  # the one contact the seed has a source for
    klh = html[html.index('data-code="klh"') :]
    assert "Contact not yet recorded" in klh[: klh.index("</tr>")]
    rules = text_of(re.search(r'<table[^>]*id="agency-rules".*?</table>', html, re.S).group(0))
    assert "AMDAL Environmental approval through AMDAL PMA (foreign) Environment · Central government" in rules
    assert "Ministry of Environment/Environmental Control Agency" in rules
    assert "the office of the estate's kab/kota" in rules
    assert 'href="/admin/agencies"' in admin.get("/admin/").get_data(as_text=True)


def test_an_administrator_records_a_contact_with_its_source_audited(admin):
    klh = agency("klh")
    page = admin.get(f"/admin/agencies/{klh.id}/edit").get_data(as_text=True)
    assert klh.name_id in page
    bad = {"name_id": klh.name_id, "name_en": klh.name_en, "website": "javascript:alert(1)", "email": "nope"}
    response = admin.post(f"/admin/agencies/{klh.id}/edit", data=bad)
    assert response.status_code == 200 and "Nothing was saved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (klh.website, klh.email) == (None, None)
    data = {
        "name_id": klh.name_id,
        "name_en": klh.name_en,
        "address": " Jl. Contoh No. 1, Jakarta ",
        "phone": "021 123456",
        "email": "",
        "website": "https://example.go.id",
        "source": "Situs resmi, dibuka 1 Maret 2026",
    }
    assert admin.post(f"/admin/agencies/{klh.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (klh.address, klh.phone, klh.email, klh.website) == (
        "Jl. Contoh No. 1, Jakarta",
        "021 123456",
        None,
        "https://example.go.id",
    )
    assert audit_lines() == ["agency klh: address, phone, website, source"]
    assert admin.post(f"/admin/agencies/{klh.id}/edit", data=data).status_code == 302
    assert len(audit_lines()) == 1  # nothing changed, nothing written


def test_a_name_may_not_be_blanked(admin):
    oss = agency("oss")
    response = admin.post(f"/admin/agencies/{oss.id}/edit", data={"name_id": " ", "name_en": oss.name_en})
    assert response.status_code == 200
    db.session.expire_all()
    assert oss.name_id.startswith("Lembaga OSS") and audit_lines() == []


@time_machine.travel("2026-03-02 10:00 +0700", tick=False)
def test_a_changed_rule_gives_new_permits_the_new_agency_and_is_audited(admin):
    rule = rule_of("IUKI", CapitalStatus.PMDN)
    page = admin.get(f"/admin/agency-rules/{rule.id}/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="investment/province">', page)
    old_estate = make_estate(region=region("36.04"))
    old = create_permit(old_estate, permit_type("IUKI").id, PermitStatus.NOT_STARTED, actor="Petugas")
    db.session.commit()
    refused = admin.post(f"/admin/agency-rules/{rule.id}/edit", data={"target": "transport/kab_kota"})
    assert refused.status_code == 200  # no transport office is recorded for any kab/kota: not offered
    data = {"target": "investment/kab_kota", "source": "Pendelegasian kepada bupati/wali kota (uji)"}
    assert admin.post(f"/admin/agency-rules/{rule.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (rule.agency_kind, rule.agency_level) == (AgencyKind.INVESTMENT, AgencyLevel.KAB_KOTA)
    assert audit_lines() == [
        f"agency rule {rule.id} (permit type {rule.permit_type_id}, pmdn): investment/province -> investment/kab_kota"
    ]
    new = create_permit(
        make_estate(region=region("36.04")), permit_type("IUKI").id, PermitStatus.NOT_STARTED, actor="P"
    )
    assert (old.agency.code, new.agency.code) == ("banten-dpmptsp", "3604-dpmptsp")
