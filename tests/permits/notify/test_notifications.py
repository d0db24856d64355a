"""Notifications: who hears what, one digest a day, the governor's weekly summary, the SMTP outbox and the pages."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from app.extensions import db
from app.formatting import day as format_day
from app.models import Region, Role, User
from devtools.factories import file_permit, make_estate, make_investor, make_permit
from estates.models import Estate, Investor
from permits.calendar import add_working_days
from permits.jobs import send_outbox, stall_scan
from permits.models import Permit
from permits.models import PermitStatus as S
from permits.notify import outbox
from permits.notify.models import Notification, NotificationItem, NotificationKind
from permits.notify.recipients import REMINDER_MARK
from permits.stalls.models import FlagKind, StallFlag
from permits.workflow import WIB, advance_permit
from tests.conftest import SignedInClient

FILED = date(2026, 1, 8)  # KKPR: 25 working days, due Friday 13 February 2026
OVERDUE_DAY = date(2026, 2, 18)  # Wednesday: the weekend and Imlek (16-17 February) come between
MONDAY = date(2026, 2, 16)  # the ISO week of OVERDUE_DAY
RETURNED = date(2026, 2, 2)  # an AMDAL returned for revision: 30 working days to answer


def at(day: date, hour: int = 7, minute: int = 30) -> datetime:
    """A moment of a WIB day, as the aware UTC datetime the database keeps."""
    return datetime.combine(day, time(hour, minute), WIB).astimezone(UTC)


@dataclass
class World:
    serang: Permit  # KKPR of an estate in Kota Serang, investor A
    tangerang: Permit  # KKPR of an estate in Kabupaten Tangerang, investor B
    investor_a: Investor
    investor_b: Investor
    users: dict[str, User]


def _region_id(code: str) -> int:
    return db.session.scalar(select(Region.id).where(Region.bps_code == code))


def _kkpr(estate: Estate) -> Permit:
    make_permit("NIB", estate=estate, status=S.ISSUED)
    return file_permit(make_permit("KKPR", estate=estate), FILED, "o")


@pytest.fixture
def world(password_hash: str) -> World:
    investor_a, investor_b = make_investor(legal_name="PT Alfa Serang"), make_investor(legal_name="PT Beta Tangerang")
    serang = _kkpr(make_estate(name="Kawasan Alfa", investor=investor_a))  # Kota Serang (36.73)
    tangerang = _kkpr(make_estate(name="Kawasan Beta", investor=investor_b, region_id=_region_id("36.03")))
    accounts = {
        "serang": dict(role=Role.OFFICER, region_id=_region_id("36.73")),
        "tangerang": dict(role=Role.OFFICER, region_id=_region_id("36.03")),
        "province": dict(role=Role.OFFICER),
        "retired": dict(role=Role.OFFICER, active=False),
        "investor_a": dict(role=Role.INVESTOR, investor_id=investor_a.id),
        "investor_b": dict(role=Role.INVESTOR, investor_id=investor_b.id),
        "governor": dict(role=Role.GOVERNOR),
        "admin": dict(role=Role.ADMINISTRATOR),
    }
    users = {}
    for key, values in accounts.items():
        users[key] = User(email=f"{key}@pantau.test", name=f"User {key}", password_hash=password_hash, **values)
        db.session.add(users[key])
    db.session.commit()
    return World(serang, tangerang, investor_a, investor_b, users)


def scan(day: date) -> dict:
    """The morning job as the scheduler runs it (``run_job`` commits), at 07.30 WIB of ``day``."""
    with time_machine.travel(at(day), tick=False):
        counts = stall_scan(day)
        db.session.commit()
    return counts


def digests(user: User, kind: NotificationKind | None = None) -> list[Notification]:
    """The user's digests (the immediate notices of moves left out: tests/permits/notify/test_notices.py)."""
    stmt = (
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.kind != NotificationKind.NOTICE)
        .order_by(Notification.id)
    )
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def told(user: User) -> set[tuple[int, FlagKind]]:
    """(permit id, flag kind) of every flag told to the user."""
    stmt = (
        select(StallFlag.permit_id, StallFlag.kind)
        .join(NotificationItem, NotificationItem.flag_id == StallFlag.id)
        .where(NotificationItem.recipient_id == user.id)
    )
    return {tuple(row) for row in db.session.execute(stmt)}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


