"""Flags raised by the morning scan: one per permit, kind and episode (``Permit.last_event_seq``)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, UniqueConstraint, and_, case, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.database import str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from permits.models import Permit


class FlagKind(LabelledEnum):
    AT_RISK = "at_risk"  # past the at-risk share of the statutory working days
    OVERDUE = "overdue"  # the agency is past its statutory working days
    DEEMED_GRANTED_CANDIDATE = "deemed_granted_candidate"  # overdue where the law deems it granted (UU 30/2014)
    AUTOMATIC_OUTCOME = "automatic_outcome"  # overdue where the system decides for the agency (22(3), 119(3), 230)
    INVESTOR_OVERDUE = "investor_overdue"  # the investor's fix or revision window has passed
    DEEMED_WITHDRAWN_CANDIDATE = "deemed_withdrawn_candidate"  # the investor silent past the legal limit (19)
    REJECTION_CANDIDATE = "rejection_candidate"  # a stopped process not resumed within the limit (91)

    @classmethod
    def _labels(cls) -> dict:
        return {
            "at_risk": _l("At risk"),
            "overdue": _l("Overdue"),
            "deemed_granted_candidate": _l("Deemed granted candidate"),
            "automatic_outcome": _l("The law's automatic outcome is due"),
            "investor_overdue": _l("Investor late with the revision"),
            "deemed_withdrawn_candidate": _l("Deemed withdrawn candidate"),
            "rejection_candidate": _l("Rejection due: the stopped process was not resumed"),
        }


# Most serious first: where the law may now decide, then lateness, then the early warning. Lists and digests
# order permits by their most severe flag.
SEVERITY = (
    FlagKind.DEEMED_GRANTED_CANDIDATE,
    FlagKind.AUTOMATIC_OUTCOME,
    FlagKind.REJECTION_CANDIDATE,
    FlagKind.OVERDUE,
    FlagKind.DEEMED_WITHDRAWN_CANDIDATE,
    FlagKind.INVESTOR_OVERDUE,
    FlagKind.AT_RISK,
)


class StallScan(db.Model):
    """A day the stall scan ran for, and when it last ran for it. Every scan confirms each open flag (it resolves
    those that no longer hold), so an open flag's last confirmation is the latest day scanned: kept here, one row
    per day, instead of rewritten on every open flag each morning (``StallFlag.last_confirmed_on``)."""

    __tablename__ = "stall_scan"

    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)


LAST_SCANNED = select(func.max(StallScan.as_of)).scalar_subquery()  # the latest day scanned (NULL: none yet)


class StallFlag(db.Model):
    """One kind of trouble with one permit during one episode (the permit's status since its last event).

    Raised once per episode (unique), confirmed by each scan while it holds, resolved by the first scan
    after it stops holding (the permit moved on, or the calendar changed). Never deleted.

    ``last_confirmed_on``, the last day a scan found it holding, is read, not stored: for an open flag the latest
    day scanned (``StallScan``), at least the day it was raised; for a resolved one the day written on the row
    when it was resolved (``stored_confirmed_on``: the day it was raised, then at its resolution the latest day
    scanned before). So the morning scan writes only the flags it raises and resolves.
    """

    __tablename__ = "stall_flag"
    __table_args__ = (
        UniqueConstraint("permit_id", "kind", "episode", name="uq_stall_flag_permit_kind_episode"),
        Index("ix_stall_flag_open", "resolved_on", "kind"),
        # The permits with an open flag (the dashboard's count), read from the index alone.
        Index(
            "ix_stall_flag_open_permit",
            "permit_id",
            sqlite_where=text("resolved_on IS NULL"),
            postgresql_where=text("resolved_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # indexed by the leading column of uq_stall_flag_permit_kind_episode
    permit_id: Mapped[int] = mapped_column(ForeignKey("permit.id", ondelete="RESTRICT"))
    kind: Mapped[FlagKind] = mapped_column(str_enum(FlagKind, 32))
    episode: Mapped[int]  # Permit.last_event_seq when the flag was raised
    raised_on: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    stored_confirmed_on: Mapped[date] = mapped_column("last_confirmed_on", Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    last_confirmed_on: Mapped[date] = column_property(
        case(
            (and_(resolved_on.is_(None), stored_confirmed_on < LAST_SCANNED), LAST_SCANNED),
            else_=stored_confirmed_on,
        )
    )

    permit: Mapped[Permit] = relationship()


class StalledPermit(db.Model):
    """A permit with at least one open flag, with its kab/kota and agency (copies of ``Permit.region_id`` and
    ``Permit.agency_id``): what the stalled list's counts read (the province's a count of this table, a
    kab/kota's or an agency's a range of an index), kept by the scan (``permits.stalls.scan``: added and removed
    with the open flags), by a move that resolves the permit's flags, and by a permit's edit or an estate's move
    that changes them (``permits.stalls.stalled``).

    A narrow row instead of a column on the permit: flagging 85,000 permits wrote each permit row again with an
    entry in each of its 17 indexes (4-5 s of a first scan at 200,000 permits); here one small row and three index
    entries. No foreign key: the permit cannot go while its flags exist (theirs restricts it), and the check would
    lock each permit row again (the flags' own check already costs 0.5 s for 94,000 new flags)."""

    __tablename__ = "stalled_permit"

    permit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region_id: Mapped[int | None] = mapped_column(index=True)
    agency_id: Mapped[int | None] = mapped_column(index=True)
