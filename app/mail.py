"""Sending mail by SMTP: the settings, one connection per run, and what a failure means.

Knows nothing of notifications: the outbox (permits/notify/outbox.py) decides what to send and when.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

# Refusals of one message (its recipient, its content); any other SMTP or socket error means the server is the
# problem: the run stops and the rest wait (smtplib's errors are OSErrors, so the order of the handlers matters).
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class MailFailure(Exception):
    """A message could not be sent; ``connection`` when the server is unreachable (stop the run)."""

    def __init__(self, message: str, *, connection: bool) -> None:
        super().__init__(message)
        self.connection = connection


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    ca_file: str | None
    sender: str
    timeout: float
    max_attempts: int
    retry_minutes: int

    @classmethod
    def from_config(cls, config: dict) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config["MAIL_PORT"]),
            use_tls=bool(config["MAIL_USE_TLS"]),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            ca_file=config.get("MAIL_CA_FILE") or None,
            sender=config["MAIL_FROM"],
            timeout=float(config["MAIL_TIMEOUT_SECONDS"]),
            max_attempts=int(config["OUTBOX_MAX_ATTEMPTS"]),
            retry_minutes=int(config["OUTBOX_RETRY_MINUTES"]),
        )


def message_id(notification_id: int, sender: str) -> str:
    """The same Message-ID at every attempt, so that a duplicate can be recognised and dropped."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pantau.localhost"
    return f"<notification-{notification_id}@{domain}>"


class Mailer:
    """One SMTP connection for a run of the job, opened at the first message (STARTTLS and login if set)."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, mail: EmailMessage) -> None:
        """Send one mail; raises ``MailFailure`` (with ``connection`` set when the server is the problem)."""
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except (smtplib.SMTPException, OSError) as error:  # refused, unreachable, timed out, TLS, login
                raise MailFailure(_describe(error), connection=True) from error
        try:
            self.smtp.send_message(mail)
        except MESSAGE_ERRORS as error:  # this message only: the next one may go through
            raise MailFailure(_describe(error), connection=False) from error
        except (smtplib.SMTPException, OSError) as error:  # the server or the connection: stop the run
            self.close()
            raise MailFailure(_describe(error), connection=True) from error

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.server or "", s.port, timeout=s.timeout)
        try:
            if s.use_tls:  # the server's certificate and name are checked, against MAIL_CA_FILE when set
                smtp.starttls(context=ssl.create_default_context(cafile=s.ca_file))
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
