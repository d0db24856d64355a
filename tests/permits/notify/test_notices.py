"""Issue 12: the moves with a short clock are told at once (in the app and by mail), once per event, and never
again by the digest."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Region, Role, User
from devtools.factories import make_estate, make_investor, make_permit, permit_type
from permits.calendar import add_working_days
from permits.models import Permit
from permits.models import PermitStatus as S
from permits.notify.models import Notification, NotificationKind
from permits.notify.notices import notify_move
from permits.workflow import WIB, advance_permit
from tests.permits.notify.test_notifications import FakeSMTP, at, scan, send, smtp  # noqa: F401 - smtp: fixture

RETURNED = date(2026, 2, 2)  # a Monday


def notices(user: User) -> list[Notification]:
    query = select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == NotificationKind.NOTICE
    )
    return list(db.session.scalars(query.order_by(Notification.id)))


def _people(investor, password_hash: str) -> dict[str, User]:
    region_ids = {
        code: db.session.scalar(select(Region.id).where(Region.bps_code == code)) for code in ("36.73", "36.03")
    }
    accounts = {
        "serang": dict(role=Role.OFFICER, region_id=region_ids["36.73"]),
        "tangerang": dict(role=Role.OFFICER, region_id=region_ids["36.03"]),
        "province": dict(role=Role.OFFICER),
        "owner": dict(role=Role.INVESTOR, investor_id=investor.id),
        "stranger": dict(role=Role.INVESTOR, investor_id=make_investor().id),
        "governor": dict(role=Role.GOVERNOR),
    }
    users = {key: User(email=f"{key}@pantau.test", name=f"User {key}", password_hash=password_hash, **values)
             for key, values in accounts.items()}  # fmt: skip
    db.session.add_all(users.values())
    db.session.commit()
    return users


def _amdal_under_review(investor) -> Permit:
    estate = make_estate(name="Kawasan Notis", investor=investor)  # Kota Serang
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(code, estate=estate, status=S.ISSUED)
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, S.SUBMITTED, actor="o", on=date(2026, 1, 8), today=date(2026, 1, 8))
    advance_permit(amdal, S.UNDER_REVIEW, actor="o", on=date(2026, 1, 8), today=date(2026, 1, 8))
    db.session.commit()
    return amdal


@time_machine.travel(datetime(2026, 2, 2, 10, 0, tzinfo=WIB), tick=False)
def test_a_return_answer_and_decision_are_told_at_once_to_the_right_people_once(login_as, password_hash):
    investor = make_investor(legal_name="PT Notis")
    people = _people(investor, password_hash)
    amdal = _amdal_under_review(investor)
    officer = login_as("officer", region="36.73")
    data = {"target": "revision", "effective_on": "2026-02-02", "note": "ANDAL kurang", "version": str(amdal.version)}
    assert officer.post(f"/permits/{amdal.id}/move", data=data).status_code == 302

    (notice,) = notices(people["owner"])
    assert "dikembalikan" in notice.subject and "Kawasan Notis" in notice.subject
    assert "ANDAL kurang" in notice.body and f"/portal/permits/{amdal.id}" in notice.body
    assert notice.permit_event_id == amdal.events[-1].id
    for key in ("serang", "tangerang", "province", "stranger", "governor"):
        assert notices(people[key]) == [], key
    assert notices(officer.user) == []  # the mover is not told of their own move

    # told once per event: running the notices again for the same move writes nothing
    assert notify_move(amdal, amdal.events[-1]) == []
    assert len(notices(people["owner"])) == 1

    # the investor answers: the officers of the kab/kota and the province hear of it, with the office's link
    advance_permit(amdal, S.UNDER_REVIEW, actor=people["owner"], note="Revisi", on=RETURNED)
    for key in ("serang", "province"):
        (answered,) = notices(people[key])
        assert "menjawab" in answered.subject and f"/permits/{amdal.id}" in answered.body, key
    assert notices(people["tangerang"]) == [] and len(notices(people["owner"])) == 1

    # decided: the investor and the officers
    advance_permit(amdal, S.ISSUED, actor=officer.user, on=RETURNED)
    db.session.commit()
    assert "diputuskan" in notices(people["owner"])[-1].subject
    assert len(notices(people["serang"])) == 2 and len(notices(people["province"])) == 2
    assert [n.subject[:20] for n in notices(officer.user)] == ["Investor telah menja"]  # the answer, not its own move


def test_a_notice_is_mailed_through_the_outbox(password_hash, smtp: type[FakeSMTP]):  # noqa: F811
    investor = make_investor()
    people = _people(investor, password_hash)
    amdal = _amdal_under_review(investor)
    advance_permit(amdal, S.REVISION, actor="o", note="Perbaiki", on=RETURNED, today=RETURNED)
    db.session.commit()
    send(at(RETURNED, 10))
    (mail,) = [m for m in smtp.sent if m["To"].addresses[0].addr_spec == people["owner"].email]
    assert "dikembalikan" in mail["Subject"] and f"/portal/permits/{amdal.id}" in mail.get_content()
    send(at(RETURNED, 11))
    assert len([m for m in smtp.sent if m["To"].addresses[0].addr_spec == people["owner"].email]) == 1


def test_a_return_told_at_once_is_never_told_again_by_the_digest(password_hash):
    investor = make_investor()
    people = _people(investor, password_hash)
    amdal = _amdal_under_review(investor)
    rule = next(r for r in permit_type("AMDAL").rules if r.regime_id == amdal.regime_id)
    rule.revision_working_days = 2  # a short window: the reminder would be due at once
    advance_permit(amdal, S.REVISION, actor="o", note="Perbaiki", on=RETURNED, today=RETURNED)
    db.session.commit()
    assert len(notices(people["owner"])) == 1
    counts = scan(add_working_days(RETURNED, 1))
    assert counts["notifications"]["reminders"] == 0
    digests = db.session.scalars(
        select(Notification).where(
            Notification.recipient_id == people["owner"].id, Notification.kind == NotificationKind.DAILY_DIGEST
        )
    ).all()
    assert digests == []


def test_a_stop_order_is_told_at_once_once(password_hash, app):
    from dataclasses import replace

    from app.security import Scope
    from estates import services as estate_services
    from estates.models import EstateStatus
    from tests.estates.test_services import _estate_fields

    investor = make_investor()
    people = _people(investor, password_hash)
    officer = people["serang"]
    scope = Scope(role=Role.OFFICER, region_id=officer.region_id, user_id=officer.id)
    fields = _estate_fields(investor.id, region_id=officer.region_id)
    estate = estate_services.create_estate(fields, scope=scope)
    stopped = replace(fields, status=EstateStatus.STOPPED, stop_order_on=date(2025, 9, 16), stop_order_reason="AMDAL")
    estate_services.update_estate(estate, stopped, scope=scope)
    (notice,) = notices(people["owner"])
    assert "Perintah penghentian" in notice.subject and f"/portal/estates/{estate.id}" in notice.body
    assert "AMDAL" in notice.body
    assert len(notices(people["province"])) == 1 and notices(officer) == []  # not the officer who recorded it
    estate_services.update_estate(estate, replace(stopped, stop_order_reason="AMDAL (ralat)"), scope=scope)
    assert len(notices(people["owner"])) == 1  # the same order edited: not told again
