"""A failed sign-in tells a stranger nothing (one message and one password check for an unknown address, an
inactive or locked account and a wrong password), and the owner of a locked account is told, once a day."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

import accounts.auth
from app.extensions import db
from app.models import AuditEvent, AuditLog, Role, User
from app.security import verify_password
from permits.notify.models import Notification, NotificationKind
from tests.conftest import TEST_PASSWORD

NOW = "2026-03-02 09:00 +0700"  # a Monday
WRONG_PASSWORD = "salah-salah-salah"


@pytest.fixture
def users(password_hash) -> dict[str, User]:
    people = {
        "owner": User(email="pemilik@pantau.test", name="Pemilik", role=Role.OFFICER, password_hash=password_hash),
        "retired": User(
            email="pensiun@pantau.test", name="Pensiun", role=Role.OFFICER, password_hash=password_hash, active=False
        ),
    }
    db.session.add_all(people.values())
    db.session.commit()
    return people


def _sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _alert(response) -> str:
    return re.search(r'<div class="alert alert-danger[^"]*" role="alert">\s*(.*?)\s*<button', response.text, re.S)[1]


def _lock(client, email: str) -> None:
    for _ in range(5):
        _sign_in(client, email, WRONG_PASSWORD)


def _notices(user: User) -> list[Notification]:
    stmt = select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == NotificationKind.ACCOUNT_LOCKED
    )
    return list(db.session.scalars(stmt.order_by(Notification.id)))


@time_machine.travel(NOW, tick=False)
def test_unknown_inactive_locked_and_wrong_look_the_same_and_cost_one_password_check(anon_client, users, monkeypatch):
    locked = User(email="terkunci@pantau.test", name="T", role=Role.OFFICER, password_hash=users["owner"].password_hash)
    db.session.add(locked)
    db.session.commit()
    _lock(anon_client, "terkunci@pantau.test")
    checks: list[str] = []

    def counting(password_hash: str, password: str) -> bool:
        checks.append(password)
        return verify_password(password_hash, password)

    monkeypatch.setattr(accounts.auth, "verify_password", counting)
    answers = {}
    for case, email, password in (
        ("unknown", "siapa@pantau.test", TEST_PASSWORD),
        ("wrong password", "pemilik@pantau.test", WRONG_PASSWORD),
        ("inactive", "pensiun@pantau.test", TEST_PASSWORD),
        ("locked", "terkunci@pantau.test", TEST_PASSWORD),  # even with the right password
    ):
        checks.clear()
        response = _sign_in(anon_client, email, password)
        assert response.status_code == 200, case
        assert len(checks) == 1, case  # the same work, so the same time
        answers[case] = _alert(response)
    assert len(set(answers.values())) == 1, answers
    assert answers["locked"].startswith("The e-mail address or the password is not correct.")
    assert "locked" not in answers["locked"].split(".")[0]


@time_machine.travel(NOW, tick=False)
def test_the_owner_of_a_locked_account_is_told_once_a_day(anon_client, users):
    owner = users["owner"]
    _lock(anon_client, owner.email)
    db.session.refresh(owner)
    assert owner.locked_until is not None
    (notice,) = _notices(owner)
    with force_locale("id"):
        assert notice.subject == gettext("Pantau: your account was locked after failed sign-ins")
    assert owner.email in notice.body and "127.0.0.1" in notice.body and "09.00" in notice.body  # WIB
    assert notice.sent_at is None and notice.attempts == 0  # the outbox mails it (tests/permits/notify/test_smtp.py)
    lockouts = select(func.count()).select_from(AuditLog).where(AuditLog.event == AuditEvent.LOCKOUT)
    assert db.session.scalar(lockouts) == 1


def test_a_guesser_who_keeps_locking_the_account_does_not_flood_its_owner(anon_client, users):
    owner = users["owner"]
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(3):  # locked, then again when each lock runs out, the same day
            _lock(anon_client, owner.email)
            clock.shift(timedelta(minutes=16))
        db.session.refresh(owner)
        lockouts = select(func.count()).select_from(AuditLog).where(AuditLog.event == AuditEvent.LOCKOUT)
        assert db.session.scalar(lockouts) == 3 and len(_notices(owner)) == 1
        clock.shift(timedelta(days=1))
        _lock(anon_client, owner.email)
    assert len(_notices(owner)) == 2  # a new day, a new notice


@time_machine.travel(NOW, tick=False)
def test_an_inactive_account_is_not_told(anon_client, users):
    _lock(anon_client, users["retired"].email)
    assert _notices(users["retired"]) == []
