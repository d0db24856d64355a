"""The deadline clock at the edges of each band, across a return for revision, and the regulation in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import time_machine

import permits.workflow
from app.extensions import db
from app.models import Setting
from devtools.factories import make_estate, make_permit
from permits.calendar import WorkingCalendar, add_working_days, working_days_between
from permits.clock import Band, ClockFields, Limits, clock_state, refresh_thresholds, step
from permits.models import PermitStatus as S
from permits.stages import AGENCY_STATUSES as CLOCK_RUNNING
from permits.workflow import advance_permit, permit_clock, rebuild_from_events, recompute_open_deadlines

FILED = date(2026, 1, 8)  # a Thursday; KKPR: 25 working days from "declared complete", at risk from day 19 (75%)


def _at(day: date):
    """Freeze time at noon WIB on ``day``."""
    return time_machine.travel(f"{day.isoformat()} 12:00 +0700", tick=False)


def _filed_kkpr():
    estate = make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    with _at(FILED):
        advance_permit(permit, S.SUBMITTED, actor="officer")
        advance_permit(permit, S.DECLARED_COMPLETE, actor="officer")  # the fee paid: the clock starts
    return permit


@pytest.mark.parametrize(
    ("used", "band", "left"),
    [
        (0, Band.ON_TRACK, 25),
        (18, Band.ON_TRACK, 7),
        (19, Band.AT_RISK, 6),
        (25, Band.AT_RISK, 0),
        (26, Band.OVERDUE, -1),
        (40, Band.OVERDUE, -15),
    ],
)
def test_bands_on_both_sides_of_each_edge(used, band, left):
    permit = _filed_kkpr()
    day = add_working_days(FILED, used)
    with _at(day):
        clock = permit_clock(permit)
    assert (clock.agency_days_used, clock.band, clock.agency_days_left) == (used, band, left)
    assert clock.due_on == add_working_days(FILED, 25)
    assert clock.days_overdue == max(used - 25, 0)


def test_non_working_days_after_the_due_date_are_not_yet_overdue():
    permit = _filed_kkpr()
    due = add_working_days(FILED, 25)
    assert due == date(2026, 2, 13)  # a Friday, before the Imlek holidays of 16-17 February
    for idle in (date(2026, 2, 14), date(2026, 2, 15), date(2026, 2, 16), date(2026, 2, 17)):
        with _at(idle):
            assert permit_clock(permit).band is Band.AT_RISK
    with _at(date(2026, 2, 18)):
        clock = permit_clock(permit)
    assert clock.band is Band.OVERDUE and clock.days_overdue == 1


def test_stored_thresholds_match_the_clock():
    permit = _filed_kkpr()
    assert permit.due_on == add_working_days(FILED, 25)
    assert permit.at_risk_on == add_working_days(FILED, 19)
    assert permit.overdue_on == add_working_days(FILED, 26)


def test_the_clock_stops_while_the_investor_revises_and_resumes_after():
    permit = _filed_kkpr()
    returned = add_working_days(FILED, 10)
    with _at(returned):
        advance_permit(permit, S.RETURNED, actor="officer", note="Peta lokasi belum lengkap")
    assert permit.clock_stops == 1 and permit.running_since is None and permit.due_on is None
    assert permit.investor_due_on == add_working_days(returned, 5)
    later = add_working_days(returned, 5)
    with _at(later):
        clock = permit_clock(permit)
    assert clock.band is Band.STOPPED and clock.agency_days_used == 10
    assert clock.investor_round_days_used == 5 and not clock.investor_overdue
    with _at(add_working_days(returned, 6)):
        assert permit_clock(permit).investor_overdue
    resubmitted = add_working_days(returned, 8)
    with _at(resubmitted):
        advance_permit(permit, S.DECLARED_COMPLETE, actor="investor")  # the fee is paid: back to the check
    assert permit.investor_days_banked == 8 and permit.agency_days_banked == 10
    assert permit.due_on == add_working_days(resubmitted, 15)
    with _at(add_working_days(resubmitted, 3)):
        clock = permit_clock(permit)
    assert clock.agency_days_used == 13 and clock.investor_days_used == 8
    status, fields = rebuild_from_events(permit)
    assert status is S.DECLARED_COMPLETE and fields.agency_days_banked == 10 and fields.clock_stops == 1


def test_each_clock_stop_records_how_late_it_came():
    permit = _filed_kkpr()
    with _at(add_working_days(FILED, 22)):
        event = advance_permit(permit, S.RETURNED, actor="officer", note="Klarifikasi")
    assert event.agency_days_used == 22 and event.sla_working_days == 25 and not event.clock_running


def test_the_regime_follows_the_day_the_file_first_reached_the_agency():
    permit = make_permit("NIB")
    with _at(date(2025, 6, 4)):
        advance_permit(permit, S.SUBMITTED, actor="officer")
    assert permit.regime.name == "PP 5/2021"
    assert permit.events[-1].regulation == "PP 5/2021"
    later = make_permit("NIB")
    with _at(date(2025, 6, 5)):
        advance_permit(later, S.SUBMITTED, actor="officer")
    assert later.regime.name == "PP 28/2025"


def test_the_at_risk_share_is_a_setting():
    setting = db.session.get(Setting, "clock.at_risk_share")
    setting.value = "0.5"
    db.session.flush()
    permit = _filed_kkpr()
    assert permit.at_risk_on == add_working_days(FILED, 13)  # ceil(0.5 * 25)
    with _at(add_working_days(FILED, 13)):
        assert permit_clock(permit).band is Band.AT_RISK


def test_recompute_after_a_closure_moves_the_due_date():
    from permits.admin.closures import add_override

    permit = _filed_kkpr()
    before = permit.due_on
    add_override(add_working_days(FILED, 3), "closed", "Banjir: kantor tutup", "admin")
    assert recompute_open_deadlines() == 1
    assert permit.due_on == add_working_days(before, 1)
    assert working_days_between(FILED, permit.due_on) == 25


def test_a_closure_decreed_afterwards_recounts_days_already_banked():
    from permits.admin.closures import add_override

    permit = _filed_kkpr()
    with _at(add_working_days(FILED, 10)):
        advance_permit(permit, S.RETURNED, actor="officer", note="Lengkapi peta")
    assert permit.agency_days_banked == 10
    add_override(add_working_days(FILED, 4), "closed", "Cuti bersama tambahan (keputusan susulan)", "admin")
    assert recompute_open_deadlines() == 1
    assert permit.agency_days_banked == 9
    status, fields = rebuild_from_events(permit)
    assert fields.agency_days_banked == 9 and status is S.RETURNED


# --- One clock step per move ---------------------------------------------------------------------------------

HOLIDAY = date(2026, 1, 12)  # a Monday, closed: the first agency interval below crosses it
STEP_CAL = WorkingCalendar.with_weekends(closed=[HOLIDAY])
STEP_LIMITS = Limits(sla_working_days=10, fix_working_days=5, at_risk_share=Decimal("0.75"))


def _apply_move_as_before(fields, source, target, on, limits, cal):
    """The clock move as ``permits.clock.apply_move`` computed it before ``step`` replaced it (the reference)."""
    f = fields
    was_running, runs = source in CLOCK_RUNNING, target in CLOCK_RUNNING
    if was_running and not runs and f.running_since is not None:
        f = replace(
            f,
            agency_days_banked=f.agency_days_banked + cal.working_days_between(f.running_since, on),
            running_since=None,
        )
    if runs and not was_running:
        f = replace(f, running_since=on)
    if source is S.RETURNED and f.investor_since is not None:
        f = replace(
            f,
            investor_days_banked=f.investor_days_banked + cal.working_days_between(f.investor_since, on),
            investor_since=None,
        )
    if target is S.RETURNED:
        f = replace(f, investor_since=on, clock_stops=f.clock_stops + 1)
    return refresh_thresholds(f, target, limits, cal)


# (source, target, on, agency days used on ``on``, investor days used, band)
MOVES = [
    (S.NOT_STARTED, S.SUBMITTED, date(2026, 1, 5), 0, 0, Band.ON_TRACK),  # submit
    (S.SUBMITTED, S.UNDER_REVIEW, date(2026, 1, 9), 4, 0, Band.ON_TRACK),
    (S.UNDER_REVIEW, S.RETURNED, date(2026, 1, 14), 6, 0, Band.STOPPED),  # return: 6-9, 13-14 (12 closed)
    (S.RETURNED, S.SUBMITTED, date(2026, 1, 20), 6, 4, Band.ON_TRACK),  # resubmit: 15, 16, 19, 20
    (S.SUBMITTED, S.UNDER_REVIEW, date(2026, 1, 23), 9, 4, Band.AT_RISK),
    (S.UNDER_REVIEW, S.RETURNED, date(2026, 1, 26), 10, 4, Band.STOPPED),  # a second return, on the last day
    (S.RETURNED, S.SUBMITTED, date(2026, 2, 6), 10, 13, Band.AT_RISK),  # the investor was 4 days late
    (S.SUBMITTED, S.UNDER_REVIEW, date(2026, 2, 9), 11, 13, Band.OVERDUE),
    (S.UNDER_REVIEW, S.ISSUED, date(2026, 2, 10), 12, 13, Band.IDLE),  # issue
]


def test_one_step_gives_what_apply_move_and_clock_state_gave_for_each_move():
    fields = ClockFields()
    for source, target, on, used, investor_used, band in MOVES:
        moved = step(fields, source, target, on, STEP_LIMITS, STEP_CAL)
        expected = _apply_move_as_before(fields, source, target, on, STEP_LIMITS, STEP_CAL)
        assert moved.fields == expected, (source, target)
        assert moved.state == clock_state(target, expected, STEP_LIMITS, on, STEP_CAL), (source, target)
        state = moved.state
        assert (state.agency_days_used, state.investor_days_used, state.band) == (used, investor_used, band)
        assert state.investor_round_days_used == 0 and state.status is target
        fields = moved.fields
    assert fields.clock_stops == 2 and fields.running_since is None and fields.investor_since is None


def test_a_step_into_revision_sets_the_investor_thresholds():
    running = step(ClockFields(), S.NOT_STARTED, S.SUBMITTED, date(2026, 1, 5), STEP_LIMITS, STEP_CAL).fields
    assert running.due_on == date(2026, 1, 20)  # 10 working days, 12 January closed
    returned = step(running, S.SUBMITTED, S.RETURNED, date(2026, 1, 9), STEP_LIMITS, STEP_CAL)
    assert returned.fields.due_on is None and returned.state.due_on is None
    assert returned.fields.investor_due_on == returned.state.investor_due_on == date(2026, 1, 19)


class _CountingCalendar:
    """Records every working-day count the site calendar makes, per call, with its arguments."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, date, object]] = []
        for name in ("working_days_between", "add_working_days"):
            monkeypatch.setattr(WorkingCalendar, name, self._counted(name, getattr(WorkingCalendar, name)))

    def _counted(self, name, method):
        def counted(cal, start, other):
            self.calls.append((name, start, other))
            return method(cal, start, other)

        return counted

    def take(self) -> list[tuple[str, date, object]]:
        calls, self.calls = self.calls, []
        return calls