AGENCY_FLAGS = (FlagKind.OVERDUE, FlagKind.AUTOMATIC_OUTCOME)  # KKPR: issued without the land consideration


def indonesian(msgid: str, **values) -> str:
    """The text as the digests write it (always in Indonesian, whatever the interface language)."""
    with force_locale("id"):
        return gettext(msgid, **values)


def subject(count: int, day: date) -> str:
    with force_locale("id"):
        return ngettext(
            "Pantau: %(num)d permit needs attention, %(day)s",
            "Pantau: %(num)d permits need attention, %(day)s",
            count,
            day=format_day(day),
        )


# --- who hears what ----------------------------------------------------------------------------------------


def test_each_officer_hears_of_the_flags_of_their_region_in_one_digest(world: World):
    scan(OVERDUE_DAY)
    u = world.users
    expected_serang = {(world.serang.id, kind) for kind in AGENCY_FLAGS}
    expected_tangerang = {(world.tangerang.id, kind) for kind in AGENCY_FLAGS}
    assert told(u["serang"]) == expected_serang
    assert told(u["tangerang"]) == expected_tangerang
    assert told(u["province"]) == expected_serang | expected_tangerang
    (serang,) = digests(u["serang"])
    assert (serang.kind, serang.period) == (NotificationKind.DAILY_DIGEST, OVERDUE_DAY)
    assert "Kawasan Alfa" in serang.body and "Kawasan Beta" not in serang.body
    assert serang.body.count("KKPR, Kawasan Alfa") == 1  # one line per permit, not one per flag
    assert f"\n  /permits/{world.serang.id}\n" in serang.body  # each item links to its page (issue 12)
    (province,) = digests(u["province"])
    assert "Kawasan Alfa" in province.body and "Kawasan Beta" in province.body
    assert serang.subject == subject(1, OVERDUE_DAY)
    assert serang.body.startswith(indonesian("Hello %(name)s,", name="User serang"))


def test_inactive_users_investors_without_flags_and_administrators_get_nothing_daily(world: World):
    scan(OVERDUE_DAY)
    for key in ("retired", "investor_a", "investor_b", "admin"):
        assert digests(world.users[key]) == [], key
    assert digests(world.users["governor"], NotificationKind.DAILY_DIGEST) == []


def _returned_amdal(estate: Estate) -> Permit:
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(code, estate=estate, status=S.ISSUED)
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, S.SUBMITTED, actor="o", on=FILED, today=FILED)
    advance_permit(amdal, S.UNDER_REVIEW, actor="o", on=FILED, today=FILED)
    advance_permit(amdal, S.REVISION, actor="o", note="ANDAL belum lengkap", on=RETURNED, today=RETURNED)
    db.session.commit()
    return amdal


def test_the_investor_hears_only_of_its_own_late_revision(world: World):
    amdal = _returned_amdal(make_estate(name="Kawasan Alfa Dua", investor=world.investor_a))
    late = add_working_days(RETURNED, 31)
    scan(add_working_days(RETURNED, 30))
    assert (amdal.id, FlagKind.INVESTOR_OVERDUE) not in told(world.users["investor_a"])
    scan(late)
    assert told(world.users["investor_a"]) == {(amdal.id, FlagKind.INVESTOR_OVERDUE)}
    assert told(world.users["investor_b"]) == set()
    assert (amdal.id, FlagKind.INVESTOR_OVERDUE) in told(world.users["serang"])  # the officer chases it
    assert (amdal.id, FlagKind.INVESTOR_OVERDUE) not in told(world.users["tangerang"])
    (digest,) = [d for d in digests(world.users["investor_a"]) if d.period == late]
    assert "Kawasan Alfa Dua" in digest.body and "Beta" not in digest.body
    assert amdal.agency_name("id") not in digest.body  # the investor's lines do not name the agency


