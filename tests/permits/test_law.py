"""The law of each permit type under each regulation (issue 9): limits, sub-stages, silence outcomes, the flag
they raise and its wording, the regime a file keeps, and lateness kept after a decision.

The expected figures are written out here from DOMAIN.md section 4 and PP 28/2025, not read from the catalogue:
a change of the seeded rules that the law does not support fails this table.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from app.extensions import db
from devtools.factories import file_permit, make_estate, make_permit, permit_type
from permits.calendar import add_working_days
from permits.models import PermitStatus as S
from permits.rules import AgencySilence, ApplicantSilence, ClockStart
from permits.stages import Holder
from permits.stalls.evidence import build_evidence
from permits.stalls.models import FlagKind, StallFlag
from permits.stalls.scan import scan_stalled
from permits.workflow import NotDeemedGranted, TooManyRevisions, advance_permit, permit_clock, rule_of, today_wib

PP28, PP5 = "PP 28/2025", "PP 5/2021"
FILED = {PP28: date(2026, 1, 8), PP5: date(2025, 3, 3)}  # first filing days under each regulation
PREREQUISITES = {
    "NIB": (),
    "KKPR": ("NIB",),
    "PERTEK": ("NIB", "KKPR"),
    "AMDAL": ("NIB", "KKPR", "PERTEK"),
    "IUKI": ("NIB", "KKPR", "PERTEK", "AMDAL"),
    "PBG": ("NIB", "KKPR", "PERTEK", "AMDAL"),
    "SLF": ("NIB", "KKPR", "PERTEK", "AMDAL", "PBG"),
    "PERLUASAN": ("NIB", "KKPR", "PERTEK", "AMDAL"),
}
# code: (limit, clock starts at, check, review, decision, fix, revision, rounds, agency silence, applicant
#        silence and its calendar days, confirmed under PP 28/2025)
LAW = {
    "NIB": (1, "submitted", None, None, None, None, None, None, "issued_by_oss", "none", None, False),
    "KKPR": (25, "declared_complete", 5, 20, None, 5, 5, 2, "without_land_consideration", "deemed_withdrawn", 14, True),
    "PERTEK": (30, "submitted", None, 30, None, None, None, None, "none", "none", None, True),
    "AMDAL": (63, "submitted", 3, 50, 10, 3, 30, 2, "none", "rejected_after_stop", 180, True),
    "IUKI": (5, "submitted", None, None, None, None, None, None, "issued_by_oss", "none", None, False),
    "PBG": (31, "submitted", 3, 26, 2, 5, None, None, "levy_set_automatically", "none", None, True),
    "SLF": (5, "submitted", None, None, None, None, None, None, "deemed_granted", "none", None, False),
    "PERLUASAN": (5, "submitted", None, None, None, None, None, None, "issued_by_oss", "none", None, False),
}
SILENCE_FLAG = {
    "deemed_granted": FlagKind.DEEMED_GRANTED_CANDIDATE,
    "issued_by_oss": FlagKind.AUTOMATIC_OUTCOME,
    "without_land_consideration": FlagKind.AUTOMATIC_OUTCOME,
    "levy_set_automatically": FlagKind.AUTOMATIC_OUTCOME,
}
WORDING = {
    FlagKind.DEEMED_GRANTED_CANDIDATE: "Deemed granted candidate",
    FlagKind.AUTOMATIC_OUTCOME: "The law's automatic outcome is due",
}
OUTCOME_WORDING = {
    "none": "Nothing automatic: the file waits for the agency",
    "deemed_granted": "Deemed granted by law (UU 30/2014 Pasal 53)",
    "issued_by_oss": "Issued by the OSS system (PP 28/2025 Pasal 230)",
    "without_land_consideration": "Issued without the land technical consideration (PP 28/2025 Pasal 22(3))",
    "levy_set_automatically": "The building levy is set automatically (PP 28/2025 Pasal 119(3))",
}


def _filed(code: str, regime: str):
    estate = make_estate()
    for pre in PREREQUISITES[code]:
        make_permit(pre, estate=estate, status=S.ISSUED)
    return file_permit(make_permit(code, estate=estate), FILED[regime])


def _open_kinds(permit) -> set[FlagKind]:
    rows = db.session.scalars(
        db.select(StallFlag.kind).where(StallFlag.permit_id == permit.id, StallFlag.resolved_on.is_(None))
    )
    return set(rows)


@pytest.mark.parametrize("regime", [PP28, PP5])
@pytest.mark.parametrize("code", list(LAW))
def test_each_type_under_each_regime(app, code: str, regime: str):
    limit, start, check, review, decision, fix, revision, rounds, agency, applicant, days, confirmed = LAW[code]
    permit = _filed(code, regime)
    assert permit.regime.name == regime
    rule = rule_of(permit)
    assert (rule.sla_working_days, rule.clock_starts_at.value) == (limit, start)
    assert (rule.check_working_days, rule.review_working_days, rule.decision_working_days) == (check, review, decision)
    assert (rule.fix_working_days, rule.revision_working_days, rule.max_revision_rounds) == (fix, revision, rounds)
    assert (rule.agency_silence.value, rule.applicant_silence.value, rule.applicant_silence_days) == (
        agency,
        applicant,
        days,
    )
    # Every PP 5/2021 figure is a stand-in until an administrator enters it: unconfirmed, and it says so.
    assert rule.confirmed is (confirmed and regime == PP28)
    assert permit.due_on == add_working_days(FILED[regime], limit)
    with app.test_request_context():
        assert str(rule.agency_silence.label) == OUTCOME_WORDING[agency]
    overdue_day = add_working_days(FILED[regime], limit + 1)
    scan_stalled(add_working_days(FILED[regime], limit))
    assert FlagKind.OVERDUE not in _open_kinds(permit)
    scan_stalled(overdue_day)
    kinds = _open_kinds(permit)
    assert FlagKind.OVERDUE in kinds
    silence = SILENCE_FLAG.get(agency) if rule.confirmed else None
    assert kinds - {FlagKind.OVERDUE, FlagKind.AT_RISK} == ({silence} if silence else set())
    if silence:
        with app.test_request_context():
            assert silence.label == WORDING[silence]


def test_a_file_filed_before_the_cut_off_keeps_pp5_when_pp28_figures_change():
    old, new = _filed("KKPR", PP5), _filed("KKPR", PP28)
    old_due, pp28 = old.due_on, rule_of(new)
    from permits.admin.rules import RuleFields, update_rule

    fields = RuleFields(**{name: getattr(pp28, name) for name in RuleFields.__dataclass_fields__})
    saved = update_rule(pp28, RuleFields(**{**vars(fields), "sla_working_days": 40}))
    assert saved.deadlines_moved == 1
    assert old.due_on == old_due and old.regime.name == PP5
    assert new.due_on == add_working_days(FILED[PP28], 40)


def test_the_cut_off_is_data_an_administrator_moves():
    from permits.admin.rules import regimes, update_regime

    pp28 = next(r for r in regimes() if r.name == PP28)
    update_regime(pp28, date(2025, 10, 1), confirmed=True, source="OSS disesuaikan (uji)")
    permit = _filed("NIB", PP28)  # filed 8 January 2026: still PP 28/2025
    assert permit.regime.name == PP28
    summer = make_permit("NIB")
    advance_permit(summer, S.SUBMITTED, actor="o", on=date(2025, 8, 1), today=date(2025, 8, 1))
    assert summer.regime.name == PP5  # between 5 June and the adjusted OSS: the old rule (Pasal 547(a))


def test_kkpr_clock_starts_when_the_file_is_declared_complete():
    estate = make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    kkpr = make_permit("KKPR", estate=estate)
    filed, paid = date(2026, 1, 8), date(2026, 1, 15)
    advance_permit(kkpr, S.SUBMITTED, actor="o", on=filed, today=filed)
    clock = permit_clock(kkpr, paid)
    assert clock.holder is Holder.INVESTOR and kkpr.running_since is None and kkpr.due_on is None
    assert clock.agency_days_used == 0
    assert kkpr.investor_silent_on == filed + timedelta(days=15)  # two 7-day notices unanswered (Pasal 19)
    advance_permit(kkpr, S.DECLARED_COMPLETE, actor="o", on=paid, today=paid)
    assert kkpr.running_since == paid and kkpr.due_on == add_working_days(paid, 25)
    assert permit_clock(kkpr, paid).holder is Holder.AGENCY


def test_an_unpaid_kkpr_fee_is_flagged_deemed_withdrawn_after_the_notices():
    estate = make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    kkpr = make_permit("KKPR", estate=estate)
    filed = date(2026, 1, 8)
    advance_permit(kkpr, S.SUBMITTED, actor="o", on=filed, today=filed)
    scan_stalled(filed + timedelta(days=14))
    assert FlagKind.DEEMED_WITHDRAWN_CANDIDATE not in _open_kinds(kkpr)
    scan_stalled(filed + timedelta(days=15))
    assert FlagKind.DEEMED_WITHDRAWN_CANDIDATE in _open_kinds(kkpr)
    advance_permit(kkpr, S.DEEMED_WITHDRAWN, actor="o", note="PNBP tidak dibayar", on=filed + timedelta(days=15))
    assert kkpr.status is S.DEEMED_WITHDRAWN and kkpr.status.label != S.WITHDRAWN.label


def test_amdal_stop_then_rejection_180_calendar_days_after_the_stop():
    amdal = _filed("AMDAL", PP28)
    day = add_working_days(FILED[PP28], 10)
    advance_permit(amdal, S.UNDER_REVIEW, actor="o", on=day, today=day)
    advance_permit(amdal, S.REVISION, actor="o", note="Perbaiki ANDAL", on=day, today=day)
    assert amdal.investor_due_on == add_working_days(day, 30)
    stopped = add_working_days(day, 31)
    advance_permit(amdal, S.PROCESS_STOPPED, actor="o", note="Tidak ditanggapi", on=stopped, today=stopped)
    with time_machine.travel(f"{(stopped + timedelta(days=180)).isoformat()} 12:00 +0700", tick=False):
        scan_stalled(stopped + timedelta(days=180))
        assert FlagKind.REJECTION_CANDIDATE not in _open_kinds(amdal)
    with time_machine.travel(f"{(stopped + timedelta(days=181)).isoformat()} 12:00 +0700", tick=False):
        scan_stalled(stopped + timedelta(days=181))
        assert FlagKind.REJECTION_CANDIDATE in _open_kinds(amdal)
        assert permit_clock(amdal).investor_silent_on == stopped + timedelta(days=181)
        advance_permit(amdal, S.REJECTED, actor="o", note="Pasal 91")
    assert amdal.status is S.REJECTED


def test_amdal_allows_two_revision_rounds_and_no_more():
    amdal = _filed("AMDAL", PP28)
    day = FILED[PP28]
    advance_permit(amdal, S.UNDER_REVIEW, actor="o", on=day, today=day)
    for _ in range(2):
        advance_permit(amdal, S.REVISION, actor="o", note="perbaiki", on=day, today=day)
        advance_permit(amdal, S.UNDER_REVIEW, actor="investor", on=day, today=day)
    with pytest.raises(TooManyRevisions):
        advance_permit(amdal, S.REVISION, actor="o", note="ketiga", on=day, today=day)
    assert amdal.status is S.UNDER_REVIEW and amdal.revision_rounds == 2


def test_the_deemed_grant_needs_the_outcome_a_passed_limit_and_the_evidence():
    slf = next(r for r in permit_type("SLF").rules if r.regime.name == PP28)
    slf.confirmed = True  # an administrator confirms UU 30/2014 Pasal 53's 5 working days for SLF
    permit = _filed("SLF", PP28)
    limit_day = add_working_days(FILED[PP28], 5)
    with pytest.raises(NotDeemedGranted, match="not passed yet"):
        advance_permit(permit, S.DEEMED_GRANTED, actor="o", note="Pasal 53", on=limit_day, evidence_fingerprint="f")
    past = add_working_days(FILED[PP28], 6)
    with pytest.raises(NotDeemedGranted, match="evidence"):
        advance_permit(permit, S.DEEMED_GRANTED, actor="o", note="Pasal 53", on=past, today=past)
    fingerprint = build_evidence(permit, past).fingerprint
    event = advance_permit(
        permit, S.DEEMED_GRANTED, actor="o", note="Pasal 53", on=past, today=past, evidence_fingerprint=fingerprint
    )
    assert permit.status is S.DEEMED_GRANTED and event.evidence_fingerprint == fingerprint


@pytest.mark.parametrize("code", ["AMDAL", "KKPR", "PBG", "IUKI"])
def test_the_deemed_grant_is_refused_for_a_type_the_law_does_not_grant(code: str):
    permit = _filed(code, PP28)
    late = add_working_days(FILED[PP28], 200)
    with pytest.raises(NotDeemedGranted):
        advance_permit(permit, S.DEEMED_GRANTED, actor="o", note="n", on=late, today=late, evidence_fingerprint="f")
    assert permit.status is not S.DEEMED_GRANTED


def test_an_unconfirmed_limit_raises_no_silence_flag_and_allows_no_deemed_grant():
    permit = _filed("SLF", PP28)  # 5 HK is UU 30/2014's general rule, not confirmed for SLF
    late = add_working_days(FILED[PP28], 30)
    scan_stalled(late)
    assert _open_kinds(permit) == {FlagKind.OVERDUE}
    with pytest.raises(NotDeemedGranted, match="unconfirmed"):
        advance_permit(permit, S.DEEMED_GRANTED, actor="o", note="n", on=late, today=late, evidence_fingerprint="f")


def test_lateness_is_kept_after_a_decision(client):
    kkpr = _filed("KKPR", PP28)
    decided = add_working_days(FILED[PP28], 30)  # five working days past the 25
    advance_permit(kkpr, S.ISSUED, actor="o", on=decided, today=decided)
    db.session.commit()
    clock = permit_clock(kkpr, decided + timedelta(days=40))
    assert clock.days_late == 5 and clock.days_overdue == 0 and not clock.running
    assert build_evidence(kkpr, today_wib()).days_late == 5  # events recorded today, effective earlier
    html = client.get(f"/permits/{kkpr.id}").get_data(as_text=True)
    assert "The agency took 5 working days past its limit." in html
    assert "Decided after 30 working days of the agency (limit 25)." in html
    figures = client.get("/stalls/agencies?group=type").get_data(as_text=True)
    assert '<td class="num text-danger">5</td>' in figures


def test_a_returned_file_keeps_how_late_the_agency_was():
    kkpr = _filed("KKPR", PP28)
    day = add_working_days(FILED[PP28], 28)
    advance_permit(kkpr, S.RETURNED, actor="o", note="Lengkapi", on=day, today=day)
    assert permit_clock(kkpr, day).days_late == 3


def test_the_rule_enums_are_the_ones_the_table_names():
    assert {member.value for member in AgencySilence} >= {law[8] for law in LAW.values()}
    assert {member.value for member in ApplicantSilence} >= {law[9] for law in LAW.values()}
    assert {member.value for member in ClockStart} >= {law[1] for law in LAW.values()}
