"""The permit catalogue (PermitType) and the permits of each estate.

Statutory working days and prerequisites are data, seeded from the reference catalogue by a data
migration and editable by an administrator: several figures are UNCONFIRMED (see ``confirmed``).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.database import TimestampMixin, str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.models import User
from estates.models import Estate
from permits.agencies.models import Agency
from permits.rules import PermitRule, Regime

permit_type_prerequisite = Table(
    "permit_type_prerequisite",
    db.metadata,
    Column("permit_type_id", ForeignKey("permit_type.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("permit_type.id", ondelete="RESTRICT"), primary_key=True),
    CheckConstraint("permit_type_id <> prerequisite_id", name="not_self"),
)


class PermitType(db.Model):
    __tablename__ = "permit_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    issuing_authority: Mapped[str] = mapped_column(String(255))
    sequence: Mapped[int] = mapped_column(default=0)  # position in the usual chain, for display

    prerequisites: Mapped[list[PermitType]] = relationship(
        secondary=permit_type_prerequisite,
        primaryjoin=lambda: PermitType.id == permit_type_prerequisite.c.permit_type_id,
        secondaryjoin=lambda: PermitType.id == permit_type_prerequisite.c.prerequisite_id,
        order_by=lambda: PermitType.sequence,
    )
    # The limits and silence outcomes under each regime (permits.rules): the law changes, the type stays.
    rules: Mapped[list[PermitRule]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def rule_for(self, regime_id: int) -> PermitRule | None:
        return next((r for r in self.rules if r.regime_id == regime_id), None)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id

    def __repr__(self) -> str:
        return f"<PermitType {self.code}>"


class PermitStatus(LabelledEnum):
    """Status words of PP 28/2025 and the OSS/SIMBG screens (DOMAIN.md section 5)."""

    NOT_STARTED = "not_started"
    SUBMITTED = "submitted"  # diajukan
    DECLARED_COMPLETE = "declared_complete"  # dinyatakan lengkap
    UNDER_REVIEW = "under_review"  # penilaian
    FEASIBILITY_TEST = "feasibility_test"  # uji kelayakan (AMDAL)
    RECOMMENDATION = "recommendation"  # rekomendasi
    RETURNED = "returned"  # dikembalikan dengan catatan perbaikan: an administrative fix
    REVISION = "revision"  # perbaikan: a substantive revision round
    PROCESS_STOPPED = "process_stopped"  # penghentian proses (AMDAL, Pasal 91)
    ISSUED = "issued"  # diterbitkan
    VERIFIED = "verified"  # terverifikasi (Pasal 225)
    DEEMED_GRANTED = "deemed_granted"  # dianggap dikabulkan
    REJECTED = "rejected"  # ditolak
    WITHDRAWN = "withdrawn"  # ditarik kembali: by the applicant
    DEEMED_WITHDRAWN = "deemed_withdrawn"  # dianggap ditarik kembali: by law
    CANCELLED = "cancelled"  # dibatalkan
    FROZEN = "frozen"  # dibekukan
    REVOKED = "revoked"  # dicabut

    @classmethod
    def _labels(cls) -> dict:
        return {
            "not_started": _l("Not started"),
            "submitted": _l("Submitted (diajukan)"),
            "declared_complete": _l("Declared complete (dinyatakan lengkap)"),
            "under_review": _l("Under review (penilaian)"),
            "feasibility_test": _l("Feasibility test (uji kelayakan)"),
            "recommendation": _l("Recommendation (rekomendasi)"),
            "returned": _l("Returned for revision (dikembalikan dengan catatan perbaikan)"),
            "revision": _l("Revision (perbaikan)"),
            "process_stopped": _l("Process stopped (penghentian proses)"),
            "issued": _l("Issued (diterbitkan)"),
            "verified": _l("Verified (terverifikasi)"),
            "deemed_granted": _l("Deemed granted (dianggap dikabulkan)"),
            "rejected": _l("Rejected (ditolak)"),
            "withdrawn": _l("Withdrawn by the applicant (ditarik kembali)"),
            "deemed_withdrawn": _l("Deemed withdrawn (dianggap ditarik kembali)"),
            "cancelled": _l("Cancelled (dibatalkan)"),
            "frozen": _l("Frozen (dibekukan)"),
            "revoked": _l("Revoked (dicabut)"),
        }

    @property
    def is_granted(self) -> bool:
        return self in GRANTED_STATUSES

    @property
    def is_decided(self) -> bool:
        return self in DECIDED_STATUSES

    @property
    def css(self) -> str:
        return STATUS_CSS.get(self, "secondary")


GRANTED_STATUSES = frozenset({PermitStatus.ISSUED, PermitStatus.DEEMED_GRANTED, PermitStatus.VERIFIED})
DECIDED_STATUSES = GRANTED_STATUSES | {
    PermitStatus.REJECTED,
    PermitStatus.WITHDRAWN,
    PermitStatus.DEEMED_WITHDRAWN,
    PermitStatus.CANCELLED,
    PermitStatus.REVOKED,
}
STATUS_CSS = {
    PermitStatus.NOT_STARTED: "secondary",
    PermitStatus.SUBMITTED: "primary",
    PermitStatus.DECLARED_COMPLETE: "primary",
    PermitStatus.UNDER_REVIEW: "primary",
    PermitStatus.FEASIBILITY_TEST: "primary",
    PermitStatus.RECOMMENDATION: "primary",
    PermitStatus.RETURNED: "warning",
    PermitStatus.REVISION: "warning",
    PermitStatus.PROCESS_STOPPED: "warning",
    PermitStatus.ISSUED: "success",
    PermitStatus.VERIFIED: "success",
    PermitStatus.DEEMED_GRANTED: "success",
    PermitStatus.REJECTED: "danger",
    PermitStatus.WITHDRAWN: "dark",
    PermitStatus.DEEMED_WITHDRAWN: "dark",
    PermitStatus.CANCELLED: "dark",
    PermitStatus.FROZEN: "info",
    PermitStatus.REVOKED: "danger",
}


STOPS_WHERE = "to_status IN ('returned', 'revision') AND from_status IS NOT NULL"
LIVE_WHERE = "status NOT IN ('rejected', 'withdrawn', 'deemed_withdrawn', 'cancelled', 'revoked')"
# The partial index of the answered files, in the form each engine's planner matches ``Permit.answered.is_(True)``.
ANSWERED_WHERE = {"postgresql": "answered IS true", "sqlite": "answered IS 1"}
# The agency's clock runs (``permits.queries.running_condition``): the overdue and at-risk counts read the index.
# Its statuses in the order of the indexes' condition: the query repeats it as written, literals included (SQLite
# uses a partial index only for a query whose condition has each term of the index's, and never for parameters).
RUNNING_STATUSES = ("submitted", "declared_complete", "under_review", "feasibility_test", "recommendation")
RUNNING_WHERE = f"status IN ({', '.join(repr(s) for s in RUNNING_STATUSES)}) AND running_since IS NOT NULL"
RUNNING_INDEX = {"sqlite_where": text(RUNNING_WHERE), "postgresql_where": text(RUNNING_WHERE)}  # its partial indexes
# The clock is stopped (``stages.REVISING``, the band "stopped"): literals in the index's order, as above.
STOPPED_STATUSES = ("returned", "revision", "process_stopped")
STOPPED_WHERE = f"status IN ({', '.join(repr(s) for s in STOPPED_STATUSES)})"
# The first day the permit is (or will be) late: the agency's while its clock runs (``stages.AGENCY_STATUSES``).
LATE_ON = (
    "CASE WHEN status IN ('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation') "
    "AND running_since IS NOT NULL THEN overdue_on ELSE COALESCE(investor_overdue_on, investor_silent_on) END"
)


class Permit(TimestampMixin, db.Model):
    """One application of one permit type for one estate (a rejected one may be followed by a new one)."""

    __tablename__ = "permit"
    __table_args__ = (
        CheckConstraint(
            "decided_on IS NULL OR submitted_on IS NULL OR decided_on >= submitted_on", name="decided_after_submitted"
        ),
        Index("ix_permit_estate_type", "estate_id", "permit_type_id"),
        Index("ix_permit_status_type", "status", "permit_type_id"),
        Index("ix_permit_agency_decision", "agency_id", "decision_days"),
        Index("ix_permit_updated_at", "updated_at"),
        # "Answers arrived" counted from the index alone (the dashboard; a kab/kota officer's: a range of it).
        Index(
            "ix_permit_answered",
            "region_id",
            sqlite_where=text(ANSWERED_WHERE["sqlite"]),
            postgresql_where=text(ANSWERED_WHERE["postgresql"]),
        ),
        Index("ix_permit_running_bands", "overdue_on", "at_risk_on", "estate_id", **RUNNING_INDEX),
        # the same counts for a kab/kota officer (a range of the kab/kota's entries), for one permit type
        Index("ix_permit_running_region", "region_id", "overdue_on", "at_risk_on", **RUNNING_INDEX),
        Index("ix_permit_running_type", "permit_type_id", "overdue_on", "at_risk_on", **RUNNING_INDEX),
        Index("ix_permit_overdue_order", "overdue_on", "id", "status", "running_since", "at_risk_on"),  # + bands
        # The running bands' pages in the list's order (overdue, at risk, on track: a range of overdue_on, the
        # at-risk day read from the index), whatever the planner estimates of a band (``on_track``: 1 row of 1,660).
        Index("ix_permit_running_order", "overdue_on", "id", "at_risk_on", **RUNNING_INDEX),
        # The band "stopped" of one permit type in id order (the types' ids fall in ranges: walking every stopped
        # permit by id for one type read 15,000 of them at the reference size).
        Index(
            "ix_permit_stopped_type",
            "permit_type_id",
            "id",
            sqlite_where=text(STOPPED_WHERE),
            postgresql_where=text(STOPPED_WHERE),
        ),
        # The stalled list's order, in the province, a kab/kota, an agency: its first page walks one of these and
        # keeps the permits with an open flag (``pk_stalled_permit``) until it has a page.
        Index("ix_permit_late_order", "late_on", "id"),
        Index("ix_permit_region_late", "region_id", "late_on", "id"),
        Index("ix_permit_agency_late", "agency_id", "late_on", "id"),
        Index("ix_permit_region_order", "region_id", "overdue_on", "id"),  # a kab/kota officer's list and count
        Index("ix_permit_region_type", "region_id", "permit_type_id"),  # its count of one type, from the index
        Index("ix_permit_agency_region", "agency_id", "region_id"),  # the agencies a kab/kota officer's permits name
        # One live application per estate and permit type; ended ones (rejected, withdrawn, revoked) may repeat.
        Index(
            "uq_permit_live_application",
            "estate_id",
            "permit_type_id",
            unique=True,
            sqlite_where=text(LIVE_WHERE),
            postgresql_where=text(LIVE_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="RESTRICT"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"))  # permits.regions
    permit_type_id: Mapped[int] = mapped_column(ForeignKey("permit_type.id", ondelete="RESTRICT"))
    # active_history: the status before a change is always known (``permits.tally`` moves the counts by it)
    status: Mapped[PermitStatus] = mapped_column(
        str_enum(PermitStatus, 24), default=PermitStatus.NOT_STARTED, active_history=True
    )
    reference_number: Mapped[str | None] = mapped_column(String(100))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The agency that issues it: resolved from the catalogue's rule, or an officer's choice with the reason.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    agency_override_reason: Mapped[str | None] = mapped_column(Text)
    # Legacy: the free text recorded before agencies were records (kept for old rows, empty for new ones).
    issuing_authority: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str | None] = mapped_column(Text)
    # Optimistic locking: a save based on an older version is refused (see permits.workflow).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    # The deadline clock, kept in step with the events by permits.workflow (and rebuildable from them).
    regime_id: Mapped[int | None] = mapped_column(ForeignKey("regime.id", ondelete="RESTRICT"))  # set when filed
    revision_rounds: Mapped[int] = mapped_column(default=0, server_default="0")  # substantive revisions asked
    agency_days_banked: Mapped[int] = mapped_column(default=0, server_default="0")  # closed agency intervals
    running_since: Mapped[date | None] = mapped_column(Date)  # start of the agency interval now running
    investor_days_banked: Mapped[int] = mapped_column(default=0, server_default="0")
    investor_since: Mapped[date | None] = mapped_column(Date)  # start of the investor's current revision
    clock_stops: Mapped[int] = mapped_column(default=0, server_default="0")
    due_on: Mapped[date | None] = mapped_column(Date, index=True)  # last working day within the limit
    at_risk_on: Mapped[date | None] = mapped_column(Date)  # first day the at-risk share is used
    overdue_on: Mapped[date | None] = mapped_column(Date)  # first working day past the limit
    investor_due_on: Mapped[date | None] = mapped_column(Date)  # end of the investor's revision window
    investor_overdue_on: Mapped[date | None] = mapped_column(Date, index=True)  # first working day past it
    investor_silent_on: Mapped[date | None] = mapped_column(Date)  # first day the law's silence outcome applies
    last_event_seq: Mapped[int] = mapped_column(default=0, server_default="0")  # the current episode
    # The last move brought the file back from the investor (an answer to a return, a resumed process) to the
    # agency, which holds it now: "answers arrived". Written with every event (``permits.workflow``).
    answered: Mapped[bool] = mapped_column(default=False, server_default=false())
    late_on: Mapped[date | None] = mapped_column(Date, Computed(LATE_ON))  # by the database, never written here
    # The agency's decision (its first move from its desk or a return to a decided status, ``stages.DECISIONS``):
    # the working days it had used and the limit then in force, as the deciding event recorded them (the figures).
    decision_days: Mapped[int | None]
    decision_sla: Mapped[int | None]
    # How many documents the permit has, read only by a statement that asks for it (the permit page's, issue 13),
    # else None.
    document_count: Mapped[int | None] = query_expression()

    estate: Mapped[Estate] = relationship()
    permit_type: Mapped[PermitType] = relationship()
    regime: Mapped[Regime | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    events: Mapped[list[PermitEvent]] = relationship(
        back_populates="permit", order_by="PermitEvent.seq", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    def agency_name(self, locale: str = "id") -> str | None:
        """The agency's name in ``locale``; for an old permit without one, the text it was recorded with."""
        return self.agency.name(locale) if self.agency is not None else self.issuing_authority

    def __repr__(self) -> str:
        return f"<Permit {self.id} {self.status}>"