def test_the_investor_is_reminded_once_when_three_working_days_are_left(world: World):
    amdal = _returned_amdal(make_estate(name="Kawasan Alfa Dua", investor=world.investor_a))
    investor = world.users["investor_a"]
    scan(add_working_days(RETURNED, 26))  # four working days left: no reminder yet
    assert digests(investor) == []
    reminder_day = add_working_days(RETURNED, 27)
    counts = scan(reminder_day)
    assert counts["notifications"]["reminders"] == 1
    (digest,) = digests(investor)
    assert digest.period == reminder_day
    assert f"{REMINDER_MARK} {amdal.id}.{amdal.last_event_seq}" in digest.body
    assert "Kawasan Alfa Dua" in outbox.visible_body(digest.body)
    assert f"/portal/permits/{amdal.id}" in outbox.visible_body(digest.body)  # the investor's page of the permit
    assert REMINDER_MARK not in outbox.visible_body(digest.body)
    assert digests(world.users["investor_b"]) == []
    for later in (add_working_days(RETURNED, 28), add_working_days(RETURNED, 30)):
        assert scan(later)["notifications"]["reminders"] == 0  # once per revision round
    assert len(digests(investor)) == 1


def test_a_new_revision_round_is_reminded_again(world: World):
    amdal = _returned_amdal(make_estate(investor=world.investor_a))
    first = add_working_days(RETURNED, 27)
    scan(first)
    advance_permit(amdal, S.UNDER_REVIEW, actor="investor", on=first, today=first)
    again = add_working_days(first, 1)
    advance_permit(amdal, S.REVISION, actor="o", note="Masih kurang", on=again, today=again)
    db.session.commit()
    scan(add_working_days(again, 26))
    assert scan(add_working_days(again, 27))["notifications"]["reminders"] == 1
    assert len(digests(world.users["investor_a"])) == 2


# --- one digest a day, and nothing new the second time ------------------------------------------------------


def _snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(Notification.id, Notification.recipient_id, Notification.period, Notification.subject, Notification.body)
    )
    return sorted(tuple(r) for r in rows) + sorted(
        tuple(r) for r in db.session.execute(select(NotificationItem.flag_id, NotificationItem.recipient_id))
    )


def test_running_the_scan_and_the_digests_twice_a_day_creates_nothing_new(world: World):
    first = scan(OVERDUE_DAY)
    assert first["notifications"]["daily_created"] == 3 and first["notifications"]["weekly_created"] == 1
    before = _snapshot()
    second = scan(OVERDUE_DAY)
    assert second["notifications"] == {
        "daily_created": 0,
        "daily_extended": 0,
        "weekly_created": 0,
        "items": 0,
        "reminders": 0,
        "released": 0,
    }
    assert _snapshot() == before


def test_the_next_day_tells_only_new_flags(world: World):
    scan(OVERDUE_DAY)
    counts = scan(add_working_days(OVERDUE_DAY, 1))  # the same flags, confirmed
    assert counts["notifications"]["daily_created"] == 0
    assert len(digests(world.users["province"])) == 1


def _late_permit(estate: Estate) -> Permit:
    """A KKPR filed a week before the others: overdue already, raised by the next scan."""
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    file_permit(permit, date(2026, 1, 2), "o")
    db.session.commit()
    return permit


