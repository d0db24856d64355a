"""Which agency a new permit gets: the catalogue's rules (issue 9: agencies as records; DOMAIN.md sections 1 and 3),
resolved from the investor's capital status, the estate's kab/kota and the permit type; an officer's choice of
another agency needs a reason, kept on the permit and in the audit log, never in the stage machine's history."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import agency, make_estate, make_investor, make_permit, permit_type, region
from estates.models import CapitalStatus
from permits.agencies.models import AgencyKind, AgencyLevel, AgencyRule
from permits.agencies.services import AgencyResolver, resolve_agency
from permits.agency_choice import rule_agency
from permits.models import PermitEvent, PermitStatus
from permits.services import PermitError, create_permit, update_permit

NOON = "2026-03-02 12:00 +0700"

# The reference case: a PMA in Kota Serang (the JDI estate) gets the central bodies (PP 28/2025 Pasal 138(4)),
# and the kab/kota building office for PBG and SLF.
PMA_KOTA_SERANG = {
    "NIB": "oss",
    "KKPR": "atr-bpn",
    "PERTEK": "klh",
    "AMDAL": "klh",
    "IUKI": "oss",
    "PBG": "3673-pupr",
    "SLF": "3673-pupr",
    "PERLUASAN": "oss",
}
# A PMDN in Kabupaten Tangerang: OSS for the NIB, the kab/kota for the rest, the province for the IUKI.
PMDN_KAB_TANGERANG = {
    "NIB": "oss",
    "KKPR": "3603-dpmptsp",
    "PERTEK": "3603-dlhk",
    "AMDAL": "3603-dlhk",
    "IUKI": "banten-dpmptsp",
    "PBG": "3603-dtrb",
    "SLF": "3603-dtrb",
    "PERLUASAN": "banten-dpmptsp",
}
CASES = [(CapitalStatus.PMA, "36.73", code, expected) for code, expected in PMA_KOTA_SERANG.items()] + [
    (CapitalStatus.PMDN, "36.03", code, expected) for code, expected in PMDN_KAB_TANGERANG.items()
]


def estate_of(capital: CapitalStatus, bps: str):
    return make_estate(investor=make_investor(capital_status=capital), region=region(bps))


def test_the_tables_cover_every_permit_type_of_the_catalogue():
    codes = set(db.session.scalars(select(AgencyRule.permit_type_id)).all())
    assert {permit_type(code).id for code in PMA_KOTA_SERANG} == codes


@pytest.mark.parametrize(("capital", "bps", "code", "expected"), CASES)
@time_machine.travel(NOON, tick=False)
def test_a_new_permit_gets_the_agency_its_rule_resolves(capital, bps, code, expected):
    estate = estate_of(capital, bps)
    assert resolve_agency(permit_type(code).id, capital, estate.region_id) == agency(expected)
    permit = create_permit(estate, permit_type(code).id, PermitStatus.NOT_STARTED, actor="Petugas")
    assert (permit.agency.code, permit.agency_override_reason, permit.issuing_authority) == (expected, None, None)


def test_a_kab_kota_rule_takes_the_estates_own_kab_kota():
    pbg = permit_type("PBG").id
    found = {bps: resolve_agency(pbg, CapitalStatus.PMA, region(bps).id).code for bps in ("36.71", "36.74", "36.01")}
    assert found == {"36.71": "3671-perkimtan", "36.74": "3674-dcktr", "36.01": "3601-pupr"}
    assert {a.region.bps_code for a in (agency(code) for code in found.values())} == set(found)


def test_a_rule_for_the_capital_status_wins_over_a_rule_for_any():
    nib = permit_type("NIB")
    db.session.add(
        AgencyRule(
            permit_type_id=nib.id,
            capital_status=CapitalStatus.PMDN,
            agency_kind=AgencyKind.INVESTMENT,
            agency_level=AgencyLevel.KAB_KOTA,
        )
    )
    db.session.flush()
    serang = region("36.73").id
    assert resolve_agency(nib.id, CapitalStatus.PMDN, serang) == agency("3673-dpmptsp")
    assert resolve_agency(nib.id, CapitalStatus.PMA, serang) == agency("oss")  # the rule for any


def test_no_rule_or_no_such_office_resolves_to_nothing():
    kkpr = permit_type("KKPR")
    db.session.execute(AgencyRule.__table__.delete().where(AgencyRule.permit_type_id == kkpr.id))
    estate = estate_of(CapitalStatus.PMA, "36.73")
    assert rule_agency(estate, kkpr.id) is None
    permit = create_permit(estate, kkpr.id, PermitStatus.NOT_STARTED, actor="Petugas")
    assert permit.agency is None
    resolver = AgencyResolver()
    assert resolver.agency(AgencyKind.TRANSPORT, AgencyLevel.KAB_KOTA, region("36.73").id) is None


# --- an officer's choice -------------------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_another_agency_than_the_rules_needs_a_reason_and_nothing_is_written_without_one():
    estate = estate_of(CapitalStatus.PMA, "36.73")
    amdal = permit_type("AMDAL").id
    before = db.session.scalar(select(func.count()).select_from(PermitEvent))
    for blank in (None, "", "   "):
        with pytest.raises(PermitError) as caught:
            create_permit(
                estate,
                amdal,
                PermitStatus.NOT_STARTED,
                actor="Petugas",
                agency_id=agency("3673-dlh").id,
                agency_override_reason=blank,
            )
        assert set(caught.value.errors) == {"agency_override_reason"}
    assert db.session.scalar(select(func.count()).select_from(PermitEvent)) == before
    with pytest.raises(PermitError) as caught:
        create_permit(estate, amdal, PermitStatus.NOT_STARTED, actor="Petugas", agency_id=999_999, notes="x")
    assert set(caught.value.errors) == {"agency"}
    # the rule's own agency needs no reason, and records none
    permit = create_permit(
        estate, amdal, PermitStatus.NOT_STARTED, actor="Petugas", agency_id=agency("klh").id, agency_override_reason="x"
    )
    assert (permit.agency.code, permit.agency_override_reason) == ("klh", None)


@time_machine.travel(NOON, tick=False)
def test_an_override_keeps_its_reason_on_the_permit_and_an_audit_line_not_a_history_event():
    estate = estate_of(CapitalStatus.PMA, "36.73")
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
    permit = create_permit(
        estate, permit_type("KKPR").id, PermitStatus.SUBMITTED, actor="Petugas", submitted_on=date(2026, 2, 2)
    )
    events = [(e.seq, e.to_status) for e in permit.events]
    db.session.commit()
    officer = Scope(role=SYSTEM_SCOPE.role, user_id=None)
    chosen = agency("3673-dpmptsp")
    with pytest.raises(PermitError):
        update_permit(permit, agency_id=chosen.id, scope=officer)
    db.session.rollback()  # as the view's refusal does
    assert permit.agency == agency("atr-bpn")
    update_permit(permit, agency_id=chosen.id, agency_override_reason="PKKPR oleh wali kota (RDTR)", scope=officer)
    assert (permit.agency, permit.agency_override_reason) == (chosen, "PKKPR oleh wali kota (RDTR)")
    assert [(e.seq, e.to_status) for e in permit.events] == events
    (line,) = db.session.scalars(select(AuditLog).where(AuditLog.event == AuditEvent.PERMIT_AGENCY_CHANGED)).all()
    assert line.detail == (
        f"permit {permit.id} (KKPR): agency atr-bpn -> 3673-dpmptsp; reason: PKKPR oleh wali kota (RDTR)"
    )
    # saving the record again with the same choice changes nothing and writes no second line
    update_permit(
        permit, agency_id=chosen.id, agency_override_reason=" PKKPR oleh wali kota (RDTR) ", notes="n", scope=officer
    )
    agency_lines = select(func.count()).where(AuditLog.event == AuditEvent.PERMIT_AGENCY_CHANGED)
    assert db.session.scalar(agency_lines) == 1


@time_machine.travel(NOON, tick=False)
def test_a_permit_keeps_its_agency_when_the_rule_changes_afterwards():
    estate = estate_of(CapitalStatus.PMDN, "36.03")
    iuki = permit_type("IUKI").id
    permit = create_permit(estate, iuki, PermitStatus.NOT_STARTED, actor="Petugas")
    rule = db.session.scalars(
        select(AgencyRule).where(AgencyRule.permit_type_id == iuki, AgencyRule.capital_status == CapitalStatus.PMDN)
    ).one()
    rule.agency_level = AgencyLevel.KAB_KOTA
    db.session.flush()
    update_permit(permit, agency_id=permit.agency_id, notes="edited", scope=SYSTEM_SCOPE)
    assert permit.agency == agency("banten-dpmptsp")  # kept: no reason asked for an unchanged agency
    other = create_permit(estate_of(CapitalStatus.PMDN, "36.03"), iuki, PermitStatus.NOT_STARTED, actor="Petugas")
    assert other.agency == agency("3603-dpmptsp")
