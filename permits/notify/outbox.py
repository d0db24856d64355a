"""The outbox: mailing the notifications by SMTP, and what the notification pages read.

Without ``MAIL_SERVER`` nothing is mailed: every message stays in the app, in its recipient's Notifications and
in the administrator's outbox. With it, the ``send-outbox`` job (permits/jobs.py) mails each message that is
*due*: not sent, fewer than ``OUTBOX_MAX_ATTEMPTS`` attempts, its next attempt time reached (or none set), at
most ``MAIL_MAX_AGE`` old (older ones stay in the app: switching SMTP on must not mail months of digests) and
its recipient still active. Each message is sent in three steps:

1. *claim*: a conditional update counts the attempt and schedules the next one (``OUTBOX_RETRY_MINUTES`` *
   2^(attempts - 1): 5, 10, 20 ... minutes), committed before the mail leaves. Two senders never both claim a
   message, and a digest claimed is closed to more lines (permits/notify/services.py);
2. *send* it over SMTP;
3. *mark it sent* (or record the error), committed at once.

A mail can go out twice in one way only: the process dies after the SMTP server accepted it and before step 3
commits; it is then sent again after the back-off. Every mail carries a Message-ID built from the
notification's id, the same at every attempt, so the receiving server or mail client can drop the duplicate.
Functions here flush, never commit; the job commits between the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.formatting import wib
from app.mail import MailFailure, MailSettings, message_id
from app.models import User
from app.urls import MAX_ID
from permits.notify.models import Notification
from permits.notify.services import visible_body

MAIL_MAX_AGE = timedelta(days=7)
BATCH = 200  # messages per run of the job; the rest wait for the next run


def retry_delay(attempts: int, retry_minutes: int) -> timedelta:
    """How long to wait after the ``attempts``-th attempt: ``retry_minutes`` * 2^(attempts - 1)."""
    return timedelta(minutes=retry_minutes * 2 ** max(attempts - 1, 0))


# --- sending -------------------------------------------------------------------------------------------------


def _due(now: datetime, max_attempts: int) -> ColumnElement[bool]:
    recipient_active = select(User.id).where(User.id == Notification.recipient_id, User.active.is_(True)).exists()
    return and_(
        Notification.sent_at.is_(None),
        Notification.attempts < max_attempts,
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        Notification.created_at >= now - MAIL_MAX_AGE,
        recipient_active,
    )


def due_messages(now: datetime, max_attempts: int, limit: int = BATCH) -> list[tuple[int, int]]:
    """(id, attempts) of the messages due for mailing, oldest first."""
    stmt = select(Notification.id, Notification.attempts).where(_due(now, max_attempts))
    return [tuple(row) for row in db.session.execute(stmt.order_by(Notification.id).limit(limit))]


def claim(notification_id: int, attempts: int, now: datetime, settings: MailSettings) -> Notification | None:
    """Count an attempt and schedule the next one, if the message is still due and nobody claimed it since.

    Returns the message with its recipient, or ``None`` when another sender (or a digest builder) was first.
    """
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.attempts == attempts, _due(now, settings.max_attempts))
        .values(attempts=attempts + 1, next_attempt_at=now + retry_delay(attempts + 1, settings.retry_minutes))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    stmt = select(Notification).where(Notification.id == notification_id).options(joinedload(Notification.recipient))
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def compose(notification: Notification, sender: str, now: datetime) -> EmailMessage:
    """The mail of a notification: plain text, UTF-8, marked as sent automatically (RFC 3834)."""
    recipient = notification.recipient
    mail = EmailMessage()
    mail["From"] = sender
    try:
        mail["To"] = Address(display_name=recipient.name, addr_spec=recipient.email)
    except (ValueError, IndexError) as error:  # an address the mail library cannot write
        raise MailFailure(f"invalid recipient address: {error}", connection=False) from error
    mail["Subject"] = notification.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id(notification.id, sender)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(visible_body(notification.body) + "\n")
    return mail


def record_sent(notification: Notification, now: datetime) -> None:
    notification.sent_at = now
    notification.next_attempt_at = None
    notification.last_error = None
    db.session.flush()


def record_failure(notification: Notification, error: str, max_attempts: int) -> None:
    """Keep the error; after the last attempt there is no next one (the message stays in the app)."""
    notification.last_error = error[:2000]
    if notification.attempts >= max_attempts:
        notification.next_attempt_at = None
    db.session.flush()


def unsent_count() -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.sent_at.is_(None))) or 0


# --- what the pages read ------------------------------------------------------------------------------------


def inbox_query(user_id: int) -> Select:
    """The user's own messages, newest first."""
    return (
        select(Notification)
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.period.desc(), Notification.id.desc())
    )


def unread_count_query(user_id: int) -> Select:
    return select(func.count(Notification.id)).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)
    )


def unread_count(user_id: int) -> int:
    return db.session.scalar(unread_count_query(user_id)) or 0


def mark_read(notification_id: int, user_id: int, now: datetime) -> bool:
    """Mark one of the user's messages read; ``False`` when it is unknown or someone else's (a 404)."""
    if not 0 < notification_id <= MAX_ID:
        return False
    stmt = select(Notification).where(Notification.id == notification_id, Notification.recipient_id == user_id)
    notification = db.session.scalars(stmt).one_or_none()
    if notification is None:
        return False
    notification.read_at = notification.read_at or now
    db.session.flush()
    return True


def mark_all_read(user_id: int, now: datetime) -> int:
    return db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


OUTBOX_FILTERS = {
    "unsent": _l("Not sent"),
    "sent": _l("Sent"),
    "failed": _l("With errors"),
}


def outbox_query(status: str | None) -> Select:
    """Every message with its recipient, newest first; ``status`` one of ``OUTBOX_FILTERS`` (else all)."""
    stmt = select(Notification).options(joinedload(Notification.recipient))
    if status == "unsent":
        stmt = stmt.where(Notification.sent_at.is_(None))
    elif status == "sent":
        stmt = stmt.where(Notification.sent_at.is_not(None))
    elif status == "failed":
        stmt = stmt.where(Notification.last_error.is_not(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def outbox_message(notification_id: int) -> Notification | None:
    if not 0 < notification_id <= MAX_ID:
        return None
    stmt = select(Notification).where(Notification.id == notification_id).options(joinedload(Notification.recipient))
    return db.session.scalars(stmt).one_or_none()


@dataclass(frozen=True)
class Delivery:
    """Where a message stands, for the outbox page: a label and a Bootstrap colour."""

    label: str
    css: str


def delivery(notification: Notification, settings: MailSettings, now: datetime) -> Delivery:
    """The message's state as the administrator needs to read it."""
    n = notification
    if n.sent_at is not None:
        return Delivery(_("Sent %(when)s", when=wib(n.sent_at, "short")), "success")
    if n.attempts >= settings.max_attempts:
        return Delivery(_("Gave up after %(num)d attempts", num=n.attempts), "danger")
    if not n.recipient.active:
        return Delivery(_("Not mailed: the recipient is inactive"), "secondary")
    if settings.server is None:
        return Delivery(_("Kept in the app (no SMTP server)"), "info")
    if n.created_at < now - MAIL_MAX_AGE:
        return Delivery(_("Not mailed: too old"), "secondary")
    if n.next_attempt_at is not None and n.next_attempt_at > now:
        if n.attempts:
            return Delivery(_("Retry at %(when)s", when=wib(n.next_attempt_at, "short")), "warning")
        return Delivery(_("Held until %(when)s", when=wib(n.next_attempt_at, "short")), "secondary")
    return Delivery(_("Waiting to be sent"), "primary")