def test_a_flag_raised_later_the_same_day_joins_the_unsent_digest(world: World):
    scan(OVERDUE_DAY)
    (digest,) = digests(world.users["serang"])
    digest.read_at = at(OVERDUE_DAY, 8)
    db.session.commit()
    late = _late_permit(make_estate(name="Kawasan Gamma"))
    counts = scan(OVERDUE_DAY)
    assert counts["notifications"]["daily_extended"] == 2  # the Kota Serang and the province officers
    (digest,) = digests(world.users["serang"])
    db.session.refresh(digest)
    assert "Kawasan Alfa" in digest.body and "Kawasan Gamma" in digest.body
    assert digest.subject == subject(2, OVERDUE_DAY)
    assert digest.read_at is None  # news again
    assert (late.id, FlagKind.OVERDUE) in told(world.users["serang"])


@pytest.mark.parametrize("sent", [True, False], ids=["mailed", "attempted"])
def test_a_flag_raised_after_a_mail_was_attempted_waits_for_the_next_working_day(world: World, sent: bool):
    scan(OVERDUE_DAY)
    (digest,) = digests(world.users["serang"])
    digest.sent_at, digest.attempts = (at(OVERDUE_DAY, 7, 35) if sent else None), 1
    db.session.commit()
    _late_permit(make_estate(name="Kawasan Gamma"))
    scan(OVERDUE_DAY)
    next_day = add_working_days(OVERDUE_DAY, 1)
    first, second = digests(world.users["serang"])
    assert "Kawasan Gamma" not in first.body
    assert second.period == next_day and "Kawasan Gamma" in second.body and "Kawasan Alfa" not in second.body
    assert second.next_attempt_at == at(next_day + timedelta(days=1), 0, 0)  # held until that day
    due_ids = [i for i, _attempts in outbox.due_messages(at(next_day, 0, 0) - timedelta(seconds=1), 6)]
    assert second.id not in due_ids  # not mailed the evening before
    assert scan(next_day)["notifications"]["released"] == 1
    db.session.refresh(second)
    assert second.next_attempt_at is None
    assert second.id in [i for i, _attempts in outbox.due_messages(at(next_day), 6)]


# --- the governor's office's weekly summary ---------------------------------------------------------------


def test_the_governor_gets_one_weekly_summary_from_the_first_scan_of_the_week(world: World):
    governor = world.users["governor"]
    scan(OVERDUE_DAY)  # Wednesday: Monday and Tuesday were Imlek holidays
    (weekly,) = digests(governor)
    assert (weekly.kind, weekly.period) == (NotificationKind.WEEKLY_DIGEST, MONDAY)
    agency = world.serang.agency_name("id")  # the Indonesian summary names the agency record
    assert agency in weekly.body
    assert told(governor) == {(p.id, k) for p in (world.serang, world.tangerang) for k in AGENCY_FLAGS}
    scan(add_working_days(OVERDUE_DAY, 1))
    assert len(digests(governor)) == 1  # one a week
    next_monday = MONDAY + timedelta(days=7)
    scan(next_monday)
    weekly, next_week = digests(governor)
    assert next_week.period == next_monday
    assert told(governor) == {(p.id, k) for p in (world.serang, world.tangerang) for k in AGENCY_FLAGS}
    new_line = "Open flags: %(total)d. Permits newly flagged since last week: %(new)d."
    assert indonesian(new_line, total=4, new=2) in weekly.body
    assert indonesian(new_line, total=4, new=0) in next_week.body  # the overdue permits were told last week


def test_an_inactive_governor_user_gets_no_summary(world: World):
    world.users["governor"].active = False
    db.session.commit()
    scan(OVERDUE_DAY)
    assert digests(world.users["governor"]) == []


