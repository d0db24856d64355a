"""The evidence of a permit's clock: the counting interval by interval, and a fingerprint that changes exactly
when the facts change."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import update

from app.extensions import db
from devtools.factories import make_estate, make_permit, region
from permits.admin.closures import add_closure
from permits.models import PermitEvent
from permits.models import PermitStatus as S
from permits.stages import Holder
from permits.stalls.evidence import build_evidence
from permits.stalls.skipped import SkipReason
from permits.workflow import WIB, advance_permit, permit_clock

FILED = date(2026, 1, 8)  # Thursday; KKPR: 25 working days
RETURNED = date(2026, 1, 22)
RESUBMITTED = date(2026, 1, 27)
CLOSED = date(2026, 2, 4)  # an administrator's closure, a Wednesday
AS_OF = date(2026, 3, 10)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


@pytest.fixture
def clock():
    with time_machine.travel(at(FILED), tick=False) as traveller:
        yield traveller


def _kkpr(clock, *, estate=None):
    """A KKPR filed on 8 January 2026, returned on the 22nd, filed again on the 27th (each move recorded that
    day), with a closure on 4 February; time then stands at 10 March 2026, 10.00 WIB."""
    estate = estate or make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate, reference_number="KKPR/2026/001")
    advance_permit(permit, S.SUBMITTED, actor="Petugas A", on=FILED)
    advance_permit(permit, S.DECLARED_COMPLETE, actor="Petugas A", on=FILED)
    clock.move_to(at(RETURNED))
    advance_permit(permit, S.RETURNED, actor="Petugas B", note="Peta bidang tanah kurang.", on=RETURNED)
    clock.move_to(at(RESUBMITTED))
    advance_permit(permit, S.DECLARED_COMPLETE, actor="PT Investor", on=RESUBMITTED)
    clock.move_to(at(CLOSED))
    add_closure(CLOSED, "closed", "Banjir: kantor ditutup", "admin")
    clock.move_to(at(AS_OF))
    db.session.commit()
    return permit


def test_the_working_days_are_counted_interval_by_interval_with_every_skipped_date(clock):
    permit = _kkpr(clock)
    ev = build_evidence(permit, AS_OF)
    first, revision, second = ev.intervals
    assert (first.holder, first.start, first.end, first.ongoing) == (Holder.AGENCY, FILED, RETURNED, False)
    assert first.working_days == 9  # 9, 12-15, 19-22 January; the 16th is Isra Mikraj
    assert [(s.day, s.reason) for s in first.other_skipped] == [(date(2026, 1, 16), SkipReason.NATIONAL_HOLIDAY)]
    assert first.weekend_days == [date(2026, 1, d) for d in (10, 11, 17, 18)]
    assert "Isra Mikraj" in first.other_skipped[0].name
    assert (revision.holder, revision.working_days) == (Holder.INVESTOR, 3)
    assert (second.holder, second.start, second.end, second.ongoing) == (Holder.AGENCY, RESUBMITTED, AS_OF, True)
    assert [(s.day, s.reason) for s in second.other_skipped] == [
        (CLOSED, SkipReason.CLOSURE),
        (date(2026, 2, 16), SkipReason.CUTI_BERSAMA),
        (date(2026, 2, 17), SkipReason.NATIONAL_HOLIDAY),
    ]
    assert second.other_skipped[0].name == "Banjir: kantor ditutup"
    assert second.working_days == 27
    assert ev.agency_days_used == 36 == permit_clock(permit, AS_OF).agency_days_used
    assert ev.due_on == date(2026, 2, 23) == permit.due_on  # 16 working days left after the 27th
    assert ev.days_late == 11 == permit_clock(permit, AS_OF).days_overdue
    assert ev.regime == "PP 28/2025"
    assert ev.silence_outcome_due  # KKPR: issued without the land consideration when late (Pasal 22(3))
    assert [(s.stage.value, s.limit, s.used, s.late) for s in ev.stages] == [
        ("check", 5, 36, 31),  # KKPR's clock starts at "declared complete": the document check (20(2))
        ("review", 20, 0, 0),
        ("fix", 5, 3, 0),
        ("revision", 5, 0, 0),
    ]


def test_the_facts_hold_every_event_with_both_dates_and_no_interface_text(clock):
    permit = _kkpr(clock)
    facts = build_evidence(permit, AS_OF).facts()
    assert [e["to_status"] for e in facts["events"]] == [
        "submitted",
        "declared_complete",
        "returned",
        "declared_complete",
    ]
    returned = facts["events"][2]
    assert returned["effective_on"] == "2026-01-22"
    assert returned["recorded_at"] == "2026-01-22T10:00:00+07:00"
    assert (returned["actor"], returned["note"]) == ("Petugas B", "Peta bidang tanah kurang.")
    assert facts["statute"]["sla_working_days"] == 25
    assert facts["statute"]["legal_basis"] == "PP 28/2025 Pasal 19-26"
    assert facts["statute"]["regime"] == "PP 28/2025"
    assert facts["statute"]["agency_silence"] == "without_land_consideration"
    assert facts["permit"]["reference_number"] == "KKPR/2026/001"
    result = {k: v for k, v in facts["result"].items() if k != "stages"}
    assert result == {
        "agency_working_days_used": 36,
        "due_on": "2026-02-23",
        "working_days_late": 11,
        "silence_outcome_due": True,
    }


def test_the_fingerprint_is_the_sha256_of_the_canonical_json_and_stable(clock):
    permit = _kkpr(clock)
    ev = build_evidence(permit, AS_OF)
    assert ev.fingerprint == hashlib.sha256(ev.canonical).hexdigest()
    assert json.loads(ev.canonical) == ev.facts()
    assert ev.canonical == json.dumps(ev.facts(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    db.session.expire_all()
    assert build_evidence(permit, AS_OF).fingerprint == ev.fingerprint
    assert build_evidence(permit, date(2026, 3, 11)).fingerprint != ev.fingerprint  # the day is part of it


def test_changing_a_note_in_the_database_changes_the_fingerprint(clock):
    permit = _kkpr(clock)
    before = build_evidence(permit, AS_OF).fingerprint
    event_id = permit.events[1].id
    table = PermitEvent.__table__
    db.session.execute(update(table).where(table.c.id == event_id).values(note="Peta bidang tanah lengkap."))
    db.session.expire_all()
    assert build_evidence(permit, AS_OF).fingerprint != before


def test_changing_an_effective_date_in_the_database_changes_the_fingerprint(clock):
    permit = _kkpr(clock)
    before = build_evidence(permit, AS_OF)
    table = PermitEvent.__table__
    event_id = permit.events[3].id  # the resubmission
    db.session.execute(update(table).where(table.c.id == event_id).values(effective_on=date(2026, 1, 26)))
    db.session.expire_all()
    after = build_evidence(permit, AS_OF)
    assert after.agency_days_used == before.agency_days_used + 1
    assert after.fingerprint != before.fingerprint


def test_a_new_event_changes_the_fingerprint(clock):
    permit = _kkpr(clock)
    before = build_evidence(permit, AS_OF).fingerprint
    advance_permit(permit, S.UNDER_REVIEW, actor="Petugas A", on=AS_OF)
    db.session.commit()
    after = build_evidence(permit, AS_OF)
    assert after.fingerprint != before
    assert after.events[-1].to_status is S.UNDER_REVIEW
    assert after.agency_days_used == 36  # a move between two running statuses does not stop the clock


def test_a_copy_printed_earlier_can_still_be_checked_after_the_permit_moved_on(clock):
    estate = make_estate()
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    advance_permit(permit, S.SUBMITTED, actor="Petugas A", on=FILED)
    clock.move_to(at(RETURNED))
    advance_permit(permit, S.RETURNED, actor="Petugas B", note="Kurang.", on=RETURNED)
    db.session.commit()
    printed = build_evidence(permit, RETURNED)
    clock.move_to(at(RESUBMITTED))
    advance_permit(permit, S.SUBMITTED, actor="PT Investor", on=RESUBMITTED)
    db.session.commit()
    clock.move_to(at(AS_OF))
    again = build_evidence(permit, RETURNED)
    assert [e.seq for e in again.events] == [1, 2]  # the later move was recorded after that day
    assert again.fingerprint == printed.fingerprint
    assert build_evidence(permit, AS_OF).fingerprint != printed.fingerprint


def test_a_late_permit_type_without_automatic_outcome_is_overdue_but_no_deemed_grant(clock):
    estate = make_estate()
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(code, estate=estate, status=S.ISSUED)
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, S.SUBMITTED, actor="Petugas A", on=FILED)
    clock.move_to(at(date(2026, 6, 1)))
    ev = build_evidence(amdal, date(2026, 6, 1))
    assert ev.overdue and not ev.silence_outcome_due  # AMDAL: the law grants nothing on the agency's silence
    assert ev.days_late == permit_clock(amdal, date(2026, 6, 1)).days_overdue > 0


def test_an_unfiled_permit_has_no_interval_and_nothing_counted(clock):
    permit = make_permit("KKPR")
    ev = build_evidence(permit, FILED)
    assert ev.intervals == () and ev.agency_days_used == 0 and ev.due_on is None and not ev.overdue


# --- the pages ---------------------------------------------------------------------------------------------


def _fingerprint(html: str) -> str:
    match = re.search(r'id="fingerprint">([0-9a-f]{64})<', html)
    assert match, "no fingerprint on the page"
    return match.group(1)


def test_the_page_shows_the_facts_the_verdict_and_the_fingerprint(clock, client):
    permit = _kkpr(clock)
    response = client.get(f"/permits/{permit.id}/evidence")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    ev = build_evidence(permit, AS_OF)
    assert _fingerprint(html) == ev.fingerprint
    assert 'data-verdict="silence_outcome_due"' in html
    assert "Issued without the land technical consideration" in html
    assert "PP 28/2025 Pasal 19-26" in html
    assert "25 working days" in html and "PP 28/2025" in html
    assert "Banjir: kantor ditutup" in html and "Isra Mikraj" in html and "cuti bersama" in html
    assert "Peta bidang tanah kurang." in html and "22 Jan 2026 10:00 WIB" in html
    assert 'id="ev-overdue"><span class="fw-bold text-danger">11</span>' in html


def test_the_json_download_hashes_to_the_fingerprint_shown(clock, client):
    permit = _kkpr(clock)
    fingerprint = _fingerprint(client.get(f"/permits/{permit.id}/evidence").get_data(as_text=True))
    download = client.get(f"/permits/{permit.id}/evidence.json?as_of=2026-03-10")
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="pantau-evidence-{permit.id}-2026-03-10.json"'
    )
    assert hashlib.sha256(download.data).hexdigest() == fingerprint


def test_the_fingerprint_is_the_same_in_every_interface_language(clock, client):
    permit = _kkpr(clock)
    english = _fingerprint(client.get(f"/permits/{permit.id}/evidence").get_data(as_text=True))
    client.get("/language/id")
    indonesian = client.get(f"/permits/{permit.id}/evidence").get_data(as_text=True)
    assert 'lang="id"' in indonesian
    assert _fingerprint(indonesian) == english


def test_a_past_day_gives_that_days_evidence_and_a_bad_one_is_refused_with_a_message(clock, client):
    permit = _kkpr(clock)
    past = client.get(f"/permits/{permit.id}/evidence?as_of=2026-02-02").get_data(as_text=True)
    assert _fingerprint(past) == build_evidence(permit, date(2026, 2, 2)).fingerprint
    for bad in ("2026-03-11", "yesterday", "1900-01-01", "2026-02-30", "9" * 40):
        response = client.get(f"/permits/{permit.id}/evidence?as_of={bad}")
        assert response.status_code == 200, bad
        html = response.get_data(as_text=True)
        assert "could not be used" in html, bad
        assert _fingerprint(html) == build_evidence(permit, AS_OF).fingerprint


def test_the_evidence_follows_the_scope(clock, login_as):
    permit = _kkpr(clock, estate=make_estate(region=region("36.73")))
    url = f"/permits/{permit.id}/evidence"
    assert login_as("officer", region="36.73").get(url).status_code == 200
    assert login_as("governor").get(url).status_code == 200
    other_region = login_as("officer", region="36.04")
    assert other_region.get(url).status_code == 404
    assert other_region.get(url + ".json").status_code == 404
    investor = login_as("investor", investor=permit.estate.investor)
    assert investor.get(url).status_code == 403
    assert investor.get(url + ".json").status_code == 403
    officer = login_as("officer")
    for missing in ("/permits/999999/evidence", "/permits/99999999999999/evidence", "/permits/0/evidence.json"):
        assert officer.get(missing).status_code == 404, missing


def test_the_permit_page_links_to_the_evidence_only_when_overdue(clock, client):
    permit = _kkpr(clock)
    on_time = make_permit("KKPR", estate=make_estate())
    make_permit("NIB", estate=on_time.estate, status=S.ISSUED)
    advance_permit(on_time, S.SUBMITTED, actor="Petugas A", on=AS_OF)
    db.session.commit()
    assert f'href="/permits/{permit.id}/evidence"' in client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert "/evidence" not in client.get(f"/permits/{on_time.id}").get_data(as_text=True)
