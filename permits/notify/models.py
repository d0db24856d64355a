"""The messages the flags cause: notifications kept in the app (and mailed by the outbox), and which flag
was told to whom."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import str_enum, utcnow
from app.extensions import db
from app.models import User


class NotificationKind(enum.StrEnum):
    DAILY_DIGEST = "daily_digest"  # one a day per person, of the flags that concern them
    WEEKLY_DIGEST = "weekly_digest"  # the governor's office, once a week
    ACCOUNT_LOCKED = "account_locked"  # an account was locked after failed sign-ins (permits/notify/lockout.py)
    NOTICE = "notice"  # at once, of one move with a short clock (returned, answered, decided): once per event


class Notification(db.Model):
    """A message for one user: kept for them in the app, and sent by SMTP when SMTP is configured."""

    __tablename__ = "notification"
    __table_args__ = (
        # one digest per person, kind and period; notices are many a day, one per person and permit event
        Index(
            "uq_notification_recipient_kind_period",
            "recipient_id",
            "kind",
            "period",
            unique=True,
            sqlite_where=text("kind <> 'notice'"),
            postgresql_where=text("kind <> 'notice'"),
        ),
        UniqueConstraint("recipient_id", "permit_event_id", name="uq_notification_recipient_permit_event"),
        Index("ix_notification_unsent", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 16))
    period: Mapped[date] = mapped_column(Date)  # the day of a daily digest, the Monday of a weekly one
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    read_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # The move a notice tells of (digests: none).
    permit_event_id: Mapped[int | None] = mapped_column(ForeignKey("permit_event.id", ondelete="CASCADE"), index=True)

    recipient: Mapped[User] = relationship()


class NotificationItem(db.Model):
    """A flag told to a recipient: at most once per flag and recipient, whatever the digest."""

    __tablename__ = "notification_item"
    __table_args__ = (UniqueConstraint("flag_id", "recipient_id", name="uq_notification_item_flag_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("stall_flag.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
