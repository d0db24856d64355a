"""What an investor reads on the portal about the agencies: who holds each file and where to file the next one,
by name in the user's language, with the contact recorded, or "contact not yet recorded"."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from devtools.factories import agency, make_estate, make_investor, make_permit, permit_type, region
from estates.models import CapitalStatus
from permits.agencies.models import AgencyRule
from permits.models import PermitStatus
from permits.workflow import advance_permit


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


# --- the investor's portal -----------------------------------------------------------------------------------


@time_machine.travel("2026-03-02 10:00 +0700", tick=False)
def test_an_investor_sees_the_agency_that_holds_the_file_and_how_to_reach_it(login_as):
    investor = make_investor(legal_name="PT Asing Serang", capital_status=CapitalStatus.PMA, country_of_origin="CN")
    estate = make_estate(investor=investor, region=region("36.73"), name="Kawasan Sawah Luhur Uji")
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(code, estate=estate, status=PermitStatus.ISSUED, submitted_on=date(2025, 6, 2),
                    decided_on=date(2025, 7, 1))  # fmt: skip
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, PermitStatus.SUBMITTED, actor="Petugas", on=date(2026, 2, 2), today=date(2026, 2, 2))
    klh = agency("klh")
    assert amdal.agency == klh  # a PMA's AMDAL: the environment ministry (PP 28/2025 Pasal 138(4))
    db.session.commit()
    client = login_as("investor", investor=investor)

    page = client.get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    holder = text_of(
        re.search(r'<div class="mt-3" id="agency">.*?</ul>|<div class="mt-3" id="agency">.*?</span>', page, re.S).group(
            0
        )
    )
    assert holder == f"The agency that holds the file {klh.name_en} Contact not yet recorded"
    assert klh.name_en in text_of(re.search(r'id="whose-move">(.*?)</div>', page, re.S).group(1))

    klh.phone, klh.website = "021 000000", "https://example.go.id"
    db.session.commit()
    page = client.get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    contact = re.search(r'<div class="mt-3" id="agency">(.*?)</ul>', page, re.S).group(1)
    assert "021 000000" in contact and 'href="https://example.go.id"' in contact
    assert "Contact not yet recorded" not in contact

    # where to file the permits not filed yet: the IUKI goes to Lembaga OSS, whose website is recorded
    home = client.get(f"/portal/estates/{estate.id}").get_data(as_text=True)
    line = re.search(r'<tr class="portal-line who-\w+" data-type="IUKI">(.*?)</tr>', home, re.S).group(1)
    assert agency("oss").name_en in text_of(line)
    pbg = re.search(r'<tr class="portal-line who-\w+" data-type="PBG">(.*?)</tr>', home, re.S).group(1)
    assert "File PBG when AMDAL is issued." in text_of(pbg)


@time_machine.travel("2026-03-02 10:00 +0700", tick=False)
def test_the_portal_speaks_the_agencys_indonesian_name_by_default(login_as):
    investor = make_investor(capital_status=CapitalStatus.PMDN)
    estate = make_estate(investor=investor, region=region("36.03"))
    db.session.commit()
    client = login_as("investor", investor=investor)
    client.get("/language/id")
    page = client.get(f"/portal/estates/{estate.id}").get_data(as_text=True)
    nib = text_of(re.search(r'data-type="NIB">(.*?)</tr>', page, re.S).group(1))
    assert agency("oss").name_id in nib and agency("oss").name_en not in nib
    assert "https://oss.go.id" in nib  # where to file, with its contact
