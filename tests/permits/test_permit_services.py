"""Rules of the permit record (dates, one live application) and the permits-list query."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.factories import agency, make_estate, make_permit, permit_type, region
from permits.models import Permit, PermitStatus
from permits.queries import PermitFilters, permit_list_query
from permits.services import (
    DuplicateLiveApplication,
    InvalidPermitDates,
    PermitError,
    UnknownPermitType,
    create_permit,
    date_problems,
    update_permit,
)
from permits.workflow import WIB, ConcurrentEdit

TODAY = date(2025, 10, 1)
NOON = datetime(2025, 10, 1, 12, 0, tzinfo=WIB)
DECIDED = sorted(s.value for s in PermitStatus if s.is_decided)
UNDECIDED = ["not_started", "submitted", "under_review", "returned"]
LIVE = [
    s.value
    for s in PermitStatus
    if s.value not in ("rejected", "withdrawn", "deemed_withdrawn", "cancelled", "revoked")
]


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated into the request's language, so the rules are checked inside one."""
    with app.test_request_context():
        yield


def permit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Permit))


# --- dates -----------------------------------------------------------------------------------------------


def test_decided_on_the_submitted_day_is_allowed_one_day_before_is_not():
    submitted = date(2025, 9, 10)
    assert date_problems(PermitStatus.ISSUED, submitted, submitted, TODAY) == {}
    problems = date_problems(PermitStatus.ISSUED, submitted, submitted - timedelta(days=1), TODAY)
    assert set(problems) == {"decided_on"}
    assert "before the submitted date" in problems["decided_on"]


def test_submitted_today_is_allowed_tomorrow_is_not():
    assert date_problems(PermitStatus.SUBMITTED, TODAY, None, TODAY) == {}
    problems = date_problems(PermitStatus.SUBMITTED, TODAY + timedelta(days=1), None, TODAY)
    assert set(problems) == {"submitted_on"}
    assert "future" in problems["submitted_on"]


def test_decided_today_is_allowed_tomorrow_is_not():
    assert date_problems(PermitStatus.ISSUED, date(2025, 9, 1), TODAY, TODAY) == {}
    problems = date_problems(PermitStatus.ISSUED, date(2025, 9, 1), TODAY + timedelta(days=1), TODAY)
    assert set(problems) == {"decided_on"}
    assert "future" in problems["decided_on"]


def test_today_is_wib_not_utc():
    """At 00.30 WIB on 1 October it is still 30 September in UTC: 1 October is already allowed."""
    with time_machine.travel(datetime(2025, 10, 1, 0, 30, tzinfo=WIB), tick=False):
        assert date_problems(PermitStatus.SUBMITTED, date(2025, 10, 1), None) == {}
        assert "submitted_on" in date_problems(PermitStatus.SUBMITTED, date(2025, 10, 2), None)
    with time_machine.travel(datetime(2025, 10, 1, 23, 59, tzinfo=WIB), tick=False):
        assert "submitted_on" in date_problems(PermitStatus.SUBMITTED, date(2025, 10, 2), None)


@pytest.mark.parametrize("status", [s.value for s in PermitStatus if s != PermitStatus.NOT_STARTED])
def test_submitted_date_required_once_started(status):
    decided = date(2025, 9, 5) if PermitStatus(status).is_decided else None
    problems = date_problems(PermitStatus(status), None, decided, TODAY)
    assert "submitted_on" in problems
    assert "submitted_on" not in date_problems(PermitStatus(status), date(2025, 9, 1), decided, TODAY)


def test_not_started_takes_no_dates():
    assert date_problems(PermitStatus.NOT_STARTED, None, None, TODAY) == {}
    problems = date_problems(PermitStatus.NOT_STARTED, date(2025, 9, 1), date(2025, 9, 2), TODAY)
    assert set(problems) == {"submitted_on", "decided_on"}


@pytest.mark.parametrize("status", DECIDED)
def test_decided_statuses_need_a_decided_date(status):
    assert set(date_problems(PermitStatus(status), date(2025, 9, 1), None, TODAY)) == {"decided_on"}
    assert date_problems(PermitStatus(status), date(2025, 9, 1), date(2025, 9, 1), TODAY) == {}


@pytest.mark.parametrize("status", UNDECIDED)
def test_undecided_statuses_refuse_a_decided_date(status):
    submitted = None if status == "not_started" else date(2025, 9, 1)
    assert date_problems(PermitStatus(status), submitted, None, TODAY) == {}
    assert "decided_on" in date_problems(PermitStatus(status), submitted, date(2025, 9, 2), TODAY)


