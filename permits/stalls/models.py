"""Flags raised by the morning scan: one per permit, kind and episode (``Permit.last_event_seq``)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models import db, str_enum, utcnow
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
