"""The deadline clock at the edges of each band, across a return for revision, and the regulation in force."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from app.extensions import db
from app.models import Setting
from devtools.factories import make_estate, make_permit
from permits.calendar import add_working_days, working_days_between
from permits.clock import PP5, PP28, Band, regulation_for
from permits.models import PermitStatus as S
from permits.workflow import advance_permit, permit_clock, rebuild_from_events, recompute_open_deadlines

FILED = date(2026, 1, 8)  # a Thursday; KKPR: 25 working days, at risk from day 19 (75%)


def _at(day: date):
    """Freeze time at noon WIB on ``day``."""
    return time_machine.travel(f"{day.isoformat()} 12:00 +0700", tick=False)


def _filed_kkpr():
    estate = make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    with _at(FILED):
        advance_permit(permit, S.SUBMITTED, actor="officer")
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
        advance_permit(permit, S.SUBMITTED, actor="investor")
    assert permit.investor_days_banked == 8 and permit.agency_days_banked == 10
    assert permit.due_on == add_working_days(resubmitted, 15)
    with _at(add_working_days(resubmitted, 3)):
        clock = permit_clock(permit)
    assert clock.agency_days_used == 13 and clock.investor_days_used == 8
    status, fields = rebuild_from_events(permit)
    assert status is S.SUBMITTED and fields.agency_days_banked == 10 and fields.clock_stops == 1


def test_each_clock_stop_records_how_late_it_came():
    permit = _filed_kkpr()
    with _at(add_working_days(FILED, 22)):
        event = advance_permit(permit, S.RETURNED, actor="officer", note="Klarifikasi")
    assert event.agency_days_used == 22 and event.sla_working_days == 25 and not event.clock_running


def test_regulation_follows_the_day_the_file_first_reached_the_agency():
    assert regulation_for(date(2025, 6, 4)) == PP5
    assert regulation_for(date(2025, 6, 5)) == PP28
    permit = make_permit("NIB")
    with _at(date(2025, 6, 4)):
        advance_permit(permit, S.SUBMITTED, actor="officer")
    assert permit.regulation == PP5
    assert permit.events[-1].regulation == PP5


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