def test_frozen_may_or_may_not_carry_a_decided_date():
    assert date_problems(PermitStatus.FROZEN, date(2025, 9, 1), None, TODAY) == {}
    assert date_problems(PermitStatus.FROZEN, date(2025, 9, 1), date(2025, 9, 3), TODAY) == {}


# --- create and update -----------------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_create_permit_resolves_the_agency_and_cleans_blanks():
    estate = make_estate()
    nib = permit_type("NIB")
    permit = create_permit(
        estate, nib.id, PermitStatus.SUBMITTED, actor="o", submitted_on=TODAY, reference_number=" ", notes=" "
    )
    assert permit.id is not None
    assert (permit.agency, permit.agency_override_reason, permit.issuing_authority) == (agency("oss"), None, None)
    assert (permit.reference_number, permit.notes) == (None, None)


@time_machine.travel(NOON, tick=False)
def test_create_permit_refuses_bad_dates_and_writes_nothing():
    estate = make_estate()
    before = permit_count()
    with pytest.raises(InvalidPermitDates) as caught:
        create_permit(
            estate, permit_type("KKPR").id, PermitStatus.SUBMITTED, actor="o", submitted_on=TODAY + timedelta(days=1)
        )
    assert set(caught.value.errors) == {"submitted_on"}
    with pytest.raises(UnknownPermitType):
        create_permit(estate, 999_999, PermitStatus.NOT_STARTED, actor="officer")
    assert permit_count() == before


@pytest.mark.parametrize("earlier", LIVE)
@time_machine.travel(NOON, tick=False)
def test_a_live_application_blocks_a_new_one(earlier):
    existing = make_permit("KKPR", status=PermitStatus(earlier))
    before = permit_count()
    with pytest.raises(DuplicateLiveApplication) as caught:
        create_permit(existing.estate, existing.permit_type_id, PermitStatus.NOT_STARTED, actor="officer")
    assert "KKPR" in caught.value.errors["permit_type"]
    assert permit_count() == before


@pytest.mark.parametrize("earlier", ["rejected", "withdrawn", "revoked"])
@time_machine.travel(NOON, tick=False)
def test_an_ended_application_may_be_followed_by_a_new_one(earlier):
    existing = make_permit("KKPR", status=PermitStatus(earlier), submitted_on=TODAY, decided_on=TODAY)
    make_permit("NIB", estate=existing.estate, status=PermitStatus.ISSUED)
    permit = create_permit(
        existing.estate, existing.permit_type_id, PermitStatus.SUBMITTED, actor="officer", submitted_on=TODAY
    )
    assert permit.id != existing.id
    # ...but not by a third live one.
    with pytest.raises(DuplicateLiveApplication):
        create_permit(existing.estate, existing.permit_type_id, PermitStatus.NOT_STARTED, actor="officer")


@time_machine.travel(NOON, tick=False)
def test_an_old_rejection_may_be_recorded_beside_a_live_application():
    live = make_permit("KKPR", status=PermitStatus.SUBMITTED, submitted_on=TODAY)
    make_permit("NIB", estate=live.estate, status=PermitStatus.ISSUED)
    old = create_permit(
        live.estate,
        live.permit_type_id,
        PermitStatus.REJECTED,
        actor="officer",
        submitted_on=date(2025, 1, 6),
        decided_on=date(2025, 3, 3),
    )
    assert old.id


@time_machine.travel(NOON, tick=False)
def test_the_rule_is_per_estate_and_per_type():
    existing = make_permit("KKPR", status=PermitStatus.SUBMITTED, submitted_on=TODAY)
    assert create_permit(make_estate(), existing.permit_type_id, PermitStatus.NOT_STARTED, actor="o").id
    assert create_permit(existing.estate, permit_type("AMDAL").id, PermitStatus.NOT_STARTED, actor="o").id


