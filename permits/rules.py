"""The law a permit is counted under: regulation regimes, and each permit type's rule under each regime.

A *regime* is a regulation that sets licensing deadlines (PP 5/2021, PP 28/2025, the next one). A permit
belongs to the regime in force on the day it was first filed: the regime whose ``applies_from`` is the latest
on or before that day. PP 28/2025 Pasal 547(a) keeps files already in process under the old rule until the
adjusted OSS operates, and that date is UNCONFIRMED, so ``applies_from`` is data an administrator edits.

A *rule* holds, for one permit type under one regime, the statutory limits (the total and each sub-stage), the
applicant's windows, the number of revision rounds the law allows, and what the law does when the agency or
the applicant stays silent. An unconfirmed rule says so wherever it shows and raises no silence flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import str_enum
from app.enums import LabelledEnum
from app.extensions import db


class AgencySilence(LabelledEnum):
    """What the law does when the agency has not decided within its limit."""

    NONE = "none"  # nothing: the permit waits (escalate)
    DEEMED_GRANTED = "deemed_granted"  # UU 30/2014 Pasal 53 (as amended): granted by law
    ISSUED_BY_OSS = "issued_by_oss"  # PP 28/2025 Pasal 230: OSS issues when the verifier stays silent
    ISSUED_WITHOUT_LAND_CONSIDERATION = "without_land_consideration"  # Pasal 22(3): KKPR without it
    LEVY_SET_AUTOMATICALLY = "levy_set_automatically"  # Pasal 119(3): the PBG levy is set by the system

    @classmethod
    def _labels(cls) -> dict:
        return {
            "none": _l("Nothing automatic: the file waits for the agency"),
            "deemed_granted": _l("Deemed granted by law (UU 30/2014 Pasal 53)"),
            "issued_by_oss": _l("Issued by the OSS system (PP 28/2025 Pasal 230)"),
            "without_land_consideration": _l(
                "Issued without the land technical consideration (PP 28/2025 Pasal 22(3))"
            ),
            "levy_set_automatically": _l("The building levy is set automatically (PP 28/2025 Pasal 119(3))"),
        }

    @property
    def automatic(self) -> bool:
        return self is not AgencySilence.NONE


class ApplicantSilence(LabelledEnum):
    """What the law does when the applicant stays silent past its window."""

    NONE = "none"
    DEEMED_WITHDRAWN = "deemed_withdrawn"  # PP 28/2025 Pasal 19(3)-(6): KKPR fee unpaid after two notices
    REJECTED_AFTER_STOP = "rejected_after_stop"  # Pasal 91: AMDAL stopped, not resumed in 180 days: rejected

    @classmethod
    def _labels(cls) -> dict:
        return {
            "none": _l("Nothing automatic"),
            "deemed_withdrawn": _l("Deemed withdrawn (PP 28/2025 Pasal 19)"),
            "rejected_after_stop": _l("Process stopped, then rejected if not resumed (PP 28/2025 Pasal 91)"),
        }


class ClockStart(LabelledEnum):
    """Where the agency's statutory clock starts."""

    SUBMITTED = "submitted"
    DECLARED_COMPLETE = "declared_complete"  # KKPR: once the fee is paid and the file declared correct (20(2))

    @classmethod
    def _labels(cls) -> dict:
        return {
            "submitted": _l("When the file is submitted"),
            "declared_complete": _l("When the file is declared complete (the fee paid)"),
        }


class Regime(db.Model):
    """A regulation that sets licensing deadlines, and the first filing day it governs."""

    __tablename__ = "regime"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))  # as cited: "PP 28/2025"
    applies_from: Mapped[date] = mapped_column(Date, unique=True)
    applies_from_confirmed: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Regime {self.code} from {self.applies_from}>"


class PermitRule(db.Model):
    """One permit type under one regime: its limits, windows, rounds and silence outcomes (working days, HK)."""

    __tablename__ = "permit_rule"
    __table_args__ = (
        UniqueConstraint("permit_type_id", "regime_id", name="uq_permit_rule_type_regime"),
        CheckConstraint("sla_working_days >= 0", name="sla_nonneg"),
        CheckConstraint("max_revision_rounds IS NULL OR max_revision_rounds >= 1", name="rounds_pos"),
        CheckConstraint("applicant_silence_days IS NULL OR applicant_silence_days >= 1", name="silence_pos"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_type_id: Mapped[int] = mapped_column(ForeignKey("permit_type.id", ondelete="CASCADE"))
    regime_id: Mapped[int] = mapped_column(ForeignKey("regime.id", ondelete="RESTRICT"), index=True)
    sla_working_days: Mapped[int]  # the agency's whole time, applicant time excluded
    clock_starts_at: Mapped[ClockStart] = mapped_column(str_enum(ClockStart, 24), default=ClockStart.SUBMITTED)
    check_working_days: Mapped[int | None]  # administrative check
    review_working_days: Mapped[int | None]  # substantive review (assessment, feasibility test)
    decision_working_days: Mapped[int | None]  # recommendation to decree
    fix_working_days: Mapped[int | None]  # the applicant's administrative fix (returned)
    revision_working_days: Mapped[int | None]  # the applicant's substantive revision (perbaikan)
    max_revision_rounds: Mapped[int | None]
    agency_silence: Mapped[AgencySilence] = mapped_column(str_enum(AgencySilence, 32), default=AgencySilence.NONE)
    applicant_silence: Mapped[ApplicantSilence] = mapped_column(
        str_enum(ApplicantSilence, 32), default=ApplicantSilence.NONE
    )
    applicant_silence_days: Mapped[int | None]  # calendar days
    legal_basis: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(default=False)
    note_id: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)

    regime: Mapped[Regime] = relationship(lazy="joined")

    def note(self, locale: str) -> str | None:
        return self.note_en if locale == "en" else self.note_id

    @property
    def flags_silence(self) -> bool:
        """Whether the scan may raise a silence flag: an automatic outcome on a confirmed limit only."""
        return self.confirmed and self.agency_silence.automatic

    def __repr__(self) -> str:
        return f"<PermitRule type={self.permit_type_id} regime={self.regime_id}>"


@dataclass(frozen=True, kw_only=True)
class RuleFields:
    """Everything an administrator may change on a rule (the type and the regime are fixed)."""

    sla_working_days: int | None
    clock_starts_at: ClockStart
    check_working_days: int | None
    review_working_days: int | None
    decision_working_days: int | None
    fix_working_days: int | None
    revision_working_days: int | None
    max_revision_rounds: int | None
    agency_silence: AgencySilence
    applicant_silence: ApplicantSilence
    applicant_silence_days: int | None
    legal_basis: str
    confirmed: bool
    note_id: str | None
    note_en: str | None
