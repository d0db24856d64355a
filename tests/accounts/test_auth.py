"""Signing in and out, the lockout, the rate limit, passwords, the audit log and the users command."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from accounts.services import UserError, create_user
from app import create_app
from app.extensions import db
from app.models import AuditEvent, AuditLog, Role, User
from app.security import PasswordRejected, check_password_policy, hash_password
from devtools.factories import make_investor
from tests.conftest import TEST_PASSWORD

NOW = "2026-03-02 09:00 +0700"
WRONG = "The e-mail address or the password is not correct."


@pytest.fixture
def officer(password_hash):
    user = User(email="petugas@pantau.test", name="Petugas", role=Role.OFFICER, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def _sign_in(client, email="petugas@pantau.test", password=TEST_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def _events(event: AuditEvent) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.event == event))


def test_every_page_but_the_public_ones_sends_a_stranger_to_sign_in(anon_client):
    response = anon_client.get("/estates?status=planned")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/estates")
    assert anon_client.get("/login").status_code == 200
    assert anon_client.get("/healthz").status_code == 200


def test_signing_in_lands_on_the_home_of_the_role_and_is_logged(anon_client, officer):
    response = _sign_in(anon_client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert anon_client.get("/estates").status_code == 200
    assert _events(AuditEvent.LOGIN) == 1
    assert officer.last_login_at is not None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_next_never_leaves_the_site(anon_client, officer, target):
    response = _sign_in(anon_client, next=target)
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(anon_client, officer):
    assert _sign_in(anon_client, next="/permits?band=overdue").headers["Location"] == "/permits?band=overdue"


def test_a_wrong_password_or_unknown_account_says_the_same_and_is_logged(anon_client, officer):
    wrong = _sign_in(anon_client, password="bukan-sandinya-sama-sekali")
    unknown = _sign_in(anon_client, email="siapa@pantau.test")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The e-mail address or the password is not correct." in response.get_data(as_text=True)
    assert _events(AuditEvent.LOGIN_FAILED) == 2
    assert anon_client.get("/estates").status_code == 302


def test_five_failures_in_fifteen_minutes_lock_the_account_for_fifteen_minutes(anon_client, officer):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(4):
            _sign_in(anon_client, password="salah-salah-salah")
            clock.shift(timedelta(minutes=3))
        db.session.refresh(officer)
        assert officer.locked_until is None  # four failures: not yet
        _sign_in(anon_client, password="salah-salah-salah")  # the fifth, 12 minutes after the first
        db.session.refresh(officer)
        assert officer.locked_until is not None and _events(AuditEvent.LOCKOUT) == 1
        locked = _sign_in(anon_client)  # even the right password is refused now, in the same words
        assert locked.status_code == 200 and WRONG in locked.get_data(as_text=True)
        assert anon_client.get("/estates").status_code == 302
        clock.shift(timedelta(minutes=14, seconds=59))
        assert WRONG in _sign_in(anon_client).get_data(as_text=True)
        clock.shift(timedelta(seconds=2))
        assert _sign_in(anon_client).status_code == 302  # the lock has run out
        assert anon_client.get("/estates").status_code == 200


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(anon_client, officer):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(6):
            _sign_in(anon_client, password="salah-salah-salah")
            clock.shift(timedelta(minutes=4))
        db.session.refresh(officer)
        assert officer.locked_until is None


def test_signing_out_ends_the_session_even_for_a_copied_cookie(anon_client, officer):
    _sign_in(anon_client)
    stolen = anon_client.get_cookie("session").value
    assert anon_client.post("/logout").status_code == 302
    assert anon_client.get("/estates").status_code == 302
    anon_client.set_cookie("session", stolen)
    assert anon_client.get("/estates").status_code == 302  # the old cookie no longer works
    assert _events(AuditEvent.LOGOUT) == 1


def test_changing_the_password_ends_the_other_sessions(app, officer):
    here, elsewhere = app.test_client(), app.test_client()
    _sign_in(here)
    _sign_in(elsewhere)
    new = "sawah-luhur-kasemen-2026"
    response = here.post("/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/estates").status_code == 200
    assert elsewhere.get("/estates").status_code == 302
    assert _events(AuditEvent.PASSWORD_CHANGED) == 1
    here.post("/logout")
    assert _sign_in(here, password=new).status_code == 302


@pytest.mark.parametrize(
    ("new", "message"),
    [("pendek", "at least 10"), ("password123", "too common"), ("1234567890", "too common")],
)
def test_weak_new_passwords_are_refused(app, officer, new, message):
    client = app.test_client()
    _sign_in(client)
    response = client.post("/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": new})
    assert message in response.get_data(as_text=True)
    db.session.refresh(officer)
    assert _events(AuditEvent.PASSWORD_CHANGED) == 0


def test_password_policy_edges():
    check_password_policy("kopi-tubruk-pagi")  # 16 characters, not common
    with pytest.raises(PasswordRejected):
        check_password_policy("a1b2c3d4e")  # 9 characters
    check_password_policy("pantau-demo")  # the published demo password passes (11 characters)
    with pytest.raises(PasswordRejected):
        check_password_policy("petugas-serang", email="petugas-serang@pantau.test")


def test_create_user_rules():
    investor = make_investor()
    with pytest.raises(UserError):
        create_user(email="inv@pantau.test", name="x", role="investor", password="kopi-tubruk-pagi")
    with pytest.raises(UserError):
        create_user(email="gov@pantau.test", name="x", role="governor", password="kopi-tubruk-pagi", region_id=1)
    with pytest.raises(UserError):
        create_user(email="not-an-address", name="x", role="officer", password="kopi-tubruk-pagi")
    user = create_user(
        email=" Inv@Pantau.TEST ", name="", role="investor", password="kopi-tubruk-pagi", investor_id=investor.id
    )
    assert user.email == "inv@pantau.test" and user.password_hash.startswith("$argon2")
    with pytest.raises(UserError):
        create_user(email="inv@pantau.test", name="y", role="officer", password="kopi-tubruk-pagi")


def test_users_create_command(runner, monkeypatch):
    investor = make_investor(nib="9100000000001")
    db.session.commit()
    monkeypatch.setenv("PANTAU_PASSWORD", "kopi-tubruk-pagi")
    result = runner.invoke(
        args=["users", "create", "--email", "jdi@pantau.test", "--role", "investor", "--investor-nib", "9100000000001"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["users", "create", "--email", "serang@pantau.test", "--role", "officer", "--region", "36.73"]
    )
    assert result.exit_code == 0, result.output
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["jdi@pantau.test"].investor_id == investor.id
    assert users["serang@pantau.test"].region.bps_code == "36.73"
    for args in (["--role", "investor", "--investor-nib", "0000000000000"], ["--role", "officer", "--region", "99"]):
        result = runner.invoke(args=["users", "create", "--email", "x@pantau.test", *args])
        assert result.exit_code != 0
    monkeypatch.setenv("PANTAU_PASSWORD", "password1234")
    result = runner.invoke(args=["users", "create", "--email", "weak@pantau.test", "--role", "administrator"])
    assert result.exit_code != 0 and "too common" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_the_first_administrator_is_asked_for_a_password(runner, monkeypatch):
    monkeypatch.delenv("PANTAU_PASSWORD", raising=False)
    result = runner.invoke(
        args=["users", "create", "--email", "admin@pantau.test", "--role", "administrator"],
        input="kopi-tubruk-pagi\nkopi-tubruk-pagi\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role)) is Role.ADMINISTRATOR


@pytest.fixture
def strict_app(app, tmp_path):
    """The app as in production: CSRF on and a low sign-in rate limit (its own limiter counts)."""
    strict = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "BABEL_DEFAULT_LOCALE": "en",
        },
        instance_path=str(tmp_path),
    )
    with strict.app_context():
        yield strict
        db.session.remove()
        db.engine.dispose()  # its own connection pool: closed here, not left to the garbage collector


def test_forms_without_a_csrf_token_are_refused(strict_app, officer):
    client = strict_app.test_client()
    response = _sign_in(client)
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert _sign_in(client, csrf_token=token).status_code == 302


def test_sign_in_attempts_are_rate_limited_per_address(strict_app, officer):
    client = strict_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    guesses = [_sign_in(client, password=f"tebakan-nomor-{n}", csrf_token=token).status_code for n in range(4)]
    assert guesses == [200, 200, 200, 429]  # the fourth guess within the minute is refused unread
    assert _events(AuditEvent.LOGIN_FAILED) == 3


def test_security_headers(anon_client, officer):
    response = _sign_in(anon_client)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_demo_accounts_sign_in_with_the_published_password(anon_client):
    from devtools.demo import seed_demo

    seed_demo()
    db.session.commit()
    for email, home in (("jdi@pantau.test", "/portal"), ("gubernur@pantau.test", "/")):
        client = anon_client.application.test_client()
        response = _sign_in(client, email=email, password="pantau-demo")
        assert response.headers["Location"] == home
    assert hash_password("x") != hash_password("x")  # salted
