"""What the dashboard reads instead of counting: ``Permit.answered`` ("answers arrived", kept with every move)
always equals its recount from the events, and the permits per kab/kota and status (``permits.tally``, kept by
every flush) equal a recount."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import Region, Role
from app.security import Scope
from devtools.factories import make_estate, make_permit
from permits.figures import dashboard_figures
from permits.kept import answered_from_events, answered_mismatches, refresh_answered
from permits.models import Permit, PermitStatus
from permits.queries import work_counts
from permits.stages import TERMINAL, TransitionError
from permits.tally import PermitTally, recount_tally, tally_mismatches
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


class TallyWalk(RuleBasedStateMachine):
    """New permits, random moves and estates moved to another kab/kota: the counts per kab/kota and status kept by
    the session always equal a recount, and the dashboard's permits by status read them."""

    def __init__(self) -> None:
        super().__init__()
        self.regions = db.session.scalars(select(Region).order_by(Region.id)).all()
        self.estates = [make_estate(region=self.regions[0]), make_estate(region=self.regions[1])]
        self.permits: list[Permit] = []
        recount_tally()  # each example starts from exact counts (the rows of earlier examples stay)
        self.day = date(2026, 1, 2)

    @rule(which=st.integers(0, 1), code=st.sampled_from(["NIB", "KKPR", "AMDAL"]), status=st.sampled_from(list(S)))
    def add(self, which: int, code: str, status: S) -> None:
        estate = self.estates[which]
        live = [
            p for p in self.permits if p.estate is estate and p.permit_type.code == code and p.status not in TERMINAL
        ]
        if status not in TERMINAL and live:
            return  # one live application per estate and type
        self.permits.append(make_permit(code, estate=estate, status=status))

    @rule(which=st.integers(0, 20), to=st.sampled_from(list(S)), gap=st.integers(0, 9))
    def move(self, which: int, to: S, gap: int) -> None:
        if not self.permits:
            return
        on = self.day + timedelta(days=gap)
        try:
            advance_permit(
                self.permits[which % len(self.permits)], to, actor="o", note="n", on=on, today=date(2027, 12, 31)
            )
        except TransitionError:
            return
        self.day = on

    @rule(which=st.integers(0, 1), region=st.integers(0, 7))
    def relocate(self, which: int, region: int) -> None:
        self.estates[which].region_id = self.regions[region].id
        db.session.flush()

    @invariant()
    def kept_equals_recount(self) -> None:
        assert tally_mismatches() == {}
        counted = dict(db.session.execute(select(Permit.status, func.count(Permit.id)).group_by(Permit.status)).all())
        assert dict(dashboard_figures(PROVINCE).permits_by_status) == {s: counted.get(s, 0) for s in S}


TallyWalk.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_tally_walk = TallyWalk.TestCase


def test_recount_tally_repairs_what_a_bulk_load_left():
    permit = make_permit("NIB")
    db.session.flush()
    db.session.execute(delete(PermitTally))
    assert tally_mismatches() == {(permit.estate.region_id, "not_started"): (0, 1)}
    recount_tally()
    assert tally_mismatches() == {}
    region = Scope(role=Role.OFFICER, region_id=permit.estate.region_id)
    assert dict(dashboard_figures(region).permits_by_status)[S.NOT_STARTED] == 1