class PermitEvent(db.Model):
    """One move of a permit, written in the same transaction as the move and never edited or deleted.

    ``effective_on`` is the legal date of the move (WIB calendar day, which may be before the day it was
    recorded); ``recorded_at`` is when it was written (UTC). The clock columns hold the clock's state
    right after the move, so durations per permit type and agency are a query away.
    """

    __tablename__ = "permit_event"
    __table_args__ = (
        UniqueConstraint("permit_id", "seq", name="uq_permit_event_permit_seq"),
        Index("ix_permit_event_to_status_effective_on", "to_status", "effective_on"),
        # The clock stops (returns and revision requests) with the figures they recorded: the late stops per agency.
        Index(
            "ix_permit_event_stops",
            "permit_id",
            "agency_days_used",
            "sla_working_days",
            sqlite_where=text(STOPS_WHERE),
            postgresql_where=text(STOPS_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permit.id", ondelete="RESTRICT"), index=True)
    seq: Mapped[int]
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(120))  # the name as written; a legacy label before accounts
    # The signed-in user who made the move (empty for history typed by hand and for the scheduler).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    from_status: Mapped[PermitStatus | None] = mapped_column(str_enum(PermitStatus, 24, name="from_status"))
    to_status: Mapped[PermitStatus] = mapped_column(str_enum(PermitStatus, 24, name="to_status"))
    note: Mapped[str | None] = mapped_column(Text)
    clock_running: Mapped[bool]
    agency_days_used: Mapped[int]
    investor_days_used: Mapped[int]
    sla_working_days: Mapped[int]  # the limit in force when the move was made
    due_on: Mapped[date | None] = mapped_column(Date)
    regulation: Mapped[str | None] = mapped_column(String(32))  # the regime's name when the move was made
    # A deemed grant cites the evidence it rests on: the SHA-256 of the evidence page's canonical JSON.
    evidence_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The OSS import that wrote the move (its file, who sent it), when one did.
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    permit: Mapped[Permit] = relationship(back_populates="events")
    actor_user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def actor_name(self) -> str:
        """Who made the move: the user's name now, else the label written at the time."""
        return self.actor_user.name if self.actor_user is not None else self.actor


class CalendarOverrideKind(LabelledEnum):
    """How an administrator's entry changes the working-day calendar on one date."""

    CLOSED = "closed"  # non-working although the holidays package does not say so (a new decree, a closure)
    WORKING = "working"  # working although the package, the weekend or the cuti bersama setting says otherwise

    @classmethod
    def _labels(cls) -> dict:
        return {"closed": _l("Closed (non-working day)"), "working": _l("Working day")}


class CalendarOverride(db.Model):
    """An administrator's correction of the working-day calendar for one date (decrees change mid-year).

    It wins over everything else: a ``closed`` date is never a working day and a ``working`` date always is.
    One entry per date. Written only through ``permits.admin.closures``, which refreshes the calendar cache.
    """

    __tablename__ = "calendar_override"
    __table_args__ = (CheckConstraint("reason <> ''", name="reason_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[CalendarOverrideKind] = mapped_column(str_enum(CalendarOverrideKind, 16))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(120))  # a login name until accounts arrive (issue 4)

    def __repr__(self) -> str:
        return f"<CalendarOverride {self.day} {self.kind}>"
