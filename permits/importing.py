"""Importing permits from an OSS export (CSV or XLSX) through ``app.imports``: checked whole, all or nothing,
idempotent.

Columns (the import page offers a template; the README documents them): ``nib`` (the investor's 13 digits),
``kode_izin`` (the catalogue code: NIB, KKPR, PERTEK, AMDAL, IUKI, PBG, SLF), ``nomor_referensi`` (the number OSS
gives the application), ``status`` (the OSS word: Diajukan, Dinyatakan Lengkap, Penilaian, Diterbitkan, Ditolak...,
or Pantau's own value), ``tanggal_pengajuan`` (submitted, ``YYYY-MM-DD``), and optionally ``tanggal_keputusan``
(decided).

Rows are matched by reference number. A known permit in another status is moved by the stage machine, one move
per row (from "submitted" straight to "issued", not from "submitted" to "verified" and back); one in the same
status is left alone, so the same file twice changes nothing. An unknown reference number is the investor's one
live application of that type recorded without a number (it gets the number, and the move), or else a new permit
on the investor's only estate. Every move and every new permit writes permit events attributed to the importing
user and citing the import batch (its file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.errors import ReadOnlyScope
from app.extensions import db
from app.imports import Action, CellError, Columns, ImportRefused, Row, RowErrors, read_iso_date
from app.input_policy import CONTROL
from app.models import AuditEvent, ImportBatch, User
from app.security import Scope
from app.timezone import today_wib
from estates.models import Estate, Investor
from estates.queries import can_see_estate, investor_estates
from permits.auditing import audit_permit_change, permit_values
from permits.models import Permit, PermitStatus, PermitType
from permits.services import ENDED_STATUSES, PermitError, catalogue, create_permit, date_problems, move_permit
from permits.stages import TransitionError, check_move
from permits.workflow import IMPORT_BATCH, PrerequisitesMissing, last_event_date, missing_prerequisites

S = PermitStatus
COLUMNS = Columns(
    required=("nib", "kode_izin", "nomor_referensi", "status", "tanggal_pengajuan"),
    optional=("tanggal_keputusan",),
)
DATE_COLUMNS = {"submitted_on": "tanggal_pengajuan", "decided_on": "tanggal_keputusan"}
OSS_WORDS = {
    "belum diajukan": S.NOT_STARTED,
    "diajukan": S.SUBMITTED,
    "dinyatakan lengkap": S.DECLARED_COMPLETE,
    "penilaian": S.UNDER_REVIEW,
    "uji kelayakan": S.FEASIBILITY_TEST,
    "rekomendasi": S.RECOMMENDATION,
    "dikembalikan": S.RETURNED,
    "perbaikan": S.REVISION,
    "penghentian proses": S.PROCESS_STOPPED,
    "diterbitkan": S.ISSUED,
    "terverifikasi": S.VERIFIED,
    "dianggap dikabulkan": S.DEEMED_GRANTED,
    "ditolak": S.REJECTED,
    "ditarik kembali": S.WITHDRAWN,
    "dianggap ditarik kembali": S.DEEMED_WITHDRAWN,
    "dibatalkan": S.CANCELLED,
    "dibekukan": S.FROZEN,
    "dicabut": S.REVOKED,
}
EXAMPLES = (
    ("9120001234567", "KKPR", "KKPR-2026-000123", "Diajukan", "2026-03-02", ""),
    ("9120001234567", "NIB", "9120001234567", "Diterbitkan", "2026-01-05", "2026-01-05"),
)


# Every accepted spelling, lower case with single spaces: the OSS words and Pantau's own values.
STATUS_WORDS = {**{status.value.replace("_", " "): status for status in PermitStatus}, **OSS_WORDS}


def status_of(text: str) -> PermitStatus:
    """The OSS status word (``Dinyatakan Lengkap``) or Pantau's value (``declared_complete``), in any case."""
    status = STATUS_WORDS.get(" ".join(text.replace("_", " ").lower().split()))
    if status is None:
        words = "Diajukan, Dinyatakan Lengkap, Penilaian, Dikembalikan, Diterbitkan, Ditolak"
        raise CellError(_("Unknown status: write the OSS word, e.g. %(words)s.", words=words))
    return status


