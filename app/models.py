"""The shell's own tables: regions, settings, users and their audit log, scheduler runs and leases, import batches.

Every domain package builds on ``app.database`` (base and column types) and ``app.extensions.db``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import TimestampMixin, str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db


class RegionKind(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


class Region(db.Model):
    """A kabupaten or kota of Banten, with its BPS code (loaded by a data migration)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    bps_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[RegionKind] = mapped_column(str_enum(RegionKind, 16))

    def __repr__(self) -> str:
        return f"<Region {self.bps_code} {self.name}>"


class Setting(db.Model):
    """A figure an administrator may change without a release, with where it comes from.

    Legal figures that DOMAIN.md marks UNCONFIRMED live here, never as constants in code.
    """

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


class Role(LabelledEnum):
    """What a user may do (DOMAIN.md section 1)."""

    ADMINISTRATOR = "administrator"  # users, the permit catalogue, closure dates, settings
    OFFICER = "officer"  # DPMPTSP: records and moves investors, estates, zones, permits
    INVESTOR = "investor"  # sees only its own investor's records; answers returns for revision
    GOVERNOR = "governor"  # the governor's office: reads everything, changes nothing

    @classmethod
    def _labels(cls) -> dict:
        return {
            "administrator": _l("Administrator"),
            "officer": _l("DPMPTSP officer"),
            "investor": _l("Investor"),
            "governor": _l("Governor's office"),
        }


class User(UserMixin, TimestampMixin, db.Model):
    """A person who signs in. An investor user belongs to one Investor; an officer may be scoped to a region.

    ``session_version`` is part of the session cookie's user id: bumping it (logout, password change)
    invalidates every session of the user, on every device.
    """

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role <> 'investor' OR investor_id IS NOT NULL", name="investor_has_investor"),
        CheckConstraint("role = 'investor' OR investor_id IS NULL", name="only_investors_have_investor"),
        CheckConstraint("role = 'officer' OR region_id IS NULL", name="only_officers_have_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    investor_id: Mapped[int | None] = mapped_column(ForeignKey("investor.id", ondelete="RESTRICT"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    region: Mapped[Region | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The id kept in the session cookie; it changes when the user's sessions are invalidated."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class AuditEvent(LabelledEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    ACCESS_DENIED = "access_denied"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name, not a password
    USER_CREATED = "user_created"
    AGENCY_CHANGED = "agency_changed"  # an agency's names or contact, or a rule of the catalogue
    PERMIT_AGENCY_CHANGED = "permit_agency_changed"  # an officer chose a permit's agency (with a reason)
    PERMIT_CREATED = "permit_created"
    PERMIT_EDITED = "permit_edited"
    PERMIT_MOVED = "permit_moved"
    CLOSURE_CHANGED = "closure_changed"
    SETTING_CHANGED = "setting_changed"
    CATALOGUE_CHANGED = "catalogue_changed"  # a permit type or its rule under a regime
    DOCUMENT_UPLOADED = "document_uploaded"
    DOCUMENT_DOWNLOADED = "document_downloaded"
    EXPORTED = "exported"  # a CSV export of a list or of the figures
    API_TOKEN_CREATED = "api_token_created"  # noqa: S105 - an event name
    API_TOKEN_REVOKED = "api_token_revoked"  # noqa: S105 - an event name

    @classmethod
    def _labels(cls) -> dict:
        return {
            "login": _l("Signed in"),
            "logout": _l("Signed out"),
            "login_failed": _l("Failed sign-in"),
            "lockout": _l("Account locked"),
            "access_denied": _l("Access refused"),
            "password_changed": _l("Password changed or reset"),
            "user_created": _l("Account created or changed"),
            "agency_changed": _l("Agency or agency rule changed"),
            "permit_agency_changed": _l("Permit's agency changed"),
            "permit_created": _l("Permit recorded"),
            "permit_edited": _l("Permit edited"),
            "permit_moved": _l("Permit moved"),
            "closure_changed": _l("Closure date changed"),
            "setting_changed": _l("Setting changed"),
            "catalogue_changed": _l("Catalogue changed"),
            "document_uploaded": _l("Document uploaded"),
            "document_downloaded": _l("Document downloaded"),
            "exported": _l("List exported"),
            "api_token_created": _l("API token created"),
            "api_token_revoked": _l("API token revoked"),
        }


class AuditLog(db.Model):
    """Security events, append-only, for an administrator to read."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_user_event_at", "user_id", "event", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(), index=True)
    event: Mapped[AuditEvent] = mapped_column(str_enum(AuditEvent, 24))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))  # as typed, for failed logins of unknown accounts
    ip: Mapped[str | None] = mapped_column(String(45))
    path: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(Text)


class JobRun(db.Model):
    """One run of a scheduled job (or of its command): when, how it ended, what it counted."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_started_at", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    succeeded: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    counts: Mapped[str | None] = mapped_column(Text)  # JSON object of what the job counted
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(120))  # which scheduler process ran it
    fencing_token: Mapped[int | None]  # the leadership it ran under (None: a command, outside the scheduler)


class SchedulerLease(db.Model):
    """Leadership of the scheduler on databases without advisory locks (SQLite): one row per lock name.

    The holder renews ``expires_at`` while it lives; a standby takes the lease over once it has expired.
    ``token`` grows by one each time the leadership changes hands: the fencing token a job run is made under.
    """

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]
    token: Mapped[int] = mapped_column(default=1, server_default="1")


class ImportBatch(db.Model):
    """One applied import of a file (``app.imports``): what it was, who sent it and when, and what it changed.

    Rows written by an import point to their batch, so every figure can be traced to the file it came from.
    A refused file, a dry run or a file that changes nothing leaves no batch: it changed nothing.
    """

    __tablename__ = "import_batch"
    __table_args__ = (Index("ix_import_batch_kind_at", "kind", "imported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # what the rows are: "lkpm", "layoffs", ...
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    rows: Mapped[int]
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    imported_by: Mapped[str] = mapped_column(String(120))  # the name, kept if the account goes
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class DataVersion(db.Model):
    """The register's version (``app.fragments``): one row, whose ``stamp`` changes in the same transaction as
    every committed write, so that a worker's cached figures are known stale by one indexed read."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0, server_default="0")  # writes committed (for people)
    stamp: Mapped[str] = mapped_column(String(32), default="", server_default="")  # random, new at each one
