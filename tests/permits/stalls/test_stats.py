"""Figures of stalled approvals per agency, permit type and kab/kota; the stalled list's query and rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import agency, make_estate, make_permit, permit_type, region
from permits.calendar import add_working_days
from permits.models import PermitStatus as S
from permits.rules import AgencySilence
from permits.stalls.models import FlagKind
from permits.stalls.scan import scan_stalled
from permits.stalls.stats import (
    Grouping,
    ListPage,
    StallFilters,
    median,
    percentile,
    stall_rows,
    stall_statistics,
    stalled_permits_query,
)
from permits.workflow import advance_permit

START = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 6, 1)
A, B = "3673-dpmptsp", "3604-dlh"  # agency codes: the KKPR and PERTEK offices of PMDN estates there


def key(code: str) -> str:
    """The figures' key of an agency: its record's id."""
    return str(agency(code).id)


def test_median_of_odd_and_even_counts_and_of_nothing():
    assert median([30, 10, 20]) == Decimal(20)
    assert median([10, 20, 26, 30]) == Decimal(23)
    assert median([1, 2]) == Decimal("1.5")
    assert median([7]) == Decimal(7)
    assert median([]) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (list(range(1, 11)), 9),  # 90% of 10 values: the 9th
        (list(range(1, 12)), 10),  # 90% of 11 is 9.9: the 10th
        (list(range(1, 21)), 18),
        (list(range(1, 31)), 27),  # exactly 27 (no float rounding up to 28)
        ([5], 5),
        ([30, 5, 20], 30),
    ],
)
def test_the_90th_percentile_is_the_nearest_rank(values, expected):
    assert percentile(values, 90) == expected


def test_percentile_of_nothing_is_none():
    assert percentile([], 90) is None


def _filed(code: str, agency_code: str, bps: str, on: date = START, legacy: str | None = None):
    estate = make_estate(region=region(bps))
    for pre in {"KKPR": ("NIB",), "PERTEK": ("NIB", "KKPR")}[code]:
        make_permit(pre, estate=estate, status=S.ISSUED)
    permit = make_permit(code, estate=estate, agency=agency(agency_code), issuing_authority=legacy)
    advance_permit(permit, S.SUBMITTED, actor="t", on=on, today=TODAY)
    if code == "KKPR":  # its clock starts when the fee is paid
        advance_permit(permit, S.DECLARED_COMPLETE, actor="t", on=on, today=TODAY)
    return permit


def _decided(code: str, agency_code: str, bps: str, days: int, outcome: S = S.ISSUED, legacy: str | None = None):
    permit = _filed(code, agency_code, bps, legacy=legacy)
    note = None if outcome is S.ISSUED else "decision"
    on = add_working_days(START, days)
    advance_permit(permit, outcome, actor="t", note=note, on=on, today=TODAY, evidence_fingerprint="e" * 64)
    return permit


def _returned(code: str, agency_code: str, bps: str, days: int):
    permit = _filed(code, agency_code, bps)
    advance_permit(permit, S.RETURNED, actor="t", note="fix", on=add_working_days(START, days), today=TODAY)
    return permit


@pytest.fixture
def world():
    """Agency A (KKPR, Kota Serang): four decisions and two returns. Agency B (PERTEK, Kab. Serang): one
    decision, one file overdue on TODAY and one on track. The KKPR rule is made one the law deems granted on
    silence (UU 30/2014 Pasal 53), so that a deemed grant followed by the decree can be recorded."""
    kkpr = next(r for r in permit_type("KKPR").rules if r.regime.name == "PP 28/2025")
    kkpr.agency_silence = AgencySilence.DEEMED_GRANTED
    _decided("KKPR", A, "36.73", 10)
    _decided("KKPR", A, "36.73", 20)
    _decided("KKPR", A, "36.73", 30, S.REJECTED)
    late_grant = _decided("KKPR", A, "36.73", 26, S.DEEMED_GRANTED)  # a day past the limit
    advance_permit(late_grant, S.ISSUED, actor="t", on=add_working_days(START, 40), today=TODAY)  # not a decision
    _returned("KKPR", A, "36.73", 5)  # at 20% of 25 days: an early stop
    _returned("KKPR", A, "36.73", 20)  # at 80%: late
    _decided("PERTEK", B, "36.04", 5)
    _filed("PERTEK", B, "36.04")  # 30 working days from 2 March: overdue by June
    _filed("PERTEK", B, "36.04", on=date(2026, 5, 25))
    db.session.commit()


def _figures(rows):
    return {
        f.key: (f.running, f.overdue_now, f.decided, f.median_days, f.p90_days, f.within_limit, f.stops, f.late_stops)
        for f in rows
    }


AGENCY_A = (0, 0, 4, Decimal(23), 30, 2, 2, 1)
AGENCY_B = (2, 1, 1, Decimal(5), 5, 1, 0, 0)


def test_figures_by_agency_with_the_total(world):
    stats = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, TODAY)
    assert [f.key for f in stats.rows] == [key(B), key(A)]  # most overdue now first
    assert _figures(stats.rows) == {key(A): AGENCY_A, key(B): AGENCY_B}
    assert [f.label for f in stats.rows] == [agency(B).name_id, agency(A).name_id]
    total = stats.total
    assert (total.running, total.overdue_now, total.decided, total.within_limit) == (2, 1, 5, 3)
    assert (total.median_days, total.p90_days, total.share_within) == (Decimal(20), 30, Decimal("0.6"))
    assert (total.stops, total.late_stops) == (2, 1)
    assert stats.late_share == Decimal("0.75")


def test_figures_make_one_row_per_agency_record_whatever_its_old_spelling():
    """Issue 9: "Lembaga OSS" and "Lembaga OSS (Kementerian Investasi/BKPM)" were two rows; the record is one."""
    _decided("KKPR", A, "36.73", 10, legacy="Lembaga OSS")
    _decided("KKPR", A, "36.73", 20, legacy="Lembaga OSS (Kementerian Investasi/BKPM)")
    _filed("KKPR", A, "36.73", legacy="DPMPTSP Kota Serang")
    _filed("PERTEK", B, "36.04", legacy="Lembaga OSS")  # the same text on another agency's permit
    stats = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, TODAY, locale="en")
    rows = {f.key: (f.label, f.running, f.decided) for f in stats.rows}
    assert rows == {key(A): (agency(A).name_en, 1, 2), key(B): (agency(B).name_en, 1, 0)}


def test_permits_without_an_agency_are_one_row_of_their_own():
    permit = _filed("KKPR", A, "36.73")
    permit.agency = None
    stats = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, TODAY, locale="en")
    assert [(f.key, f.label, f.running) for f in stats.rows] == [("", "Agency not recorded", 1)]


def test_overdue_now_is_counted_on_the_day_given(world):
    due = add_working_days(START, 30)
    before = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, due)
    after = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, add_working_days(START, 31))
    assert before.total.overdue_now == 0
    assert after.total.overdue_now == 1


def test_a_lower_late_share_counts_more_stops_late(world):
    stats = stall_statistics(Grouping.AGENCY, StallFilters(), SYSTEM_SCOPE, TODAY, late_share=Decimal("0.2"))
    assert stats.total.late_stops == 2


def test_figures_by_permit_type_and_by_kab_kota(world):
    by_type = stall_statistics(Grouping.PERMIT_TYPE, StallFilters(), SYSTEM_SCOPE, TODAY)
    assert _figures(by_type.rows) == {"KKPR": AGENCY_A, "PERTEK": AGENCY_B}
    by_region = stall_statistics(Grouping.REGION, StallFilters(), SYSTEM_SCOPE, TODAY)
    assert _figures(by_region.rows) == {"36.73": AGENCY_A, "36.04": AGENCY_B}
    assert {f.key: f.label for f in by_region.rows} == {"36.73": "Kota Serang", "36.04": "Kabupaten Serang"}


@pytest.mark.parametrize(
    ("filters", "keys"),
    [
        ({"region_code": "36.73"}, {A}),
        ({"permit_type_code": "PERTEK"}, {B}),
        ({"agency": A}, {A}),
        ({"agency": A, "permit_type_code": "PERTEK"}, set()),
    ],
)
def test_filters_narrow_every_figure(world, filters, keys):
    filters = dict(filters)
    if "agency" in filters:
        filters["agency_id"] = agency(filters.pop("agency")).id
    stats = stall_statistics(Grouping.AGENCY, StallFilters(**filters), SYSTEM_SCOPE, TODAY)
    assert {f.key for f in stats.rows} == {key(k) for k in keys}
    expected = {key(A): AGENCY_A, key(B): AGENCY_B}
    assert _figures(stats.rows) == {key(k): expected[key(k)] for k in keys}


def test_a_region_officer_gets_the_figures_of_its_kab_kota_only(world):
    scope = Scope(role=Role.OFFICER, region_id=region("36.04").id)
    stats = stall_statistics(Grouping.AGENCY, StallFilters(), scope, TODAY)
    assert _figures(stats.rows) == {key(B): AGENCY_B}
    assert stall_statistics(Grouping.AGENCY, StallFilters(), Scope(role=Role.INVESTOR), TODAY).rows == []


# --- the stalled list --------------------------------------------------------------------------------------


def test_the_list_holds_flagged_permits_in_scope_longest_late_first_with_their_flags():
    late = _filed("KKPR", A, "36.73", on=date(2026, 1, 8))
    later = _filed("KKPR", A, "36.73", on=date(2026, 2, 2))
    at_risk = _filed("KKPR", A, "36.73", on=date(2026, 3, 10))
    elsewhere = _filed("KKPR", B, "36.04", on=date(2026, 1, 5))
    _filed("KKPR", A, "36.73", on=date(2026, 4, 1))  # on track: no flag
    investor_late = _returned("KKPR", A, "36.73", 3)  # returned 5 March; 5 working days to revise
    day = date(2026, 4, 15)
    scan_stalled(day)
    permits = db.session.scalars(stalled_permits_query(StallFilters(), SYSTEM_SCOPE)).all()
    assert permits == [elsewhere, late, later, investor_late, at_risk]
    rows = {r.permit.id: r for r in stall_rows(permits, day)}
    assert [f.kind for f in rows[late.id].flags] == [FlagKind.AUTOMATIC_OUTCOME, FlagKind.OVERDUE]
    assert rows[late.id].days_overdue > rows[later.id].days_overdue > 0
    assert rows[investor_late.id].late_party.value == "investor" and rows[investor_late.id].days_overdue > 0
    assert rows[at_risk.id].days_overdue == 0 and rows[at_risk.id].raised_on == day

    serang = Scope(role=Role.OFFICER, region_id=region("36.73").id)
    assert elsewhere not in db.session.scalars(stalled_permits_query(StallFilters(), serang)).all()
    only_at_risk = db.session.scalars(stalled_permits_query(StallFilters(kind=FlagKind.AT_RISK), SYSTEM_SCOPE)).all()
    assert only_at_risk == [at_risk]
    by_agency = db.session.scalars(stalled_permits_query(StallFilters(agency_id=agency(B).id), SYSTEM_SCOPE)).all()
    assert by_agency == [elsewhere]


def test_a_resolved_flag_leaves_the_list():
    permit = _filed("KKPR", A, "36.73", on=date(2026, 1, 8))
    scan_stalled(date(2026, 3, 2))
    assert db.session.scalars(stalled_permits_query(StallFilters(), SYSTEM_SCOPE)).all() == [permit]
    advance_permit(permit, S.ISSUED, actor="t", on=date(2026, 3, 3), today=TODAY)
    scan_stalled(date(2026, 3, 3))
    assert db.session.scalars(stalled_permits_query(StallFilters(), SYSTEM_SCOPE)).all() == []


def test_a_list_page_in_memory_clamps_the_page_number():
    page = ListPage(list(range(45)), 3, 20)
    assert (page.pages, list(page.items), page.has_prev, page.has_next) == (3, list(range(40, 45)), True, False)
    assert ListPage(list(range(45)), 9, 20).page == 3
    assert list(ListPage([], 1, 20).items) == [] and ListPage([], 1, 20).pages == 1