@dataclass(frozen=True)
class PermitPlan:
    action: Action
    row: int
    reference: str
    permit_type: PermitType
    status: PermitStatus
    submitted_on: date | None
    decided_on: date | None
    permit: Permit | None = None  # the known permit (None: a new one on ``estate``)
    estate: Estate | None = None
    on: date | None = None  # the day of the move


class PermitImporter:
    """``app.imports.Importer`` for OSS permit exports, on behalf of ``scope`` (an officer of one kab/kota imports
    the permits of estates there only)."""

    kind = "oss_permits"
    columns = COLUMNS

    def __init__(self, scope: Scope) -> None:
        if not scope.can_edit:
            raise ReadOnlyScope
        self.scope = scope

    # --- checking --------------------------------------------------------------------------------------

    def check(self, rows: Sequence[Row], errors: RowErrors) -> list[PermitPlan]:
        nibs = {_digits(row.get("nib")) for row in rows}
        investors = {i.nib: i for i in db.session.scalars(select(Investor).where(Investor.nib.in_(nibs)))}
        types = {t.code: t for t in catalogue()}
        refs = {row.get("nomor_referensi") for row in rows}
        query = select(Permit).where(Permit.reference_number.in_(refs)).options(joinedload(Permit.estate))
        known = {p.reference_number: p for p in db.session.scalars(query)}
        today = today_wib()
        seen: dict[str, int] = {}
        plans = []
        for row in rows:
            before = errors.count
            plan = self._check_row(row, errors, investors, types, known, today)
            reference = row.get("nomor_referensi")
            if reference in seen:
                errors.add(row, "nomor_referensi", _("The same reference number as row %(row)s.", row=seen[reference]))
            seen.setdefault(reference, row.number)
            if plan is not None and errors.count == before:
                plans.append(plan)
        return plans

    def _check_row(self, row: Row, errors: RowErrors, investors, types, known, today: date) -> PermitPlan | None:
        before = errors.count
        nib = _digits(row.get("nib"))
        investor = investors.get(nib)
        if len(nib) != 13:
            errors.add(row, "nib", _("An NIB has 13 digits."))
        elif investor is None:
            errors.add(row, "nib", _("No investor with this NIB in Pantau: record the investor first."))
        ptype = types.get(row.get("kode_izin").upper())
        if ptype is None:
            codes = ", ".join(types)
            errors.add(row, "kode_izin", _("Unknown permit code: write one of %(codes)s.", codes=codes))
        reference = row.get("nomor_referensi")
        if not reference or len(reference) > 100 or CONTROL.search(reference):
            errors.add(row, "nomor_referensi", _("Give the reference number (at most 100 characters)."))
        values = self._values(row, errors, today)
        if errors.count > before or values is None:
            return None
        plan = PermitPlan(Action.CREATE, row.number, reference, ptype, *values)
        permit = known.get(reference) or self._unnumbered(investor, ptype)
        if permit is None:
            return self._new_permit(row, errors, plan, investor)
        return self._known_permit(row, errors, plan, permit, investor, today)

    def _values(self, row: Row, errors: RowErrors, today: date) -> tuple | None:
        """The status and the dates of the row (None, with the errors added, when one is wrong)."""
        before = errors.count
        status = None
        dates: dict[str, date | None] = {"tanggal_pengajuan": None, "tanggal_keputusan": None}
        try:
            status = status_of(row.get("status"))
        except CellError as error:
            errors.add(row, "status", str(error))
        for column in dates:
            if row.get(column):
                try:
                    dates[column] = read_iso_date(row.get(column))
                except CellError as error:
                    errors.add(row, column, str(error))
        if errors.count > before or status is None:
            return None
        submitted, decided = dates["tanggal_pengajuan"], dates["tanggal_keputusan"]
        for field, message in date_problems(status, submitted, decided, today).items():
            errors.add(row, DATE_COLUMNS[field], str(message))
        return None if errors.count > before else (status, submitted, decided)

    def _unnumbered(self, investor: Investor, ptype: PermitType) -> Permit | None:
        """The investor's one live application of this type recorded without a reference number, if only one."""
        query = (
            select(Permit)
            .join(Permit.estate)
            .where(
                Estate.investor_id == investor.id,
                Permit.permit_type_id == ptype.id,
                Permit.reference_number.is_(None),
                Permit.status.not_in(ENDED_STATUSES),
            )
        )
        found = db.session.scalars(query.limit(2)).all()
        return found[0] if len(found) == 1 else None

    def _new_permit(self, row: Row, errors: RowErrors, plan: PermitPlan, investor: Investor) -> PermitPlan | None:
        estates = investor_estates(investor, self.scope)
        if len(estates) != 1:
            errors.add(
                row,
                "nomor_referensi",
                _(
                    "Pantau cannot tell which estate this permit belongs to (the investor has %(num)s estates you "
                    "may change): record it on the estate's page with this reference number, then import again.",
                    num=len(estates),
                ),
            )
            return None
        return replace(plan, **{"estate": estates[0]})

    def _known_permit(self, row, errors, plan: PermitPlan, permit: Permit, investor, today) -> PermitPlan | None:
        if permit.permit_type_id != plan.permit_type.id or permit.estate.investor_id != investor.id:
            errors.add(row, "nomor_referensi", _("This reference number belongs to another permit in Pantau."))
            return None
        if not can_see_estate(permit.estate, self.scope):
            errors.add(row, "nomor_referensi", _("This permit is outside the kabupaten/kota you may change."))
            return None
        action = Action.UPDATE if permit.reference_number != plan.reference else Action.UNCHANGED
        if permit.status is plan.status:
            return replace(plan, **{"action": action, "permit": permit})
        source, target = permit.status, plan.status
        on = plan.decided_on if target.is_decided and plan.decided_on else today
        if source is S.NOT_STARTED and target is S.SUBMITTED:
            on = plan.submitted_on or today
        message = None
        try:
            check_move(source, target, "import")
        except TransitionError as error:
            message = _("%(refusal)s Import the moves one status at a time.", refusal=str(error))
        if target is S.DEEMED_GRANTED:
            message = _("A deemed grant is recorded on the permit's page, with the evidence of its clock.")
        last = last_event_date(permit)
        if message is None and last is not None and on < last:
            message = _("The date cannot be before the previous move (%(day)s).", day=last.isoformat())
        if message is None and source is S.NOT_STARTED and (missing := missing_prerequisites(permit)):
            message = str(PrerequisitesMissing(missing))
        if message is not None:
            errors.add(row, "status", message)
            return None
        return replace(plan, **{"action": Action.UPDATE, "permit": permit, "on": on})

    # --- applying --------------------------------------------------------------------------------------

    def apply(self, plans: Sequence[PermitPlan], batch: ImportBatch) -> None:
        """Write the plans; a refusal the check could not foresee refuses the whole file (nothing is kept)."""
        user = db.session.get(User, batch.imported_by_id) if batch.imported_by_id else None
        actor = user or batch.imported_by
        note = _("OSS import: %(file)s", file=batch.filename)
        db.session.info[IMPORT_BATCH] = batch.id
        try:
            for plan in plans:
                try:
                    self._apply(plan, actor, note)
                except (TransitionError, PermitError) as error:
                    detail = (
                        str(error) if isinstance(error, TransitionError) else " ".join(map(str, error.errors.values()))
                    )
                    raise ImportRefused(
                        _("Row %(row)s: %(message)s Nothing was imported.", row=plan.row, message=detail)
                    ) from error
        finally:
            db.session.info.pop(IMPORT_BATCH, None)

    def _apply(self, plan: PermitPlan, actor: User | str, note: str) -> None:
        if plan.permit is None:
            create_permit(
                plan.estate,
                plan.permit_type.id,
                plan.status,
                actor=actor,
                reference_number=plan.reference,
                submitted_on=plan.submitted_on,
                decided_on=plan.decided_on,
                scope=self.scope,
            )
            return
        permit = plan.permit
        if permit.reference_number != plan.reference:
            before = permit_values(permit)
            permit.reference_number = plan.reference
            audit_permit_change(AuditEvent.PERMIT_EDITED, permit, actor, before)
        if permit.status is not plan.status:
            move_permit(permit, plan.status, scope=self.scope, actor=actor, note=note, on=plan.on)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit()) if text else ""
