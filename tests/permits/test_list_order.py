"""The permits list and the stalled list in the order of their indexes, counted on the permit table alone
(issue 13): the stored late day, the default orders, and counts equal to the rows whatever the filter."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.listing import Sort
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import agency, file_permit, make_estate, make_investor, make_permit, region
from permits.clock import Band
from permits.models import LATE_ON, Permit
from permits.models import PermitStatus as S
from permits.queries import (
    SORTS,
    PermitFilters,
    permit_list_count,
    permit_list_query,
    permit_page_ids,
    permits_by_ids,
)
from permits.stages import AGENCY_STATUSES
from permits.stalls.models import FlagKind, StalledPermit, StallFlag
from permits.stalls.rows import page
from permits.stalls.scan import scan_stalled
from permits.stalls.stalled import stalled_mismatches
from permits.stalls.stats import STALL_SORTS, StallFilters, reads_from_flags, stalled_count, stalled_permits_query
from permits.tally import list_count
from permits.workflow import advance_permit

TODAY = date(2026, 6, 1)
MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0018_plist_list_orders.py"


def _fresh(permit: Permit) -> Permit:
    db.session.flush()
    db.session.refresh(permit)
    return permit


def _filed(bps: str, on: date, name: str = "Kawasan") -> Permit:
    estate = make_estate(name=name, region=region(bps))
    make_permit("NIB", estate=estate, status=S.ISSUED)
    return file_permit(make_permit("KKPR", estate=estate), on)


def test_the_late_day_is_computed_by_the_database_as_the_permit_moves():
    permit = _fresh(_filed("36.73", date(2026, 3, 2)))
    assert permit.overdue_on is not None and permit.late_on == permit.overdue_on
    advance_permit(permit, S.RETURNED, actor="t", note="fix", on=date(2026, 3, 4), today=TODAY)
    permit = _fresh(permit)
    assert permit.investor_overdue_on is not None and permit.late_on == permit.investor_overdue_on
    advance_permit(permit, S.DECLARED_COMPLETE, actor="t", on=date(2026, 3, 5), today=TODAY)
    permit = _fresh(permit)
    assert permit.late_on == permit.overdue_on
    advance_permit(permit, S.ISSUED, actor="t", on=date(2026, 3, 6), today=TODAY)
    assert _fresh(permit).late_on is None


def test_the_late_day_expression_names_the_agency_statuses_and_the_migration_uses_it():
    named = set(re.search(r"status IN \(([^)]*)\)", LATE_ON)[1].replace("'", "").split(", "))
    assert named == {s.value for s in AGENCY_STATUSES}
    spec = importlib.util.spec_from_file_location("plist_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.LATE_ON == LATE_ON


@pytest.fixture
def spread():
    """Overdue, at risk, on track, returned and never filed permits in two kab/kota, created out of order."""
    return {
        "never": make_permit("KKPR", estate=make_estate(name="Kawasan Zeta", region=region("36.73"))),
        "on_track": _filed("36.73", date(2026, 5, 25), "Kawasan Alfa"),
        "overdue_late": _filed("36.72", date(2026, 3, 20), "Kawasan Beta"),
        "overdue_early": _filed("36.73", date(2026, 1, 12), "Kawasan Gamma"),
        "returned": _returned(),
    }


def _returned() -> Permit:
    permit = _filed("36.72", date(2026, 5, 4), "Kawasan Delta")
    advance_permit(permit, S.RETURNED, actor="t", note="fix", on=date(2026, 5, 6), today=TODAY)
    return permit


def _rows(filters: PermitFilters, scope: Scope = SYSTEM_SCOPE) -> list[Permit]:
    return list(db.session.scalars(permit_list_query(filters, scope, TODAY)).unique())


def test_the_default_order_is_the_longest_overdue_first_then_the_nearest_deadline_then_the_order_recorded(spread):
    order = [p for p in _rows(PermitFilters()) if p in spread.values()]
    names = {p.id: k for k, p in spread.items()}
    assert [names[p.id] for p in order] == ["overdue_early", "overdue_late", "on_track", "never", "returned"]


@pytest.mark.parametrize(
    "filters",
    [
        PermitFilters(),
        PermitFilters(band=Band.OVERDUE),
        PermitFilters(band=Band.ON_TRACK),
        PermitFilters(band=Band.STOPPED),
        PermitFilters(band=Band.AT_RISK),
        PermitFilters(band=Band.STOPPED, permit_type_code="KKPR"),
        PermitFilters(band=Band.ON_TRACK, permit_type_code="KKPR"),
        PermitFilters(band=Band.OVERDUE, region_code="36.73"),
        PermitFilters(status=S.NOT_STARTED),
        PermitFilters(permit_type_code="KKPR"),
        PermitFilters(permit_type_code="NIB"),
        PermitFilters(permit_type_code="NO-SUCH-TYPE"),
        PermitFilters(region_code="36.72"),
        PermitFilters(status=S.NOT_STARTED, region_code="36.73"),
        PermitFilters(q="gamma"),
        PermitFilters(q="zeta", band=Band.OVERDUE),
        PermitFilters(q="%"),
        PermitFilters(answered=True),
        PermitFilters(sort=Sort("estate", True)),
    ],
)
@pytest.mark.parametrize("regional", [False, True])
def test_the_count_is_the_number_of_rows_whatever_the_filter_and_scope(spread, filters, regional):
    scope = Scope(role=Role.OFFICER, region_id=region("36.73").id) if regional else SYSTEM_SCOPE
    rows = _rows(filters, scope)
    assert db.session.scalar(permit_list_count(filters, scope, TODAY)) == len(rows)
    assert db.session.scalar(list_count(filters, scope, TODAY)) == len(rows)  # the page's: kept counts if it can
    assert permits_by_ids(db.session.scalars(permit_page_ids(filters, scope, TODAY)).all()) == rows  # the page
    if regional:
        assert all(p.estate.region.bps_code == "36.73" for p in rows)


def test_an_investor_counts_and_lists_only_its_own_permits(spread):
    own = make_investor(legal_name="PT Sendiri")
    mine = make_permit("KKPR", estate=make_estate(investor=own, region=region("36.73")))
    scope = Scope(role=Role.INVESTOR, investor_id=own.id)
    assert _rows(PermitFilters(), scope) == [mine]
    assert db.session.scalar(permit_list_count(PermitFilters(), scope, TODAY)) == 1


@pytest.mark.parametrize("key", [*SORTS, "unknown"])
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_lists_the_same_rows_and_pages_them_in_its_order(spread, key, descending):
    filters = PermitFilters(sort=Sort(key, descending))
    rows = _rows(filters)
    assert sorted(p.id for p in rows) == sorted(p.id for p in _rows(PermitFilters()))
    assert permits_by_ids(db.session.scalars(permit_page_ids(filters, SYSTEM_SCOPE, TODAY)).all()) == rows


def test_the_stalled_list_is_longest_late_first_and_counted_like_its_rows(spread):
    scan_stalled(TODAY)
    rows = db.session.scalars(stalled_permits_query(StallFilters(), SYSTEM_SCOPE)).all()
    assert rows[:2] == [spread["overdue_early"], spread["overdue_late"]]
    assert [p.late_on for p in rows] == sorted(p.late_on for p in rows)
    for filters, scope in [
        (StallFilters(), SYSTEM_SCOPE),
        (StallFilters(kind=FlagKind.OVERDUE), SYSTEM_SCOPE),
        (StallFilters(kind=FlagKind.AT_RISK), SYSTEM_SCOPE),
        (StallFilters(agency_id=agency("3673-dpmptsp").id), SYSTEM_SCOPE),
        (StallFilters(permit_type_code="KKPR", region_code="36.72"), SYSTEM_SCOPE),
        (StallFilters(), Scope(role=Role.OFFICER, region_id=region("36.73").id)),
    ]:
        listed = db.session.scalars(stalled_permits_query(filters, scope)).all()
        assert db.session.scalar(stalled_count(filters, scope)) == len(listed)
    for key in STALL_SORTS:
        for descending in (False, True):
            sorted_rows = db.session.scalars(
                stalled_permits_query(StallFilters(sort=Sort(key, descending)), SYSTEM_SCOPE)
            )
            assert sorted(p.id for p in sorted_rows) == sorted(p.id for p in rows)
    fewest_first = db.session.scalars(stalled_permits_query(StallFilters(sort=Sort("late")), SYSTEM_SCOPE)).all()
    assert fewest_first[-2:] == [spread["overdue_late"], spread["overdue_early"]]


def test_the_late_day_of_every_permit_is_the_lists_former_computation(spread):
    for permit in db.session.scalars(select(Permit)):
        running = permit.status in AGENCY_STATUSES and permit.running_since is not None
        expected = permit.overdue_on if running else (permit.investor_overdue_on or permit.investor_silent_on)
        assert permit.late_on == expected


def _stalled() -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(StalledPermit.permit_id)))


def _with_open_flags() -> set[int]:
    return set(db.session.scalars(select(StallFlag.permit_id).where(StallFlag.resolved_on.is_(None))))


def test_the_stalled_permits_follow_the_open_flags_through_the_scan_and_a_move(spread):
    assert _stalled() == set()
    scan_stalled(TODAY)
    assert _stalled() == _with_open_flags() >= {spread["overdue_early"].id, spread["overdue_late"].id}
    assert stalled_mismatches(db.session) == (set(), set())
    never = spread["never"]
    db.session.add(StalledPermit(permit_id=never.id, region_id=never.region_id))  # out of step
    db.session.execute(delete(StalledPermit).where(StalledPermit.permit_id == spread["overdue_late"].id))
    assert stalled_mismatches(db.session) == ({spread["overdue_late"].id}, {never.id})
    scan_stalled(TODAY)
    assert never.id not in _stalled() and _stalled() == _with_open_flags()
    assert stalled_mismatches(db.session) == (set(), set())

    permit = db.session.get(Permit, spread["overdue_early"].id)
    version = permit.version
    advance_permit(permit, S.ISSUED, actor="t", on=TODAY, today=TODAY)
    assert permit.version == version + 1  # the move's edit only
    assert permit.id not in _stalled() and _stalled() == _with_open_flags()
    assert permit.id not in {p.id for p in db.session.scalars(stalled_permits_query(StallFilters(), SYSTEM_SCOPE))}


def test_a_first_scan_over_a_backlog_keeps_exactly_the_permits_it_flags_and_counts_what_it_raised(spread):
    never = spread["never"]
    db.session.add(StalledPermit(permit_id=never.id, region_id=never.region_id))  # out of step before any flag
    first = scan_stalled(TODAY)  # no flag open before it: on PostgreSQL, flags and rows in one statement
    assert never.id not in _stalled() and _stalled() == _with_open_flags()
    assert stalled_mismatches(db.session) == (set(), set())
    counted = dict(db.session.execute(select(StallFlag.kind, func.count()).group_by(StallFlag.kind)).all())
    assert first.raised == first.open == {k.value: counted.get(k, 0) for k in FlagKind}
    assert sum(first.raised.values()) >= 2 and not any(first.resolved.values())
    again = scan_stalled(TODAY)
    assert not any(again.raised.values()) and not any(again.resolved.values()) and again.open == first.open
    assert _stalled() == _with_open_flags()
    # Every flag resolved, none open: a first scan again, over a table that holds them; an episode's flag is not
    # raised twice, so its permit is not stalled.
    db.session.execute(update(StallFlag).values(resolved_on=TODAY))
    db.session.execute(delete(StalledPermit))
    third = scan_stalled(TODAY)
    assert not any(third.raised.values()) and not any(third.open.values())
    assert _stalled() == _with_open_flags() == set()


def test_the_scan_writes_no_permit_row(spread):
    before = {p.id: (p.version, p.updated_at) for p in db.session.scalars(select(Permit))}
    scan_stalled(TODAY)
    db.session.expire_all()
    assert {p.id: (p.version, p.updated_at) for p in db.session.scalars(select(Permit))} == before
    assert _stalled()


def test_the_stalled_permits_move_with_their_estate_to_another_kab_kota(spread):
    scan_stalled(TODAY)
    permit = db.session.get(Permit, spread["overdue_early"].id)
    elsewhere = region("36.72") if permit.region_id != region("36.72").id else region("36.73")
    officer = Scope(role=Role.OFFICER, region_id=elsewhere.id)
    before = db.session.scalar(stalled_count(StallFilters(), officer))
    permit.estate.region = elsewhere
    db.session.flush()
    assert db.session.get(StalledPermit, permit.id).region_id == elsewhere.id
    assert stalled_mismatches(db.session) == (set(), set())
    listed = db.session.scalars(stalled_permits_query(StallFilters(), officer)).all()
    assert permit in listed and db.session.scalar(stalled_count(StallFilters(), officer)) == len(listed) > before


def test_a_stalled_permit_moved_to_another_estate_or_agency_takes_its_row_along(spread):
    scan_stalled(TODAY)
    permit = db.session.get(Permit, spread["overdue_late"].id)
    elsewhere = make_estate(name="Kawasan Eta", region=region("36.74"))
    permit.estate_id = elsewhere.id
    db.session.flush()
    assert db.session.get(StalledPermit, permit.id).region_id == region("36.74").id == permit.region_id
    assert stalled_mismatches(db.session) == (set(), set())
    other = agency("3673-dpmptsp") if permit.agency_id != agency("3673-dpmptsp").id else agency("3672-dpmptsp")
    by_agency = StallFilters(agency_id=other.id)
    before = db.session.scalar(stalled_count(by_agency, SYSTEM_SCOPE))
    permit.agency_id = other.id
    db.session.flush()
    assert db.session.get(StalledPermit, permit.id).agency_id == other.id
    assert stalled_mismatches(db.session) == (set(), set())
    listed = db.session.scalars(stalled_permits_query(by_agency, SYSTEM_SCOPE)).all()
    assert permit in listed and db.session.scalar(stalled_count(by_agency, SYSTEM_SCOPE)) == len(listed) == before + 1


def test_a_page_of_the_at_risk_flags_is_read_from_them_in_the_lists_order(spread):
    """``kind=at_risk`` (issue 13): its permits come after every late one, so a page of them is found from the
    flags and sorted, not by walking the late order; the same permits, pages and order as the walk's."""
    days = [date(2026, 4, d) for d in range(20, 31)] + [date(2026, 5, d) for d in range(1, 12)]
    for n, day in enumerate(reversed(days)):  # 15 to 28 working days before TODAY, the latest first: at risk
        _filed("36.72" if n % 2 else "36.73", day, f"Kawasan {n}")
    scan_stalled(TODAY)
    at_risk = StallFilters(kind=FlagKind.AT_RISK)
    assert reads_from_flags(at_risk) and not reads_from_flags(StallFilters(kind=FlagKind.OVERDUE))
    assert not reads_from_flags(replace(at_risk, sort=Sort("late")))
    for scope in (SYSTEM_SCOPE, Scope(role=Role.OFFICER, region_id=region("36.73").id)):
        walked = db.session.scalars(stalled_permits_query(replace(at_risk, kind=None), scope)).all()
        flagged = {f.permit_id for f in db.session.scalars(select(StallFlag).where(StallFlag.kind == at_risk.kind))}
        expected = [p.id for p in walked if p.id in flagged]
        assert len(expected) >= 2
        paged = [r.permit.id for offset in range(0, len(expected), 2) for r in page(at_risk, scope, TODAY, 2, offset)]
        assert paged == expected
        assert db.session.scalar(stalled_count(at_risk, scope)) == len(expected)
