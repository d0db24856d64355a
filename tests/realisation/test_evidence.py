"""The evidence of a missing-report flag, as the stall flags have theirs: the deadline and the days it was moved
past, the reports on file (a draft does not count), a fingerprint that the JSON download reproduces, in scope.

With the deadline day set to the 17th, the PMA's 2026-Q3 report falls due on Saturday 17 October 2026, moved past
the weekend to Monday 19 October; the flag rises on the 20th. The clock (realisation/conftest.py) is 20 November."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Setting
from devtools.factories import make_lkpm_entry
from realisation.evidence import build_evidence
from realisation.models import LkpmFlag, LkpmFlagKind, LkpmStatus
from realisation.scan import scan_missing_reports


def _flag(companies) -> LkpmFlag:
    db.session.get(Setting, "lkpm.deadline_day").value = "17"
    make_lkpm_entry(companies.serang, period="2026-Q3", status=LkpmStatus.DRAFT, reported_on=date(2026, 10, 30))
    scan_missing_reports(date(2026, 11, 20))
    db.session.commit()
    return db.session.scalars(select(LkpmFlag).where(LkpmFlag.kind == LkpmFlagKind.MISSING)).one()


def test_the_evidence_shows_the_moved_deadline_and_the_draft_that_does_not_count(companies):
    flag = _flag(companies)
    (period,) = build_evidence(flag).periods
    assert (period.nominal_due, period.due_on, period.flagged_from) == (
        date(2026, 10, 17), date(2026, 10, 19), date(2026, 10, 20),
    )  # fmt: skip
    assert [(s.day, s.reason.value) for s in period.skipped] == [
        (date(2026, 10, 17), "weekend"), (date(2026, 10, 18), "weekend"),
    ]  # fmt: skip
    facts = build_evidence(flag).facts()
    assert facts["periods"][0]["reports"][0]["status"] == "draf" and not facts["periods"][0]["reports"][0]["submitted"]
    assert flag.raised_on == date(2026, 11, 20)


def test_the_page_and_its_json_agree_and_keep_to_the_scope(companies, login_as):
    flag = _flag(companies)
    serang = login_as("officer", region="36.73")
    page = serang.get(f"/realisation/missing-reports/{flag.id}/evidence").get_data(as_text=True)
    download = serang.get(f"/realisation/missing-reports/{flag.id}/evidence.json")
    fingerprint = hashlib.sha256(download.data).hexdigest()
    assert download.headers["X-Evidence-SHA256"] == fingerprint and fingerprint in page
    assert "PT Asing Kawasan" in page and "19 Oct 2026" in page
    listing = serang.get("/realisation/missing-reports").get_data(as_text=True)
    assert f'href="/realisation/missing-reports/{flag.id}/evidence"' in listing
    lebak = login_as("officer", region="36.02")  # no estate of the PMA there
    assert lebak.get(f"/realisation/missing-reports/{flag.id}/evidence").status_code == 404
    assert lebak.get(f"/realisation/missing-reports/{flag.id}/evidence.json").status_code == 404
    assert serang.get("/realisation/missing-reports/99999999/evidence").status_code == 404
    make_lkpm_entry(companies.tangerang, period="2026-Q3")  # the report arrives: the evidence changes
    db.session.commit()
    assert hashlib.sha256(serang.get(f"/realisation/missing-reports/{flag.id}/evidence.json").data).hexdigest() != (
        fingerprint
    )