@time_machine.travel(NOON, tick=False)
def test_create_permit_walks_the_stage_machine_to_the_recorded_status():
    estate = make_estate()
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
    kkpr = permit_type("KKPR")
    permit = create_permit(
        estate,
        kkpr.id,
        PermitStatus.ISSUED,
        actor="officer",
        submitted_on=date(2025, 8, 4),
        decided_on=date(2025, 9, 15),
    )
    steps = [(e.from_status, e.to_status, e.effective_on) for e in permit.events]
    assert steps == [
        (None, PermitStatus.NOT_STARTED, date(2025, 8, 4)),
        (PermitStatus.NOT_STARTED, PermitStatus.SUBMITTED, date(2025, 8, 4)),
        (PermitStatus.SUBMITTED, PermitStatus.DECLARED_COMPLETE, date(2025, 8, 4)),  # KKPR: the clock starts
        (PermitStatus.DECLARED_COMPLETE, PermitStatus.ISSUED, date(2025, 9, 15)),
    ]
    assert permit.submitted_on == date(2025, 8, 4) and permit.decided_on == date(2025, 9, 15)
    assert permit.regime.name == "PP 28/2025" and permit.agency_days_banked > 0


@time_machine.travel(NOON, tick=False)
def test_create_permit_refuses_a_status_the_prerequisites_do_not_allow():
    estate = make_estate()
    with pytest.raises(PermitError) as caught:
        create_permit(estate, permit_type("KKPR").id, PermitStatus.SUBMITTED, actor="officer", submitted_on=TODAY)
    assert "NIB" in str(caught.value.errors["status"])


@time_machine.travel(NOON, tick=False)
def test_update_permit_edits_the_record_not_the_status():
    permit = make_permit("AMDAL", status=PermitStatus.SUBMITTED, submitted_on=date(2025, 9, 1))
    seen = permit.version
    kept = permit.agency
    update_permit(permit, reference_number=" SK-1 ", notes="n", expected_version=seen, scope=SYSTEM_SCOPE)
    assert (permit.reference_number, permit.agency, permit.status) == ("SK-1", kept, PermitStatus.SUBMITTED)
    db.session.flush()
    with pytest.raises(ConcurrentEdit):
        update_permit(permit, reference_number="SK-2", expected_version=seen, scope=SYSTEM_SCOPE)
    assert permit.reference_number == "SK-1"


# --- the permits list ------------------------------------------------------------------------------------


@pytest.fixture
def spread():
    """Four permits of PMDN estates in three kab/kota with different statuses, types and agencies."""
    serang = make_estate(name="Kawasan A", region=region("36.73"))
    cilegon = make_estate(name="Kawasan B", region=region("36.72"))
    lebak = make_estate(name="Kawasan C", region=region("36.02"))
    return {
        "a_kkpr": make_permit("KKPR", estate=serang, status=PermitStatus.ISSUED),
        "a_amdal": make_permit("AMDAL", estate=serang, status=PermitStatus.UNDER_REVIEW),
        "b_kkpr": make_permit("KKPR", estate=cilegon, status=PermitStatus.SUBMITTED),
        "c_pbg": make_permit("PBG", estate=lebak, status=PermitStatus.ISSUED),
    }


def listed(filters: PermitFilters) -> list[Permit]:
    return list(db.session.scalars(permit_list_query(filters, scope=SYSTEM_SCOPE)).unique())


def test_list_without_filters_and_without_deadlines_is_in_the_order_recorded(spread):
    assert listed(PermitFilters()) == [spread["a_kkpr"], spread["a_amdal"], spread["b_kkpr"], spread["c_pbg"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (PermitFilters(status=PermitStatus.ISSUED), ["a_kkpr", "c_pbg"]),
        (PermitFilters(status=PermitStatus.REVOKED), []),
        (PermitFilters(permit_type_code="KKPR"), ["a_kkpr", "b_kkpr"]),
        ("3673-dpmptsp", ["a_kkpr"]),
        ("3602-pupr", ["c_pbg"]),
        ("3673-dlh", ["a_amdal"]),
        ("oss", []),
        (PermitFilters(region_code="36.73"), ["a_kkpr", "a_amdal"]),
        (PermitFilters(region_code="36.01"), []),
        (PermitFilters(status=PermitStatus.ISSUED, region_code="36.02", permit_type_code="PBG"), ["c_pbg"]),
    ],
)
def test_list_filters(spread, filters, expected):
    if isinstance(filters, str):  # an agency's code: filter by its record
        filters = PermitFilters(agency_id=agency(filters).id)
    assert listed(filters) == [spread[k] for k in expected]


def test_filters_report_whether_any_is_active():
    assert not PermitFilters().active
    assert PermitFilters(agency_id=1).active


def test_list_loads_estate_investor_region_and_type_in_one_query(spread):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for permit in listed(PermitFilters()):
            _ = (permit.estate.name, permit.estate.investor.legal_name, permit.estate.region.name, permit.permit_type)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1
