"""The transition table, move by move, and the invariants of random walks through it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

from app.extensions import db
from devtools.factories import make_estate, make_permit
from permits.clock import ClockFields
from permits.models import PermitEvent, PermitStatus
from permits.stages import AGENCY_STATUSES as CLOCK_RUNNING
from permits.stages import REVISING, TERMINAL, TRANSITIONS, ForbiddenTransition, NoteRequired
from permits.workflow import (
    ConcurrentEdit,
    EventImmutable,
    InvalidMoveDate,
    NotDeemedGranted,
    PrerequisitesMissing,
    TooManyRevisions,
    advance_permit,
    clock_fields,
    rebuild_from_events,
    record_creation,
)

S = PermitStatus
TODAY = date(2026, 3, 2)
ALL_PAIRS = list(itertools.product(S, S))


def _permit_in(status: S, code: str = "NIB"):
    kw = {"status": status}
    if status in CLOCK_RUNNING:
        kw |= {"running_since": TODAY - timedelta(days=7), "submitted_on": TODAY - timedelta(days=7)}
    if status in REVISING:
        kw |= {"investor_since": TODAY - timedelta(days=3), "submitted_on": TODAY - timedelta(days=20)}
    return make_permit(code, **kw)


def _events(permit) -> int:
    return db.session.scalar(select(func.count()).select_from(PermitEvent).where(PermitEvent.permit_id == permit.id))


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p in TRANSITIONS])
def test_allowed_move(source, target):
    permit = _permit_in(source)
    move = TRANSITIONS[(source, target)]
    if target is S.DEEMED_GRANTED:  # NIB: OSS issues it, the law deems nothing granted (test_law.py has the rest)
        with pytest.raises(NotDeemedGranted):
            advance_permit(permit, target, actor="officer", note="n", on=TODAY, today=TODAY, evidence_fingerprint="x")
        assert permit.status is source and _events(permit) == 0
        return
    if move.needs_note:
        with pytest.raises(NoteRequired):
            advance_permit(permit, target, actor="officer", on=TODAY, today=TODAY)
        assert permit.status is source and _events(permit) == 0
    row = advance_permit(permit, target, actor="officer", note="reason given", on=TODAY, today=TODAY)
    assert permit.status is target
    assert (row.from_status, row.to_status, row.effective_on) == (source, target, TODAY)
    assert row.clock_running == (target in CLOCK_RUNNING)
    assert _events(permit) == 1


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p not in TRANSITIONS])
def test_forbidden_move(source, target):
    permit = _permit_in(source)
    with pytest.raises(ForbiddenTransition):
        advance_permit(permit, target, actor="officer", note="a note", on=TODAY, today=TODAY)
    assert permit.status is source and _events(permit) == 0


def test_terminal_states_have_no_way_out():
    assert {s for (s, _t) in TRANSITIONS} & TERMINAL == set()


def test_filing_needs_the_prerequisites_of_the_same_estate():
    estate = make_estate()
    iuki = make_permit("IUKI", estate=estate)
    with pytest.raises(PrerequisitesMissing) as err:
        advance_permit(iuki, S.SUBMITTED, actor="officer", on=TODAY, today=TODAY)
    assert [t.code for t in err.value.missing] == ["KKPR", "AMDAL"]
    assert "KKPR" in str(err.value) and "AMDAL" in str(err.value)
    make_permit("KKPR", estate=estate, status=S.ISSUED)
    make_permit("AMDAL", status=S.ISSUED)  # another estate's AMDAL does not count
    amdal = make_permit("AMDAL", estate=estate, status=S.UNDER_REVIEW, running_since=TODAY)
    with pytest.raises(PrerequisitesMissing) as err:
        advance_permit(iuki, S.SUBMITTED, actor="officer", on=TODAY, today=TODAY)
    assert [t.code for t in err.value.missing] == ["AMDAL"]
    assert iuki.status is S.NOT_STARTED and _events(iuki) == 0
    advance_permit(amdal, S.ISSUED, actor="officer", on=TODAY, today=TODAY)
    advance_permit(iuki, S.SUBMITTED, actor="officer", on=TODAY, today=TODAY)
    assert iuki.status is S.SUBMITTED


def test_move_dates_are_checked():
    permit = _permit_in(S.NOT_STARTED)
    with pytest.raises(InvalidMoveDate):
        advance_permit(permit, S.SUBMITTED, actor="o", on=TODAY + timedelta(days=1), today=TODAY)
    advance_permit(permit, S.SUBMITTED, actor="o", on=TODAY, today=TODAY)
    with pytest.raises(InvalidMoveDate):
        advance_permit(permit, S.UNDER_REVIEW, actor="o", on=TODAY - timedelta(days=1), today=TODAY)
    advance_permit(permit, S.UNDER_REVIEW, actor="o", on=TODAY, today=TODAY)  # same day is fine
    assert _events(permit) == 2


def test_events_are_append_only():
    permit = _permit_in(S.NOT_STARTED)
    row = advance_permit(permit, S.SUBMITTED, actor="o", on=TODAY, today=TODAY)
    db.session.commit()
    row.note = "rewritten"
    with pytest.raises(EventImmutable):
        db.session.flush()
    db.session.rollback()
    row = db.session.scalars(select(PermitEvent)).first()
    db.session.delete(row)
    with pytest.raises(EventImmutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalars(select(PermitEvent.note)).all() == [None]


def test_stale_version_from_a_form_is_refused():
    permit = _permit_in(S.NOT_STARTED)
    db.session.commit()
    seen = permit.version
    advance_permit(permit, S.SUBMITTED, actor="first", on=TODAY, today=TODAY, expected_version=seen)
    db.session.commit()
    with pytest.raises(ConcurrentEdit):
        advance_permit(permit, S.UNDER_REVIEW, actor="second", on=TODAY, today=TODAY, expected_version=seen)
    assert permit.status is S.SUBMITTED and _events(permit) == 1


def test_two_officers_saving_at_once(app):
    """Both load the same version; the first saves; the second's save is refused and the first's survives."""
    from permits.models import Permit

    permit_id = _permit_in(S.SUBMITTED).id
    db.session.commit()
    with app.app_context():  # the second officer's request, with its own session, loads the permit first
        theirs = db.session.get(Permit, permit_id)
        with app.app_context():  # the first officer's request runs and commits meanwhile
            mine = db.session.get(Permit, permit_id)
            advance_permit(mine, S.UNDER_REVIEW, actor="first", on=TODAY, today=TODAY)
            db.session.commit()
        with pytest.raises(ConcurrentEdit):
            advance_permit(theirs, S.RETURNED, actor="second", note="missing map", on=TODAY, today=TODAY)
        db.session.rollback()
    db.session.expire_all()
    permit = db.session.get(Permit, permit_id)
    assert permit.status is S.UNDER_REVIEW
    assert [e.actor for e in permit.events] == ["first"]


class RandomWalk(RuleBasedStateMachine):
    """Random moves, allowed or not, on random later dates; the history must always explain the permit."""

    def __init__(self) -> None:
        super().__init__()
        self.permit = make_permit("NIB")
        record_creation(self.permit, actor="o", on=date(2026, 1, 2))
        self.day = date(2026, 1, 2)
        self.banked = 0
        self.terminal_reached = False

    @rule(to=st.sampled_from(list(S)), gap=st.integers(0, 12), with_note=st.booleans())
    def move(self, to: S, gap: int, with_note: bool) -> None:
        on = self.day + timedelta(days=gap)
        before = self.permit.status
        try:
            advance_permit(self.permit, to, actor="o", note="n" if with_note else None, on=on, today=date(2027, 12, 31))
        except (ForbiddenTransition, NoteRequired, NotDeemedGranted, TooManyRevisions):
            assert self.permit.status is before
            return
        assert before not in TERMINAL, "a terminal state moved"
        self.day = on

    @invariant()
    def history_rebuilds_the_permit(self) -> None:
        status, clock = rebuild_from_events(self.permit)
        assert status is self.permit.status
        assert clock == clock_fields(self.permit)

    @invariant()
    def agency_clock_never_runs_while_the_investor_holds_the_file(self) -> None:
        if self.permit.status not in CLOCK_RUNNING:
            assert self.permit.running_since is None and self.permit.due_on is None
        if self.permit.status in REVISING:
            assert self.permit.investor_since is not None

    @invariant()
    def banked_days_never_shrink(self) -> None:
        assert self.permit.agency_days_banked >= self.banked
        self.banked = self.permit.agency_days_banked


RandomWalk.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_random_walk = RandomWalk.TestCase


def test_clock_fields_default_is_empty():
    assert ClockFields().running_since is None
