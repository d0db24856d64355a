"""Behind reverse proxies (app/proxies.py): with ``TRUSTED_PROXIES`` the rate limiter and the audit log see the
client's address from ``X-Forwarded-For``; without it the header is ignored. Production warns when the limiter
counts in each process's memory."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models import AuditEvent, AuditLog, Role, User
from app.proxies import warn_about_per_process_limits

CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.23"


@pytest.fixture
def proxied_app(request, app: Flask, tmp_path) -> Iterator[Flask]:
    """The app with ``TRUSTED_PROXIES`` set to the test's parameter and two sign-in attempts a minute."""
    behind = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "LOGIN_RATE_LIMIT": "2 per minute",
            "BABEL_DEFAULT_LOCALE": "en",
            "TRUSTED_PROXIES": request.param,
        },
        instance_path=str(tmp_path),
    )
    with behind.app_context():
        yield behind
        db.session.remove()
        db.engine.dispose()


def _guess(client, forwarded_for: str):
    return client.post(
        "/login",
        data={"email": "petugas@pantau.test", "password": "tebakan-yang-salah"},
        headers={"X-Forwarded-For": forwarded_for},
    )


def _audited_addresses() -> list[str | None]:
    stmt = select(AuditLog.ip).where(AuditLog.event == AuditEvent.LOGIN_FAILED).order_by(AuditLog.id)
    return list(db.session.scalars(stmt))


@pytest.fixture
def officer(password_hash) -> User:
    user = User(email="petugas@pantau.test", name="Petugas", role=Role.OFFICER, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.mark.parametrize("proxied_app", [1], indirect=True)
def test_behind_one_trusted_proxy_each_client_is_counted_and_audited_apart(proxied_app, officer):
    client = proxied_app.test_client()  # the proxy connects from 127.0.0.1 and appends the client's address
    assert [_guess(client, CLIENT_A).status_code for _ in range(3)] == [200, 200, 429]
    assert _guess(client, CLIENT_B).status_code == 200  # another client has a count of its own
    assert _guess(client, f"{CLIENT_A}, {CLIENT_B}").status_code == 200  # a client's own claim is not trusted
    assert _audited_addresses() == [CLIENT_A, CLIENT_A, CLIENT_B, CLIENT_B]


@pytest.mark.parametrize("proxied_app", [0], indirect=True)
def test_without_trusted_proxies_the_header_is_ignored(proxied_app, officer):
    client = proxied_app.test_client()
    answers = [_guess(client, address).status_code for address in (CLIENT_A, CLIENT_B, "192.0.2.99")]
    assert answers == [200, 200, 429]  # the claimed addresses do not escape the limit
    assert _audited_addresses() == ["127.0.0.1", "127.0.0.1"]


@pytest.mark.parametrize("value", [-1, "1", 1.5, True])
def test_trusted_proxies_must_be_a_whole_number(tmp_path, value):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app("testing", overrides={"TRUSTED_PROXIES": value}, instance_path=str(tmp_path))


def test_production_warns_when_the_limiter_counts_per_process(caplog, tmp_path):
    with caplog.at_level(logging.WARNING, logger="app.proxies"):
        create_app(
            "production",
            overrides={"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
            instance_path=str(tmp_path),
        )
        create_app("testing", instance_path=str(tmp_path))  # development and tests count in memory, quietly
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "app.proxies"]
    assert "RATELIMIT_STORAGE_URI is memory://" in warning
    caplog.clear()
    shared = Flask(__name__)
    shared.config["RATELIMIT_STORAGE_URI"] = "redis://cache.internal:6379"  # not started: only the warning is read
    with caplog.at_level(logging.WARNING, logger="app.proxies"):
        warn_about_per_process_limits(shared)
    assert caplog.records == []
