"""The missing-report scan: a flag the day after the deadline (not on it), raised once per episode, a second
missing period in a row a sanction risk, both resolved when the reports arrive; the scheduled job on a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Setting
from devtools.factories import make_estate, make_investor, make_lkpm_entry, make_permit
from estates.models import BusinessSize
from permits.models import PermitStatus
from realisation.jobs import lkpm_scan
from realisation.models import LkpmFlag, LkpmFlagKind, LkpmStatus
from realisation.scan import scan_missing_reports

MISSING, SANCTION = LkpmFlagKind.MISSING, LkpmFlagKind.SANCTION_RISK


@pytest.fixture(autouse=True)
def _check_from_2026_q1():
    db.session.get(Setting, "lkpm.first_period").value = "2026-Q1"
    db.session.flush()


def _flags(investor=None) -> list[tuple]:
    query = select(LkpmFlag.kind, LkpmFlag.period, LkpmFlag.raised_on, LkpmFlag.resolved_on, LkpmFlag.periods_missed)
    if investor is not None:
        query = query.where(LkpmFlag.investor_id == investor.id)
    return [tuple(row) for row in db.session.execute(query.order_by(LkpmFlag.id))]


def test_a_missing_report_is_flagged_the_day_after_its_deadline_and_once(companies):
    # 2026-Q1 is due on Wednesday 15 April 2026.
    scan_missing_reports(date(2026, 4, 15))
    assert _flags(companies.pma) == []
    result = scan_missing_reports(date(2026, 4, 16))
    assert result.raised[MISSING] == 1  # the PMA; the small company's first half-year is not due yet
    assert _flags(companies.pma) == [(MISSING, "2026-Q1", date(2026, 4, 16), None, 1)]
    again = scan_missing_reports(date(2026, 4, 16))
    assert again.raised == {MISSING.value: 0, SANCTION.value: 0}
    scan_missing_reports(date(2026, 5, 4))
    flag = db.session.scalars(select(LkpmFlag).where(LkpmFlag.investor_id == companies.pma.id)).one()
    assert (flag.raised_on, flag.last_confirmed_on) == (date(2026, 4, 16), date(2026, 5, 4))


def test_a_second_missing_period_in_a_row_is_a_sanction_risk_resolved_when_the_reports_arrive(companies):
    scan_missing_reports(date(2026, 4, 16))
    scan_missing_reports(date(2026, 7, 16))  # 2026-Q2 was due on 15 July
    assert _flags(companies.pma) == [
        (MISSING, "2026-Q1", date(2026, 4, 16), None, 1),
        (MISSING, "2026-Q2", date(2026, 7, 16), None, 1),
        (SANCTION, "2026-Q1", date(2026, 7, 16), None, 2),
    ]
    scan_missing_reports(date(2026, 10, 16))  # and 2026-Q3: the same run, the same sanction flag, three periods
    sanction = [f for f in _flags(companies.pma) if f[0] is SANCTION]
    assert sanction == [(SANCTION, "2026-Q1", date(2026, 7, 16), None, 3)]

    make_lkpm_entry(companies.serang, period="2026-Q2", status=LkpmStatus.SENT, reported_on=date(2026, 10, 20))
    result = scan_missing_reports(date(2026, 10, 21))
    assert result.resolved == {MISSING.value: 1, SANCTION.value: 1}
    by_period = {(f[0], f[1]): f for f in _flags(companies.pma)}
    assert by_period[(MISSING, "2026-Q2")][3] == date(2026, 10, 21)
    assert by_period[(SANCTION, "2026-Q1")][3] == date(2026, 10, 21)  # the run is broken: Q1 alone, then Q3 alone
    assert by_period[(MISSING, "2026-Q1")][3] is None and by_period[(MISSING, "2026-Q3")][3] is None


def test_a_draft_is_still_missing_until_it_is_sent(companies):
    entry = make_lkpm_entry(None, investor=companies.pma, period="2026-Q1", status=LkpmStatus.DRAFT)
    scan_missing_reports(date(2026, 4, 16))
    assert [f[:2] for f in _flags(companies.pma)] == [(MISSING, "2026-Q1")]
    entry.status = LkpmStatus.SENT
    scan_missing_reports(date(2026, 4, 20))
    assert _flags(companies.pma) == [(MISSING, "2026-Q1", date(2026, 4, 16), date(2026, 4, 20), 1)]
    scan_missing_reports(date(2026, 4, 21))  # resolved stays resolved, and the episode is not raised again
    assert len(_flags(companies.pma)) == 1
    entry.status = LkpmStatus.DRAFT  # withdrawn back to a draft: the same flag opens again
    result = scan_missing_reports(date(2026, 4, 22))
    assert result.reopened[MISSING] == 1 and result.raised[MISSING] == 0
    assert _flags(companies.pma) == [(MISSING, "2026-Q1", date(2026, 4, 16), None, 1)]


def test_a_half_yearly_filer_is_due_on_15_july_and_15_january(companies):
    scan_missing_reports(date(2026, 7, 15))
    assert _flags(companies.small) == []
    scan_missing_reports(date(2026, 7, 16))
    assert _flags(companies.small) == [(MISSING, "2026-S1", date(2026, 7, 16), None, 1)]


def test_who_is_not_expected_to_file_is_never_flagged():
    make_investor(legal_name="PT Tanpa NIB")  # no NIB recorded
    make_investor(legal_name="PT Mikro", nib="9120000000077", business_size=BusinessSize.MICRO)
    result = scan_missing_reports(date(2027, 1, 20))
    assert result.investors_expected == 0 and _flags() == []


def test_an_investor_is_checked_from_the_period_its_nib_was_issued_in():
    investor = make_investor(legal_name="PT Baru", nib="9120000000088")
    estate = make_estate(investor=investor)
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED, decided_on=date(2026, 8, 3))
    scan_missing_reports(date(2026, 10, 16))
    assert [f[:2] for f in _flags(investor)] == [(MISSING, "2026-Q3")]  # not Q1 and Q2, before its NIB


def test_the_sanction_rule_is_a_setting(companies):
    db.session.get(Setting, "lkpm.sanction_missed_periods").value = "3"
    scan_missing_reports(date(2026, 7, 16))
    assert all(f[0] is MISSING for f in _flags(companies.pma))
    scan_missing_reports(date(2026, 10, 16))
    assert [f for f in _flags(companies.pma) if f[0] is SANCTION] == [
        (SANCTION, "2026-Q1", date(2026, 10, 16), None, 3)
    ]


def test_the_scheduled_job_flags_by_the_clock_the_day_after_the_deadline(companies):
    db.session.commit()
    with time_machine.travel(datetime(2026, 4, 15, 16, 0, tzinfo=UTC), tick=False):  # 23.00 WIB on the deadline
        assert lkpm_scan()["raised"] == {MISSING.value: 0, SANCTION.value: 0}
    with time_machine.travel(datetime(2026, 4, 15, 17, 30, tzinfo=UTC), tick=False):  # 00.30 WIB the day after
        assert lkpm_scan()["raised"] == {MISSING.value: 1, SANCTION.value: 0}
