"""Flags raised by the morning scan, and the messages they cause (the outbox).

Kept apart from permits/models.py, which holds the permit records themselves.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models import User, db, str_enum, utcnow
from permits.models import Permit


class FlagKind(enum.StrEnum):
    AT_RISK = "at_risk"  # past the at-risk share of the statutory working days
    OVERDUE = "overdue"  # the agency is past its statutory working days
    DEEMED_GRANTED_CANDIDATE = "deemed_granted_candidate"  # overdue where the law grants automatically
    INVESTOR_OVERDUE = "investor_overdue"  # returned, and the investor's revision window has passed
    DEEMED_WITHDRAWN_CANDIDATE = "deemed_withdrawn_candidate"  # the investor silent past the legal limit

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self])


FLAG_LABELS = {
    FlagKind.AT_RISK: _l("At risk"),
    FlagKind.OVERDUE: _l("Overdue"),
    FlagKind.DEEMED_GRANTED_CANDIDATE: _l("Deemed granted candidate"),
    FlagKind.INVESTOR_OVERDUE: _l("Investor late with the revision"),
    FlagKind.DEEMED_WITHDRAWN_CANDIDATE: _l("Deemed withdrawn candidate"),
}


class StallFlag(db.Model):
    """One kind of trouble with one permit during one episode (the permit's status since its last event).

    Raised once per episode (unique), confirmed by each scan while it holds, resolved by the first scan
    after it stops holding (the permit moved on, or the calendar changed). Never deleted.
    """

    __tablename__ = "stall_flag"
    __table_args__ = (
        UniqueConstraint("permit_id", "kind", "episode", name="uq_stall_flag_permit_kind_episode"),
        Index("ix_stall_flag_open", "resolved_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permit.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[FlagKind] = mapped_column(str_enum(FlagKind, 32))
    episode: Mapped[int]  # Permit.last_event_seq when the flag was raised
    raised_on: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_confirmed_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)

    permit: Mapped[Permit] = relationship()


class NotificationKind(enum.StrEnum):
    DAILY_DIGEST = "daily_digest"  # one a day per person, of the flags that concern them
    WEEKLY_DIGEST = "weekly_digest"  # the governor's office, once a week


class Notification(db.Model):
    """A message for one user: kept for them in the app, and sent by SMTP when SMTP is configured."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "period", name="uq_notification_recipient_kind_period"),
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

    recipient: Mapped[User] = relationship()


class NotificationItem(db.Model):
    """A flag told to a recipient: at most once per flag and recipient, whatever the digest."""

    __tablename__ = "notification_item"
    __table_args__ = (UniqueConstraint("flag_id", "recipient_id", name="uq_notification_item_flag_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("stall_flag.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
