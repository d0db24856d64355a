"""Recording and correcting LKPM reports: the history keeps the values a correction replaced; who sees which report
(an investor its own, a Kota Serang officer Kota Serang's); the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import NotFound, ReadOnlyScope
from app.extensions import db
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import make_lkpm_entry, region
from realisation import queries, services
from realisation.models import LkpmEntry, LkpmEntryRevision, LkpmStatus
from realisation.services import EntryValues, LkpmRuleError

VALUES = EntryValues(
    investment_rp=Decimal("12500000000"),
    tki=350,
    tka=4,
    status=LkpmStatus.SENT,
    reported_on=date(2026, 7, 14),
    fixed_capital_rp=Decimal("10000000000"),
    working_capital_rp=Decimal("2500000000"),
)


def _serang_officer() -> Scope:
    return Scope(role=Role.OFFICER, region_id=region("36.73").id)


def test_a_correction_keeps_the_earlier_values_in_the_history(companies):
    entry = services.create_entry(companies.pma, companies.serang, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")
    corrected = EntryValues(**{**VALUES.__dict__, "tki": 410, "status": LkpmStatus.APPROVED})
    assert services.correct_entry(entry, corrected, scope=SYSTEM_SCOPE, actor="Budi", reason="Revisi di OSS")
    assert (entry.tki, entry.status, entry.version, entry.recorded_by) == (410, LkpmStatus.APPROVED, 2, "Budi")
    (revision,) = entry.revisions
    assert (revision.version, revision.tki, revision.status) == (1, 350, LkpmStatus.SENT)
    assert (revision.recorded_by, revision.replaced_by, revision.reason) == ("Ani", "Budi", "Revisi di OSS")
    assert revision.fixed_capital_rp == Decimal("10000000000")

    again = EntryValues(**{**corrected.__dict__, "tka": 5})
    services.correct_entry(entry, again, scope=SYSTEM_SCOPE, actor="Citra")
    assert [r.version for r in db.session.scalars(select(LkpmEntryRevision).order_by(LkpmEntryRevision.version))] == [
        1,
        2,
    ]


def test_a_correction_that_changes_nothing_writes_no_history(companies):
    entry = services.create_entry(companies.pma, None, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")
    assert not services.correct_entry(entry, VALUES, scope=SYSTEM_SCOPE, actor="Budi")
    assert entry.version == 1 and db.session.scalar(select(func.count(LkpmEntryRevision.id))) == 0


def test_a_stale_correction_is_refused(companies):
    entry = services.create_entry(companies.pma, None, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")
    services.correct_entry(entry, EntryValues(**{**VALUES.__dict__, "tki": 1}), scope=SYSTEM_SCOPE, actor="B")
    with pytest.raises(LkpmRuleError, match="meanwhile"):
        services.correct_entry(entry, VALUES, scope=SYSTEM_SCOPE, actor="C", expected_version=1)


def test_one_report_per_investor_estate_and_period(companies):
    services.create_entry(companies.pma, companies.serang, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")
    services.create_entry(companies.pma, None, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")  # company-wide
    for estate in (companies.serang, None):
        with pytest.raises(LkpmRuleError, match="already recorded"):
            services.create_entry(companies.pma, estate, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")


def test_the_period_kind_follows_the_investor(companies):
    with pytest.raises(LkpmRuleError, match="files quarterly"):
        services.create_entry(companies.pma, None, "2026-S1", VALUES, scope=SYSTEM_SCOPE, actor="Ani")
    with pytest.raises(LkpmRuleError, match="half-yearly"):
        services.create_entry(companies.small, None, "2026-Q2", VALUES, scope=SYSTEM_SCOPE, actor="Ani")
    assert services.create_entry(companies.small, None, "2026-S1", VALUES, scope=SYSTEM_SCOPE, actor="Ani").id


def test_the_governors_office_and_investors_change_nothing(companies):
    for role in (Role.GOVERNOR, Role.INVESTOR):
        with pytest.raises(ReadOnlyScope):
            services.create_entry(companies.pma, None, "2026-Q2", VALUES, scope=Scope(role=role), actor="X")


def test_an_investor_sees_only_its_own_reports(companies, login_as):
    own = make_lkpm_entry(companies.serang)
    other = make_lkpm_entry(None, investor=companies.small, period="2026-S1")
    db.session.commit()
    scope = Scope(role=Role.INVESTOR, investor_id=companies.small.id)
    assert queries.get_entry(other.id, scope) == other
    with pytest.raises(NotFound):
        queries.get_entry(own.id, scope)

    client = login_as("investor", investor=companies.small)
    page = client.get("/portal/lkpm").get_data(as_text=True)
    assert "2026-S1" in page and "2026-Q2" not in page
    assert client.get(f"/realisation/lkpm/{other.id}").status_code == 403  # the office's pages are not the portal's


def test_a_kota_serang_officer_sees_only_kota_serangs_reports(companies, login_as):
    serang = make_lkpm_entry(companies.serang, tki=111)
    tangerang = make_lkpm_entry(companies.tangerang, tki=222)
    company = make_lkpm_entry(None, investor=companies.pma, tki=333)
    db.session.commit()
    listed = db.session.scalars(queries.search_entries(queries.EntryFilters(), scope=_serang_officer())).all()
    assert listed == [serang]

    client = login_as("officer", region="36.73")
    assert client.get(f"/realisation/lkpm/{serang.id}").status_code == 200
    assert client.get(f"/realisation/lkpm/{tangerang.id}").status_code == 404
    assert client.get(f"/realisation/lkpm/{company.id}").status_code == 404
    assert client.get(f"/realisation/lkpm/{tangerang.id}/correct").status_code == 404
    page = client.get("/realisation/lkpm").get_data(as_text=True)
    assert "Kawasan Sawah Luhur" in page and "Kawasan Pasar Kemis" not in page

    province = login_as("officer")
    page = province.get("/realisation/lkpm").get_data(as_text=True)
    assert "Kawasan Sawah Luhur" in page and "Kawasan Pasar Kemis" in page


def test_a_kota_serang_officer_records_reports_of_kota_serang_estates_only(companies):
    scope = _serang_officer()
    with pytest.raises(LkpmRuleError, match="outside your kabupaten/kota"):
        services.create_entry(companies.pma, companies.tangerang, "2026-Q2", VALUES, scope=scope, actor="A")
    with pytest.raises(LkpmRuleError, match="choose one"):
        services.create_entry(companies.pma, None, "2026-Q2", VALUES, scope=scope, actor="A")
    assert services.create_entry(companies.pma, companies.serang, "2026-Q2", VALUES, scope=scope, actor="A").id


def test_an_officer_records_and_corrects_a_report_through_the_pages(companies, client):
    form = {
        "investor_id": companies.pma.id,
        "estate_id": companies.serang.id,
        "period": "2026-Q3",
        "investment_rp": "Rp2.500.000.000",
        "tki": "120",
        "tka": "3",
        "status": "terkirim",
        "reported_on": "2026-10-12",
    }
    response = client.post("/realisation/lkpm/new", data=form)
    assert response.status_code == 302
    entry = db.session.scalars(select(LkpmEntry)).one()
    assert (entry.investment_rp, entry.period, entry.recorded_by) == (Decimal(2_500_000_000), "2026-Q3", "Test officer")

    refused = client.post("/realisation/lkpm/new", data=form)
    assert refused.status_code == 422 and "already recorded" in refused.get_data(as_text=True)

    correction = {**form, "tki": "150", "reason": "Revisi", "version": "1"}
    assert client.post(f"/realisation/lkpm/{entry.id}/correct", data=correction).status_code == 302
    page = client.get(f"/realisation/lkpm/{entry.id}").get_data(as_text=True)
    assert "Revisi" in page and 'id="entry-tki">150<' in page
    db.session.expire_all()
    assert [r.tki for r in db.session.get(LkpmEntry, entry.id).revisions] == [120]


def test_the_governors_office_reads_the_pages_without_the_buttons(companies, login_as):
    make_lkpm_entry(companies.serang)
    db.session.commit()
    governor = login_as("governor")
    page = governor.get("/realisation/lkpm").get_data(as_text=True)
    assert "Kawasan Sawah Luhur" in page and 'id="new-entry"' not in page and 'id="import-link"' not in page
    assert governor.get("/realisation/lkpm/new").status_code == 403
