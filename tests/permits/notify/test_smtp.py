"""The outbox against a real SMTP server: aiosmtpd, started by each test on 127.0.0.1 on a port of its own choosing
and stopped after it; every wait is bounded (a 5-second client timeout, a 10-second server session).

- STARTTLS with a certificate of a test CA made here (``cryptography``), which the client trusts only through
  ``MAIL_CA_FILE``, and a login the server requires;
- a server that drops the connection in the middle of a message: the run stops, nothing counts as sent, and the
  message goes out once, later, to a server that works;
- a server that answers 4xx (try again later) and then accepts.

tests/permits/notify/test_notifications.py checks the rest of the outbox (back-off, Message-ID, who gets what)
with a stand-in for ``smtplib.SMTP``.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.models import Role, User
from permits.jobs import send_outbox
from permits.notify.models import Notification, NotificationKind

HOST = "127.0.0.1"
LOGIN, PASSWORD = "pantau", "kata-sandi-smtp"
SENDER = "Pantau <pantau@dpmptsp.test>"


# --- the certificates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    ca: Path  # what MAIL_CA_FILE names
    cert: Path
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A test CA and a server certificate it signed for 127.0.0.1 (valid from an hour ago for a day, real time:
    OpenSSL checks validity against the system clock, whatever the tests travel to)."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Pantau test CA"))
        .issuer_name(_name("Pantau test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )  # digital signature, certificate and CRL signing
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(HOST))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return Certificates(
        ca=_pem(folder / "ca.pem", ca.public_bytes(serialization.Encoding.PEM)),
        cert=_pem(folder / "server.pem", cert.public_bytes(serialization.Encoding.PEM)),
        key=_pem(folder / "server-key.pem", private),
    )


# --- the servers -------------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """The handler of a test server: what it accepted, and the replies to give DATA first (``"451 ..."``)."""

    replies: list[str] = field(default_factory=list)
    accepted: list[Envelope] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.sessions.append(session)
        if self.replies:
            return self.replies.pop(0)
        self.accepted.append(envelope)
        return "250 2.0.0 Accepted"

    def messages(self):
        return [message_from_bytes(envelope.original_content) for envelope in self.accepted]


class DroppingSMTP(SMTP):
    """Says "go ahead" to DATA, reads the first line of the message, and hangs up."""

    async def smtp_DATA(self, arg: str) -> None:
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.readuntil(b"\r\n")
        self.transport.close()


class LocalController(Controller):
    """aiosmtpd's threaded server on 127.0.0.1, on a free port the system picks (no port guessed and raced for)."""

    def __init__(self, handler: Mailbox, *, server_class: type[SMTP] = SMTP, **kwargs) -> None:
        kwargs.setdefault("server_hostname", "smtp.pantau.test")
        super().__init__(handler, hostname=HOST, port=0, ready_timeout=5, timeout=10, **kwargs)
        self.server_class = server_class

    def factory(self) -> SMTP:
        return self.server_class(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Mailbox]]:
    """``smtp_server(**aiosmtpd options)`` starts a server and points MAIL_* at it; every one is stopped after."""
    started: list[LocalController] = []

    def start(*, server_class: type[SMTP] = SMTP, replies: list[str] | None = None, **options) -> Mailbox:
        mailbox = Mailbox(replies=list(replies or []))
        controller = LocalController(mailbox, server_class=server_class, **options)
        controller.start()
        started.append(controller)
        for key, value in {
            "MAIL_SERVER": HOST,
            "MAIL_PORT": controller.port,
            "MAIL_USE_TLS": False,
            "MAIL_FROM": SENDER,
            "MAIL_TIMEOUT_SECONDS": 5,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        return mailbox

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def tls_server(
    smtp_server: Callable[..., Mailbox], certificates: Certificates, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> Mailbox:
    """A server that requires STARTTLS and then a login; MAIL_* set to use both, trusting the test CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert, certificates.key)

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            LOGIN.encode(),
            PASSWORD.encode(),
        )
        return AuthResult(success=good, handled=False)  # not handled: aiosmtpd answers 535 itself

    mailbox = smtp_server(
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
    )
    for key, value in {
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": LOGIN,
        "MAIL_PASSWORD": PASSWORD,
        "MAIL_CA_FILE": str(certificates.ca),
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return mailbox


# --- the messages ------------------------------------------------------------------------------------------


def _digest_for(email: str, password_hash: str) -> Notification:
    user = User(email=email, name=email.split("@")[0], role=Role.OFFICER, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    notification = Notification(
        recipient_id=user.id,
        kind=NotificationKind.DAILY_DIGEST,
        period=date.today(),
        subject=f"Pantau: ringkasan untuk {user.name}",
        body="Izin KKPR Kawasan Uji terlambat 3 hari kerja.",
    )
    db.session.add(notification)
    db.session.commit()
    return notification


def _state(notification: Notification) -> tuple:
    db.session.refresh(notification)
    return notification.attempts, notification.sent_at is not None


def _ids(mailbox: Mailbox) -> list[str]:
    return [message["Message-ID"] for message in mailbox.messages()]


# --- the tests ---------------------------------------------------------------------------------------------


def test_starttls_and_login_with_a_configured_ca(tls_server: Mailbox, password_hash: str):
    notification = _digest_for("serang@pantau.test", password_hash)
    assert send_outbox(utcnow()) == {"smtp": True, "sent": 1, "failed": 0, "skipped": 0}
    (message,) = tls_server.messages()
    assert message["Subject"] == notification.subject and message["To"] == "serang <serang@pantau.test>"
    assert message["Message-ID"] == f"<notification-{notification.id}@dpmptsp.test>"
    assert "terlambat 3 hari kerja" in message.get_payload(decode=True).decode()
    (session,) = tls_server.sessions
    assert session.ssl is not None and session.authenticated  # the mail travelled encrypted, after the login
    assert _state(notification) == (1, True)


def test_without_the_ca_file_the_certificate_is_refused_and_nothing_is_sent(
    tls_server: Mailbox, password_hash: str, app: Flask, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, "MAIL_CA_FILE", None)  # the system's CAs do not know the test CA
    notification = _digest_for("serang@pantau.test", password_hash)
    assert send_outbox(utcnow())["failed"] == 1
    assert tls_server.accepted == [] and _state(notification) == (1, False)
    assert "CERTIFICATE_VERIFY_FAILED" in notification.last_error


def test_a_wrong_password_is_refused_and_nothing_is_sent(
    tls_server: Mailbox, password_hash: str, app: Flask, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "bukan-ini")
    notification = _digest_for("serang@pantau.test", password_hash)
    assert send_outbox(utcnow())["failed"] == 1
    assert tls_server.accepted == [] and "SMTPAuthenticationError" in notification.last_error


def test_a_connection_dropped_mid_message_stops_the_run_and_the_message_goes_once_later(
    smtp_server: Callable[..., Mailbox], password_hash: str
):
    first = _digest_for("serang@pantau.test", password_hash)
    second = _digest_for("tangerang@pantau.test", password_hash)
    start = utcnow()
    dropping = smtp_server(server_class=DroppingSMTP)
    assert send_outbox(start) == {"smtp": True, "sent": 0, "failed": 1, "skipped": 0}  # the run stops there
    assert dropping.accepted == [] and _state(first) == (1, False) and _state(second) == (0, False)
    # the server hung up: smtplib says so, or the socket does when the rest of the message meets a closed line
    assert first.last_error.startswith(("SMTPServerDisconnected", "ConnectionResetError", "BrokenPipeError"))
    working = smtp_server()
    assert send_outbox(start + timedelta(minutes=1))["sent"] == 1  # the other one; the first waits its back-off
    assert send_outbox(start + timedelta(minutes=5))["sent"] == 1
    assert _state(first) == (2, True) and _state(second) == (1, True)
    assert sorted(_ids(working)) == sorted(f"<notification-{n.id}@dpmptsp.test>" for n in (first, second))  # each once


def test_a_server_that_answers_try_again_later_then_accepts(smtp_server: Callable[..., Mailbox], password_hash: str):
    first = _digest_for("serang@pantau.test", password_hash)
    second = _digest_for("tangerang@pantau.test", password_hash)
    server = smtp_server(replies=["451 4.3.0 Mailbox busy, try again later"])
    start = utcnow()
    assert send_outbox(start) == {"smtp": True, "sent": 1, "failed": 1, "skipped": 0}  # the run goes on
    assert "451" in first.last_error and _state(first) == (1, False) and _state(second) == (1, True)
    assert send_outbox(start + timedelta(minutes=4))["sent"] == 0  # not before its back-off
    assert send_outbox(start + timedelta(minutes=5))["sent"] == 1
    assert _state(first) == (2, True) and first.last_error is None
    assert sorted(_ids(server)) == sorted(f"<notification-{n.id}@dpmptsp.test>" for n in (first, second))


def test_the_lockout_notice_reaches_the_owner_through_the_server(tls_server: Mailbox, anon_client, password_hash: str):
    owner = User(email="pemilik@pantau.test", name="Pemilik", role=Role.OFFICER, password_hash=password_hash)
    db.session.add(owner)
    db.session.commit()
    for _ in range(5):
        anon_client.post("/login", data={"email": owner.email, "password": "tebakan-salah-terus"})
    assert send_outbox(utcnow())["sent"] == 1
    (message,) = tls_server.messages()
    with force_locale("id"):
        subject = gettext("Pantau: your account was locked after failed sign-ins")
    assert str(make_header(decode_header(message["Subject"]))) == subject
    assert message["To"] == "Pemilik <pemilik@pantau.test>"
    notice = db.session.scalars(select(Notification).where(Notification.recipient_id == owner.id)).one()
    assert notice.kind is NotificationKind.ACCOUNT_LOCKED and notice.sent_at is not None


def test_two_senders_at_once_send_each_message_once(
    smtp_server: Callable[..., Mailbox], app: Flask, password_hash: str
):
    """Two outbox runs in two threads, each with its own session, over the same messages: each message is
    claimed by one of them (the conditional update of its attempts) and reaches the server exactly once."""
    import threading

    mailbox = smtp_server()
    wanted = {
        f"<notification-{_digest_for(f'petugas{n}@pantau.test', password_hash).id}@dpmptsp.test>" for n in range(12)
    }
    db.session.remove()
    start = threading.Barrier(2)
    results: list[dict] = []

    def sender() -> None:
        with app.app_context():
            start.wait()
            results.append(send_outbox(utcnow()))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = _ids(mailbox)
    assert set(ids) == wanted
    assert len(ids) == len(set(ids)) == 12  # none twice
    assert sum(r["sent"] for r in results) == 12
