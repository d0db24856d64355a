"""The missing-report flags follow the stall flags' digest rules: each open flag told once to each person who should
hear of it (the officers of the kab/kota of the investor's estates, province-wide officers, the investor's users),
in the daily digest the stall scan's job builds (the LKPM scan runs before it), with a link to where it is acted on;
the governor's office's weekly summary counts them.

The clock (realisation/conftest.py) is Friday 20 November 2026; checked from 2026-Q3 (the default setting), the
PMA's 2026-Q3 report (due Thursday 15 October) is missing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from devtools.factories import make_lkpm_entry, region
from permits.jobs import stall_scan
from permits.notify.models import Notification, NotificationKind
from realisation.jobs import lkpm_scan
from realisation.models import LkpmFlag, LkpmFlagItem

FRIDAY, MONDAY = date(2026, 11, 20), date(2026, 11, 23)


@pytest.fixture
def people(companies, password_hash):
    accounts = {
        "serang": dict(role=Role.OFFICER, region_id=region("36.73").id),
        "lebak": dict(role=Role.OFFICER, region_id=region("36.02").id),  # no estate of the PMA there
        "province": dict(role=Role.OFFICER),
        "retired": dict(role=Role.OFFICER, active=False),
        "pma": dict(role=Role.INVESTOR, investor_id=companies.pma.id),
        "small": dict(role=Role.INVESTOR, investor_id=companies.small.id),
        "governor": dict(role=Role.GOVERNOR),
    }
    users = {}
    for key, values in accounts.items():
        users[key] = User(email=f"{key}@pantau.test", name=f"User {key}", password_hash=password_hash, **values)
        db.session.add(users[key])
    db.session.commit()
    return users


def _digests(user: User, kind: NotificationKind = NotificationKind.DAILY_DIGEST) -> list[Notification]:
    stmt = select(Notification).where(Notification.recipient_id == user.id, Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def test_each_missing_report_is_told_once_to_whom_it_concerns_with_a_link(companies, people):
    assert lkpm_scan(FRIDAY)["raised"]["missing"] == 1
    db.session.commit()
    assert _digests(people["serang"]) == []  # the LKPM scan writes no digest: the stall scan's job does
    result = stall_scan(FRIDAY)
    db.session.commit()
    assert result["notifications"]["daily_created"] == 3
    (officer,) = _digests(people["serang"])
    assert "PT Asing Kawasan (NIB 9120000000001)" in officer.body and "Triwulan III 2026" in officer.body
    flag = db.session.scalars(select(LkpmFlag)).one()
    assert "15 Okt 2026" in officer.body and f"/realisation/missing-reports/{flag.id}/evidence" in officer.body
    assert officer.subject.startswith("Pantau: 1 hal perlu perhatian")
    assert f"/realisation/missing-reports/{flag.id}/evidence" in _digests(people["province"])[0].body
    (investor,) = _digests(people["pma"])
    assert "/portal/lkpm" in investor.body and "NIB" not in investor.body
    for nobody in ("lebak", "retired", "small"):
        assert _digests(people[nobody]) == []
    (weekly,) = _digests(people["governor"], NotificationKind.WEEKLY_DIGEST)
    assert "LKPM" in weekly.body

    again = stall_scan(FRIDAY)  # the same day: nothing new
    assert again["notifications"]["daily_created"] == 0 and again["notifications"]["items"] == 0
    lkpm_scan(MONDAY)  # the flag still holds: not told again
    stall_scan(MONDAY)
    db.session.commit()
    assert len(_digests(people["serang"])) == 1
    assert db.session.query(LkpmFlagItem).count() == 3


def test_a_resolved_flag_is_not_told_and_a_new_episode_is(companies, people):
    make_lkpm_entry(companies.serang, period="2026-Q3")
    db.session.commit()
    lkpm_scan(FRIDAY)
    stall_scan(FRIDAY)
    db.session.commit()
    assert db.session.scalars(select(LkpmFlag)).all() == [] and _digests(people["serang"]) == []
