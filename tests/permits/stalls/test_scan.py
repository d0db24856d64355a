"""The stall scan: each flag kind on exactly its working day, episodes, resolution, and idempotence."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.models import JobRun
from devtools.factories import file_permit, make_estate, make_permit
from permits.calendar import add_working_days
from permits.models import PermitStatus as S
from permits.stalls.models import FlagKind, StallFlag
from permits.stalls.scan import scan_stalled
from permits.workflow import WIB, advance_permit

FILED = date(2026, 1, 8)  # KKPR: 25 working days, due Friday 13 February 2026


def _kkpr():
    estate = make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    return file_permit(make_permit("KKPR", estate=estate), FILED, "o")


def _open(permit, kind: FlagKind) -> list[StallFlag]:
    query = select(StallFlag).where(
        StallFlag.permit_id == permit.id, StallFlag.kind == kind, StallFlag.resolved_on.is_(None)
    )
    return list(db.session.scalars(query))


def _flags() -> list[tuple]:
    rows = db.session.execute(
        select(
            StallFlag.permit_id,
            StallFlag.kind,
            StallFlag.episode,
            StallFlag.raised_on,
            StallFlag.last_confirmed_on,
            StallFlag.resolved_on,
        ).order_by(StallFlag.id)
    )
    return [tuple(r) for r in rows]


@pytest.mark.parametrize(
    ("kind", "working_days"),
    [(FlagKind.AT_RISK, 19), (FlagKind.OVERDUE, 26), (FlagKind.AUTOMATIC_OUTCOME, 26)],
)
def test_agency_flags_rise_on_their_working_day_and_not_the_day_before(kind, working_days):
    permit = _kkpr()
    day = add_working_days(FILED, working_days)
    before = add_working_days(FILED, working_days - 1)
    scan_stalled(before)
    assert _open(permit, kind) == []
    result = scan_stalled(day)
    assert result.raised[kind.value] == 1
    (flag,) = _open(permit, kind)
    assert flag.raised_on == day and flag.episode == permit.last_event_seq


def test_overdue_rises_on_the_first_working_day_after_a_weekend_and_holidays():
    permit = _kkpr()
    for idle in (date(2026, 2, 14), date(2026, 2, 15), date(2026, 2, 16), date(2026, 2, 17)):
        scan_stalled(idle)  # the weekend and Imlek after the Friday due date: still on time
    assert _open(permit, FlagKind.OVERDUE) == []
    scan_stalled(date(2026, 2, 18))
    assert len(_open(permit, FlagKind.OVERDUE)) == 1


def test_at_risk_resolves_when_the_permit_becomes_overdue():
    permit = _kkpr()
    scan_stalled(add_working_days(FILED, 20))
    scan_stalled(add_working_days(FILED, 26))
    (at_risk,) = db.session.scalars(select(StallFlag).where(StallFlag.kind == FlagKind.AT_RISK))
    assert at_risk.resolved_on == add_working_days(FILED, 26)
    assert len(_open(permit, FlagKind.OVERDUE)) == 1


def test_investor_flags_follow_the_revision_window_and_the_silence_limit():
    """AMDAL (PP 28/2025 Pasal 90-91): 30 working days to revise; silent past them, the process is stopped, and
    180 calendar days after the stop (not after the return) the application is to be rejected."""
    estate = make_estate()
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(code, estate=estate, status=S.ISSUED)
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, S.SUBMITTED, actor="o", on=FILED, today=FILED)
    advance_permit(amdal, S.UNDER_REVIEW, actor="o", on=FILED, today=FILED)
    asked = date(2026, 2, 2)
    advance_permit(amdal, S.REVISION, actor="o", note="ANDAL belum lengkap", on=asked, today=asked)
    scan_stalled(add_working_days(asked, 30))
    assert _open(amdal, FlagKind.INVESTOR_OVERDUE) == []
    late = add_working_days(asked, 31)
    scan_stalled(late)
    assert len(_open(amdal, FlagKind.INVESTOR_OVERDUE)) == 1
    scan_stalled(asked + timedelta(days=181))
    assert _open(amdal, FlagKind.REJECTION_CANDIDATE) == []  # the silence counts from the stop, not the request
    advance_permit(amdal, S.PROCESS_STOPPED, actor="o", note="Pemohon tidak menanggapi (Pasal 91)", on=late, today=late)
    assert amdal.investor_silent_on == late + timedelta(days=181)
    scan_stalled(late + timedelta(days=180))
    assert _open(amdal, FlagKind.REJECTION_CANDIDATE) == []
    scan_stalled(late + timedelta(days=181))
    assert len(_open(amdal, FlagKind.REJECTION_CANDIDATE)) == 1
    assert _open(amdal, FlagKind.DEEMED_WITHDRAWN_CANDIDATE) == []


def test_a_flag_resolves_by_itself_when_the_permit_moves_on_and_is_never_raised_twice_for_an_episode():
    permit = _kkpr()
    overdue_day = add_working_days(FILED, 26)
    scan_stalled(overdue_day)
    assert len(_open(permit, FlagKind.OVERDUE)) == 1
    advance_permit(permit, S.ISSUED, actor="o", on=overdue_day, today=overdue_day)
    assert _open(permit, FlagKind.OVERDUE) == []  # at once, in the move's transaction (issue 12)
    resolved = db.session.scalars(select(StallFlag.resolved_on).where(StallFlag.kind == FlagKind.OVERDUE)).all()
    assert resolved == [overdue_day]
    result = scan_stalled(overdue_day)
    assert result.resolved[FlagKind.OVERDUE.value] == 0 and result.resolved[FlagKind.AT_RISK.value] == 0
    flags_before = _flags()
    scan_stalled(overdue_day + timedelta(days=1))
    assert _flags() == flags_before


def test_running_the_scan_twice_for_a_day_changes_nothing_the_second_time():
    for _ in range(3):
        _kkpr()
    day = add_working_days(FILED, 26)
    first = scan_stalled(day)
    flags = _flags()
    second = scan_stalled(day)
    assert _flags() == flags
    assert sum(second.raised.values()) == 0 and sum(second.resolved.values()) == 0
    assert second.open == first.open and first.open["overdue"] == 3


def test_each_later_scan_confirms_the_flags_that_still_hold():
    permit = _kkpr()
    scan_stalled(add_working_days(FILED, 26))
    later = add_working_days(FILED, 30)
    scan_stalled(later)
    (flag,) = _open(permit, FlagKind.OVERDUE)
    assert flag.raised_on == add_working_days(FILED, 26) and flag.last_confirmed_on == later


def test_a_later_scan_confirms_an_open_flag_without_rewriting_it():
    permit = _kkpr()
    raised = add_working_days(FILED, 26)
    scan_stalled(raised)
    later = add_working_days(FILED, 30)
    scan_stalled(later)
    (flag,) = _open(permit, FlagKind.OVERDUE)
    assert (flag.stored_confirmed_on, flag.last_confirmed_on) == (raised, later)  # the day scanned, kept once


def test_a_resolved_flag_keeps_the_last_day_a_scan_found_it_holding():
    permit = _kkpr()
    days = [add_working_days(FILED, n) for n in (20, 22, 26, 28, 29, 31)]
    for day in days[:4]:
        scan_stalled(day)  # at risk from the 20th working day, overdue from the 26th
    at_risk = db.session.scalars(select(StallFlag).where(StallFlag.kind == FlagKind.AT_RISK)).one()
    assert (at_risk.raised_on, at_risk.last_confirmed_on, at_risk.resolved_on) == (days[0], days[1], days[2])
    advance_permit(permit, S.ISSUED, actor="o", on=days[4], today=days[4])  # resolved by the move
    scan_stalled(days[5])
    overdue = db.session.scalars(select(StallFlag).where(StallFlag.kind == FlagKind.OVERDUE)).one()
    db.session.refresh(overdue)
    assert (overdue.raised_on, overdue.last_confirmed_on, overdue.resolved_on) == (days[2], days[3], days[4])


def test_a_new_episode_may_raise_the_same_kind_again():
    permit = _kkpr()
    day = add_working_days(FILED, 26)
    scan_stalled(day)
    advance_permit(permit, S.UNDER_REVIEW, actor="o", on=day, today=day)  # still overdue, a new episode
    scan_stalled(day)
    kinds = db.session.execute(
        select(StallFlag.episode, StallFlag.resolved_on)
        .where(StallFlag.kind == FlagKind.OVERDUE)
        .order_by(StallFlag.id)
    ).all()
    assert [(e, r) for e, r in kinds] == [(2, day), (3, None)]  # filed, declared complete, then under review
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(StallFlag)
            .where(StallFlag.resolved_on.is_(None), StallFlag.kind == FlagKind.OVERDUE)
        )
        == 1
    )


def test_the_scan_command_prints_counts_and_the_dry_run_writes_nothing(runner):
    _kkpr()
    db.session.commit()
    day = add_working_days(FILED, 26).isoformat()
    result = runner.invoke(args=["permits", "scan", "--as-of", day, "--dry-run"])
    assert result.exit_code == 0 and "dry run" in result.output
    assert re_count(result.output, "overdue") == 1
    assert db.session.scalar(select(func.count()).select_from(StallFlag)) == 0
    result = runner.invoke(args=["permits", "scan", "--as-of", day])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(StallFlag)) == 2  # overdue, deemed granted candidate
    (run,) = db.session.scalars(select(JobRun))  # recorded like a scheduled run (the dry run was not)
    assert run.job == "stall-scan" and run.succeeded


def re_count(output: str, kind: str) -> int:
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0] == kind:
            return int(parts[1])
    raise AssertionError(f"no {kind} line in {output!r}")


def test_a_scan_as_of_a_day_after_today_writes_only_as_a_dry_run(runner):
    _kkpr()
    db.session.commit()
    day = add_working_days(FILED, 26)  # the kkpr is overdue then
    with time_machine.travel(datetime.combine(day - timedelta(days=1), time(23, 0), WIB), tick=False):
        refused = runner.invoke(args=["permits", "scan", "--as-of", day.isoformat()])
        assert refused.exit_code == 2 and "is after today" in refused.output and "--dry-run" in refused.output
        assert db.session.scalar(select(func.count()).select_from(StallFlag)) == 0
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
        dry = runner.invoke(args=["permits", "scan", "--as-of", day.isoformat(), "--dry-run"])
        assert dry.exit_code == 0 and re_count(dry.output, "overdue") == 1
        assert db.session.scalar(select(func.count()).select_from(StallFlag)) == 0
    with time_machine.travel(datetime.combine(day, time(0, 1), WIB), tick=False):  # that day has come in WIB
        assert runner.invoke(args=["permits", "scan", "--as-of", day.isoformat()]).exit_code == 0
        assert db.session.scalar(select(func.count()).select_from(StallFlag)) == 2