def test_advance_permit_steps_the_clock_once_and_counts_each_interval_once(monkeypatch):
    permit = make_permit("NIB")
    steps = []

    def spy(*args, **kwargs):
        steps.append(args)
        return step(*args, **kwargs)

    monkeypatch.setattr(permits.workflow, "step", spy)
    counter = _CountingCalendar(monkeypatch)
    submitted, review, returned, resubmitted, issued = (date(2026, 1, d) for d in (5, 7, 14, 20, 22))
    # (move, note, the one interval counted for the event: from the restart of the clock or of the revision)
    moves = [
        (S.SUBMITTED, submitted, None, None),
        (S.UNDER_REVIEW, review, None, (submitted, review)),
        (S.RETURNED, returned, "Peta belum lengkap", (submitted, returned)),
        (S.SUBMITTED, resubmitted, None, (returned, resubmitted)),
        (S.ISSUED, issued, None, (resubmitted, issued)),
    ]
    for target, on, note, interval in moves:
        steps.clear()
        counter.take()
        event = advance_permit(permit, target, actor="officer", note=note, on=on, today=issued)
        calls = counter.take()
        assert len(steps) == 1, target
        counts = [(start, end) for name, start, end in calls if name == "working_days_between"]
        assert counts == ([interval] if interval else []), target
        assert len(calls) == len(set(calls)), f"a working-day count was made twice for {target}: {calls}"
        assert event.agency_days_used == permit_clock(permit, on).agency_days_used
        assert event.investor_days_used == permit_clock(permit, on).investor_days_used
