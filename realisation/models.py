"""LKPM entries (what an investor reported for a period), their corrections, and the missing-report flags.

An entry is one investor's report for one period, for one of its estates or for the company as a whole
(``estate_id`` empty). Money is whole rupiah (``Numeric(20, 0)``). A correction never overwrites silently: the
values it replaces are kept in ``lkpm_entry_revision`` with who wrote them, who replaced them, when and why.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Money, TimestampMixin, str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.models import ImportBatch
from estates.models import Estate, Investor


class LkpmStatus(LabelledEnum):
    """The status words of an LKPM in OSS (DOMAIN.md section 6)."""

    DRAFT = "draf"
    SENT = "terkirim"
    NEEDS_CORRECTION = "perlu_perbaikan"
    CORRECTED = "sudah_diperbaiki"
    APPROVED = "disetujui"

    @classmethod
    def _labels(cls) -> dict:
        return {
            "draf": _l("Draft (Draf)"),
            "terkirim": _l("Sent (Terkirim)"),
            "perlu_perbaikan": _l("Needs correction (Perlu Perbaikan)"),
            "sudah_diperbaiki": _l("Corrected (Sudah Diperbaiki)"),
            "disetujui": _l("Approved (Disetujui)"),
        }

    @property
    def is_submitted(self) -> bool:
        """A draft has not reached the agency: the report is still missing."""
        return self is not LkpmStatus.DRAFT

    @property
    def css(self) -> str:
        return {
            "draf": "secondary",
            "terkirim": "primary",
            "perlu_perbaikan": "warning",
            "sudah_diperbaiki": "info",
            "disetujui": "success",
        }[self.value]


# The values an entry carries (and a revision keeps): everything but its key (investor, estate, period).
ENTRY_VALUES = (
    "investment_rp",
    "fixed_capital_rp",
    "working_capital_rp",
    "tki",
    "tka",
    "production_notes",
    "obstacles",
    "status",
    "reported_on",
)


class _EntryValues:
    investment_rp: Mapped[Decimal] = mapped_column(Money)
    fixed_capital_rp: Mapped[Decimal | None] = mapped_column(Money)
    working_capital_rp: Mapped[Decimal | None] = mapped_column(Money)
    tki: Mapped[int]  # Indonesian workers
    tka: Mapped[int]  # foreign workers
    production_notes: Mapped[str | None] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text)
    status: Mapped[LkpmStatus] = mapped_column(str_enum(LkpmStatus, 24))
    reported_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))  # who wrote these values (a name, or the file's importer)


def _value_checks() -> tuple[CheckConstraint, ...]:
    """The checks on an entry's values, new objects for each table (a constraint belongs to one table)."""
    return (
        CheckConstraint("investment_rp >= 0", name="investment_nonneg"),
        CheckConstraint("fixed_capital_rp IS NULL OR fixed_capital_rp >= 0", name="fixed_nonneg"),
        CheckConstraint("working_capital_rp IS NULL OR working_capital_rp >= 0", name="working_nonneg"),
        CheckConstraint(
            "fixed_capital_rp IS NULL OR working_capital_rp IS NULL "
            "OR fixed_capital_rp + working_capital_rp = investment_rp",
            name="split_adds_up",
        ),
        CheckConstraint("tki >= 0 AND tka >= 0", name="workers_nonneg"),
    )


class LkpmEntry(_EntryValues, TimestampMixin, db.Model):
    """One LKPM: an investor's report for a period, for one estate or (``estate_id`` empty) the whole company.

    ``period`` is ``2026-Q2`` or ``2026-S1`` (``realisation.periods``); ``period_end`` orders and filters.
    ``version`` counts the corrections; ``import_batch_id`` names the file that last wrote the values, if any.
    """

    __tablename__ = "lkpm_entry"
    __table_args__ = (
        *_value_checks(),
        UniqueConstraint("investor_id", "estate_id", "period", name="uq_lkpm_entry_investor_estate_period"),
        # NULLs are distinct in a unique constraint: a second one keeps one company-wide entry per period.
        Index(
            "uq_lkpm_entry_company_period",
            "investor_id",
            "period",
            unique=True,
            sqlite_where=text("estate_id IS NULL"),
            postgresql_where=text("estate_id IS NULL"),
        ),
        Index("ix_lkpm_entry_period_end", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("investor.id", ondelete="RESTRICT"), index=True)
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estate.id", ondelete="RESTRICT"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    investor: Mapped[Investor] = relationship()
    estate: Mapped[Estate | None] = relationship()
    import_batch: Mapped[ImportBatch | None] = relationship()
    revisions: Mapped[list[LkpmEntryRevision]] = relationship(
        back_populates="entry", order_by="LkpmEntryRevision.version.desc()", cascade="all, delete-orphan"
    )

    def values(self) -> dict:
        return {name: getattr(self, name) for name in ENTRY_VALUES}

    def __repr__(self) -> str:
        return f"<LkpmEntry {self.id} investor={self.investor_id} {self.period}>"


class LkpmEntryRevision(_EntryValues, db.Model):
    """Values an entry held before a correction replaced them (version ``version``), append-only."""

    __tablename__ = "lkpm_entry_revision"
    __table_args__ = (*_value_checks(), UniqueConstraint("entry_id", "version", name="uq_lkpm_entry_revision_version"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("lkpm_entry.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    written_at: Mapped[datetime]  # when these values were written
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    replaced_by: Mapped[str] = mapped_column(String(120))
    replaced_by_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[LkpmEntry] = relationship(back_populates="revisions")
    import_batch: Mapped[ImportBatch | None] = relationship(foreign_keys=[import_batch_id])


class LkpmFlagKind(LabelledEnum):
    MISSING = "missing"  # no report (or only a draft) the day after the deadline
    SANCTION_RISK = "sanction_risk"  # that many periods in a row missing (setting lkpm.sanction_missed_periods)

    @classmethod
    def _labels(cls) -> dict:
        return {"missing": _l("Report missing"), "sanction_risk": _l("Sanction risk")}

    @property
    def css(self) -> str:
        return "danger" if self is LkpmFlagKind.SANCTION_RISK else "warning"


class LkpmFlag(db.Model):
    """A missing report (one per investor and period) or a run of them (one per investor and the run's first
    period): raised once, confirmed by each scan while it holds, resolved when the reports arrive. Never deleted.
    """

    __tablename__ = "lkpm_flag"
    __table_args__ = (
        UniqueConstraint("investor_id", "kind", "period", name="uq_lkpm_flag_investor_kind_period"),
        Index("ix_lkpm_flag_open", "resolved_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("investor.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[LkpmFlagKind] = mapped_column(str_enum(LkpmFlagKind, 16))
    period: Mapped[str] = mapped_column(String(8))  # the missing period, or the first of the run
    due_on: Mapped[date] = mapped_column(Date)  # that period's deadline
    periods_missed: Mapped[int] = mapped_column(default=1)  # 1, or the run's length when last confirmed
    raised_on: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_confirmed_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)

    investor: Mapped[Investor] = relationship()


class LkpmFlagItem(db.Model):
    """A missing-report flag told to a recipient in a digest: at most once per flag and recipient, as the stall
    flags' ``NotificationItem`` (realisation/notify.py)."""

    __tablename__ = "lkpm_flag_item"
    __table_args__ = (UniqueConstraint("flag_id", "recipient_id", name="uq_lkpm_flag_item_flag_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("lkpm_flag.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