# --- the outbox: SMTP, back-off, no duplicates -------------------------------------------------------------


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``: records each mail; fails the next ``failures`` connections or sends."""

    sent: list[EmailMessage]
    connections: int
    failures: int
    failure: BaseException

    @classmethod
    def reset(cls) -> None:
        cls.sent, cls.connections, cls.failures = [], 0, 0
        cls.failure = ConnectionRefusedError(111, "Connection refused")
        cls.logins = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        type(self).connections += 1
        if self._fail():
            raise type(self).failure
        self.host, self.port = host, port

    def _fail(self) -> bool:
        if type(self).failures > 0:
            type(self).failures -= 1
            return True
        return False

    def starttls(self, context=None) -> None:
        pass

    def login(self, user: str, password: str) -> None:
        type(self).logins.append((user, password))

    def send_message(self, mail: EmailMessage) -> None:
        type(self).sent.append(mail)

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.reset()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    for key, value in {
        "MAIL_SERVER": "smtp.test",
        "MAIL_USERNAME": "pantau",
        "MAIL_PASSWORD": "secret",
        "MAIL_FROM": "Pantau <pantau@dpmptsp.test>",
        "OUTBOX_MAX_ATTEMPTS": 4,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return FakeSMTP


def send(when: datetime) -> dict:
    with time_machine.travel(when, tick=False):
        return send_outbox()


def test_every_message_is_mailed_once_with_a_stable_message_id(world: World, smtp: type[FakeSMTP]):
    scan(OVERDUE_DAY)
    counts = send(at(OVERDUE_DAY, 7, 35))
    messages = _all()
    assert counts == {"smtp": True, "sent": 4, "failed": 0, "skipped": 0}
    assert len(smtp.sent) == 4 and smtp.connections == 1 and smtp.logins == [("pantau", "secret")]
    by_id = {mail["Message-ID"]: mail for mail in smtp.sent}
    for n in messages:
        mail = by_id[f"<notification-{n.id}@dpmptsp.test>"]
        assert mail["To"].addresses[0].addr_spec == n.recipient.email
        assert mail["Subject"] == n.subject and mail["Auto-Submitted"] == "auto-generated"
        assert (n.sent_at, n.attempts, n.last_error) == (at(OVERDUE_DAY, 7, 35), 1, None)
    assert send(at(OVERDUE_DAY, 8))["sent"] == 0  # no second mail
    scan(OVERDUE_DAY)
    assert send(at(OVERDUE_DAY, 9))["sent"] == 0
    assert len(smtp.sent) == 4


def test_the_reminder_bookkeeping_line_is_not_mailed(world: World, smtp: type[FakeSMTP]):
    _returned_amdal(make_estate(investor=world.investor_a))
    scan(add_working_days(RETURNED, 27))
    send(at(add_working_days(RETURNED, 27), 8))
    mails = [m for m in smtp.sent if m["To"].addresses[0].addr_spec == "investor_a@pantau.test"]
    assert len(mails) == 2  # the notice of the return, then the reminder
    for mail in mails:
        assert REMINDER_MARK not in mail.get_content()
        assert "Kawasan" in mail.get_content()


def _only_the_serang_officer(world: World) -> None:
    for key in ("province", "tangerang", "governor"):
        world.users[key].active = False
    db.session.commit()


def test_a_failed_connection_is_retried_with_back_off_up_to_the_maximum(world: World, smtp: type[FakeSMTP]):
    _only_the_serang_officer(world)
    scan(OVERDUE_DAY)
    smtp.failures = 99
    start = at(OVERDUE_DAY, 7, 35)
    assert send(start) == {"smtp": True, "sent": 0, "failed": 1, "skipped": 0}
    (message,) = _all()
    assert (message.attempts, message.next_attempt_at) == (1, start + timedelta(minutes=5))
    assert "ConnectionRefusedError" in message.last_error
    assert send(start + timedelta(minutes=4, seconds=59))["failed"] == 0  # not before its back-off
    assert smtp.connections == 1
    when = start
    for attempts, wait in ((2, 5), (3, 10), (4, 20)):  # 5 min, then twice as long each time
        when += timedelta(minutes=wait)
        assert send(when - timedelta(seconds=1))["failed"] == 0
        assert send(when)["failed"] == 1
        assert _all()[0].attempts == attempts
    assert _all()[0].next_attempt_at is None  # OUTBOX_MAX_ATTEMPTS (4) reached: no next attempt
    smtp.failures = 0
    assert send(when + timedelta(days=1)) == {"smtp": True, "sent": 0, "failed": 0, "skipped": 0}
    assert smtp.connections == 4 and _all()[0].sent_at is None  # it stays in the app


def test_two_connection_failures_then_success(world: World, smtp: type[FakeSMTP]):
    _only_the_serang_officer(world)
    scan(OVERDUE_DAY)
    smtp.failures = 2
    start = at(OVERDUE_DAY, 7, 35)
    send(start)
    send(start + timedelta(minutes=5))
    assert send(start + timedelta(minutes=15))["sent"] == 1
    (message,) = _all()
    assert (message.attempts, message.sent_at, message.last_error) == (3, start + timedelta(minutes=15), None)
    assert len(smtp.sent) == 1


def test_a_message_refused_by_the_server_does_not_stop_the_others(world: World, smtp: type[FakeSMTP]):
    scan(OVERDUE_DAY)
    refused = smtplib.SMTPRecipientsRefused({"serang@pantau.test": (550, b"no such user")})
    original = FakeSMTP.send_message

    def picky(self, mail: EmailMessage) -> None:
        if mail["To"].addresses[0].addr_spec == "serang@pantau.test":
            raise refused
        original(self, mail)

    FakeSMTP.send_message = picky
    try:
        counts = send(at(OVERDUE_DAY, 7, 35))
    finally:
        FakeSMTP.send_message = original
    assert counts == {"smtp": True, "sent": 3, "failed": 1, "skipped": 0}
    (serang,) = digests(world.users["serang"])
    assert serang.sent_at is None and "SMTPRecipientsRefused" in serang.last_error
    assert send(at(OVERDUE_DAY, 7, 40))["sent"] == 1  # retried after five minutes
    db.session.refresh(serang)
    assert serang.sent_at is not None and serang.attempts == 2


def test_a_crash_after_the_server_accepted_a_mail_resends_it_with_the_same_message_id(
    world: World, smtp: type[FakeSMTP]
):
    _only_the_serang_officer(world)
    scan(OVERDUE_DAY)

    def crash(*args) -> None:
        raise RuntimeError("power cut")

    original, outbox.record_sent = outbox.record_sent, crash
    try:
        with pytest.raises(RuntimeError):
            send(at(OVERDUE_DAY, 7, 35))
    finally:
        outbox.record_sent = original
    db.session.rollback()
    (message,) = _all()
    assert (message.sent_at, message.attempts) == (None, 1)  # the attempt was counted before the mail left
    assert send(at(OVERDUE_DAY, 7, 39))["sent"] == 0  # not before its back-off
    assert send(at(OVERDUE_DAY, 7, 40))["sent"] == 1
    first, second = smtp.sent
    assert first["Message-ID"] == second["Message-ID"]  # the receiving server can drop the duplicate


def test_without_an_smtp_server_nothing_is_mailed_and_messages_stay_in_the_app(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
):
    FakeSMTP.reset()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    scan(OVERDUE_DAY)
    assert send(at(OVERDUE_DAY, 8)) == {"smtp": False, "kept_in_app": 4}
    assert FakeSMTP.connections == 0
    assert all(n.attempts == 0 and n.sent_at is None for n in _all())
    officer = _client_of(app, world.users["serang"])
    page = officer.get("/notifications").get_data(as_text=True)
    assert "Kawasan Alfa" in page


def test_messages_older_than_a_week_are_not_mailed(world: World, smtp: type[FakeSMTP]):
    scan(OVERDUE_DAY)
    assert send(at(OVERDUE_DAY + timedelta(days=8))) == {"smtp": True, "sent": 0, "failed": 0, "skipped": 0}


def _all() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


# --- the pages -----------------------------------------------------------------------------------------------


def _client_of(app: Flask, user: User) -> FlaskClient:
    """A client signed in as an existing user."""
    client = SignedInClient(app, app.response_class, use_cookies=True)
    client.sign_in_as = user.get_id()
    return client


def test_each_user_sees_only_their_own_notifications(app: Flask, world: World):
    scan(OVERDUE_DAY)
    serang = _client_of(app, world.users["serang"])
    page = serang.get("/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kawasan Alfa" in html and "Kawasan Beta" not in html
    assert 'id="notifications-link"' in html and "notification-count" in html
    tangerang_digest = digests(world.users["tangerang"])[0]
    assert f'id="notification-{tangerang_digest.id}"' not in html


def test_marking_read_own_messages_only(app: Flask, world: World):
    scan(OVERDUE_DAY)
    serang = _client_of(app, world.users["serang"])
    (mine,) = digests(world.users["serang"])
    (theirs,) = digests(world.users["tangerang"])
    assert serang.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert serang.post("/notifications/99999999999999999999/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None
    response = serang.post(f"/notifications/{mine.id}/read", data={"next": "https://evil.test/"})
    assert response.status_code == 302 and response.location == "/notifications"
    db.session.refresh(mine)
    assert mine.read_at is not None
    html = serang.get("/notifications").get_data(as_text=True)
    assert "notification-count" not in html and "Mark all as read" not in html


def test_every_role_reads_its_notifications_and_visitors_are_sent_to_sign_in(
    app: Flask, world: World, anon_client: FlaskClient
):
    _returned_amdal(make_estate(name="Kawasan Alfa Dua", investor=world.investor_a))
    scan(add_working_days(RETURNED, 27))
    for key in ("investor_a", "governor", "admin", "province"):
        assert _client_of(app, world.users[key]).get("/notifications").status_code == 200, key
    html = _client_of(app, world.users["investor_a"]).get("/notifications").get_data(as_text=True)
    assert "Kawasan Alfa Dua" in html and REMINDER_MARK not in html
    response = anon_client.get("/notifications")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_mark_all_read_touches_only_the_users_own(app: Flask, world: World):
    scan(OVERDUE_DAY)
    province = _client_of(app, world.users["province"])
    assert province.post("/notifications/read-all").status_code == 302
    assert all(n.read_at is not None for n in digests(world.users["province"]))
    assert all(n.read_at is None for n in digests(world.users["serang"]))


def test_the_outbox_is_for_administrators_only(world: World, login_as: Callable[..., FlaskClient]):
    scan(OVERDUE_DAY)
    message = digests(world.users["serang"])[0]
    for role in ("officer", "governor"):
        client = login_as(role)
        assert client.get("/admin/outbox").status_code == 403, role
        assert client.get(f"/admin/outbox/{message.id}").status_code == 403, role
    investor = login_as("investor", investor=world.investor_a)
    assert investor.get("/admin/outbox").status_code == 403
    admin = login_as("administrator")
    html = admin.get("/admin/outbox?status=nonsense").get_data(as_text=True)
    assert "Kawasan" not in html  # the list shows subjects, not bodies
    assert html.count('<tr id="outbox-') == 4 and "No SMTP server is configured" in html
    assert admin.get("/admin/outbox?status=sent").get_data(as_text=True).count('<tr id="outbox-') == 0
    detail = admin.get(f"/admin/outbox/{message.id}")
    assert detail.status_code == 200 and "Kawasan Alfa" in detail.get_data(as_text=True)
    assert admin.get("/admin/outbox/99999999999").status_code == 404


def test_the_outbox_shows_attempts_and_errors(world: World, smtp: type[FakeSMTP], login_as):
    scan(OVERDUE_DAY)
    smtp.failures = 99
    send(at(OVERDUE_DAY, 7, 35))
    with time_machine.travel(at(OVERDUE_DAY, 7, 36), tick=False):
        admin = login_as("administrator")
        html = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert html.count('<tr id="outbox-') == 1
    assert "ConnectionRefusedError" in html and "Retry at" in html
