"""``Permit.answered`` ("answers arrived", kept with every move) always equals its recount from the events, and
the dashboard's counts read from the partial indexes equal the lists' conditions."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Role
from app.security import Scope
from devtools.factories import make_estate, make_permit
from permits.kept import answered_from_events, answered_mismatches, refresh_answered
from permits.models import Permit, PermitStatus
from permits.queries import work_counts
from permits.stages import TERMINAL, TransitionError
from permits.workflow import advance_permit, record_creation

S = PermitStatus
PROVINCE = Scope(role=Role.OFFICER)


def _recount() -> int:
    return db.session.scalar(select(func.count(Permit.id)).where(answered_from_events())) or 0


class AnsweredWalk(RuleBasedStateMachine):
    """Random moves of three permits, allowed or not: the kept value never differs from the recount."""

    def __init__(self) -> None:
        super().__init__()
        estate = make_estate()
        self.permits = [make_permit(code, estate=estate) for code in ("NIB", "KKPR", "AMDAL")]
        for permit in self.permits:
            record_creation(permit, actor="o", on=date(2026, 1, 2))
        self.day = date(2026, 1, 2)

    @rule(which=st.integers(0, 2), to=st.sampled_from([s for s in S if s not in TERMINAL]), gap=st.integers(0, 9))
    def move(self, which: int, to: S, gap: int) -> None:
        on = self.day + timedelta(days=gap)
        try:
            advance_permit(self.permits[which], to, actor="o", note="n", on=on, today=date(2027, 12, 31))
        except TransitionError:
            return
        self.day = on

    @invariant()
    def kept_equals_recount(self) -> None:
        db.session.flush()
        assert answered_mismatches() == 0
        assert work_counts(PROVINCE, today=self.day)["answered"] == _recount()


AnsweredWalk.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_answered_walk = AnsweredWalk.TestCase


def test_an_answer_is_kept_until_the_next_move():
    permit = make_permit("NIB")
    record_creation(permit, actor="o", on=date(2026, 1, 2))
    advance_permit(permit, S.SUBMITTED, actor="o", on=date(2026, 1, 5), today=date(2026, 3, 2))
    assert permit.answered is False
    advance_permit(permit, S.RETURNED, actor="o", note="map", on=date(2026, 1, 6), today=date(2026, 3, 2))
    assert permit.answered is False
    advance_permit(permit, S.SUBMITTED, actor="o", on=date(2026, 1, 7), today=date(2026, 3, 2))
    assert permit.answered is True
    assert work_counts(PROVINCE, today=date(2026, 3, 2))["answered"] == 1
    advance_permit(permit, S.UNDER_REVIEW, actor="o", on=date(2026, 1, 8), today=date(2026, 3, 2))
    assert permit.answered is False
    assert work_counts(PROVINCE, today=date(2026, 3, 2))["answered"] == 0


def test_refresh_answered_repairs_what_a_bulk_load_left():
    permit = make_permit("NIB")
    record_creation(permit, actor="o", on=date(2026, 1, 2))
    for to, note in ((S.SUBMITTED, None), (S.RETURNED, "map"), (S.SUBMITTED, None)):
        advance_permit(permit, to, actor="o", note=note, on=date(2026, 1, 7), today=date(2026, 3, 2))
    other = make_permit("KKPR", estate=permit.estate)
    record_creation(other, actor="o", on=date(2026, 1, 2))
    db.session.flush()
    db.session.execute(update(Permit).values(answered=Permit.id == other.id))  # as a writer without the workflow
    stamp = db.session.scalar(select(Permit.updated_at).where(Permit.id == permit.id))
    assert answered_mismatches() == 2
    assert refresh_answered() == 1
    db.session.expire_all()
    assert answered_mismatches() == 0
    assert db.session.get(Permit, permit.id).answered is True
    assert db.session.get(Permit, permit.id).updated_at == stamp  # the permit's last update is not today's repair
