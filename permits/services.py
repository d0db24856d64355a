"""The rules of permit records, and the queries behind the permit pages and the dashboard.

Functions take plain arguments (no request objects) so that a later JSON API can call them. They flush,
never commit: the view (or job) commits once. A permit is a record whose status and dates must agree with
each other and with the calendar; its status moves only through the stage machine (``permits.workflow``).

Every read and write takes the caller's ``Scope``: a permit belongs to its estate, so it is visible exactly
when the estate is (``estates.queries.estates_visible_to``). Reads leave out, or 404 on, what lies outside
the scope; writes raise ``NotInScope`` or ``ReadOnlyScope`` (``estates.services``) before writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.errors import found
from app.extensions import db
from app.models import AuditEvent, Region
from app.security import SYSTEM_SCOPE, Scope
from app.statements import kept_statement
from estates.models import Estate
from estates.queries import estates_visible_to, limited_region
from estates.services import check_estate_in_scope
from permits.agency_choice import AgencyChoiceError, change_permit_agency, choose_agency
from permits.auditing import audit_move, audit_permit_change, permit_values
from permits.clock import ClockFields
from permits.models import Permit, PermitEvent, PermitStatus, PermitType
from permits.rules import ClockStart
from permits.stages import AGENCY_STATUSES, REVISING, TERMINAL, TransitionError
from permits.workflow import (
    DECIDING,
    Actor,
    ConcurrentEdit,
    advance_permit,
    record_creation,
    rule_of,
    today_wib,
)

# An application in one of these states has ended: a new one of the same type may follow it.
ENDED_STATUSES = TERMINAL
# Nothing has been decided yet in these states, so a decision date would contradict the status.
UNDECIDED_STATUSES = frozenset({PermitStatus.NOT_STARTED}) | AGENCY_STATUSES | REVISING


class PermitError(Exception):
    """A permit could not be saved. ``errors`` maps a field name to its message; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(*errors)  # the field names; messages are lazy, translated when shown
        self.errors = errors


class InvalidPermitDates(PermitError):
    """The status and the submitted/decided dates contradict each other or lie in the future."""


class DuplicateLiveApplication(PermitError):
    """The estate already has a live application of this permit type."""


class UnknownPermitType(PermitError):
    """The permit type named does not exist in the catalogue."""


def date_problems(
    status: PermitStatus, submitted_on: date | None, decided_on: date | None, today: date | None = None
) -> dict[str, str]:
    """Check a permit's dates against its status and today's date (WIB); return field -> message.

    Rules: no date after today; the decided date is not before the submitted date; a submitted date is
    required for every status except "not started" (and refused for it); a decided date is required for
    the decided statuses (issued, deemed granted, rejected, withdrawn, revoked), refused while nothing has
    been decided (not started, submitted, under review, returned) and optional for "frozen".
    """
    today = today or today_wib()
    problems: dict[str, str] = {}
    if submitted_on and submitted_on > today:
        problems["submitted_on"] = _l("The submitted date cannot be in the future.")
    elif status == PermitStatus.NOT_STARTED and submitted_on:
        problems["submitted_on"] = _l("A permit that has not started has no submitted date; change the status.")
    elif status != PermitStatus.NOT_STARTED and not submitted_on:
        problems["submitted_on"] = _l("Give the date the application was submitted.")

    if decided_on and decided_on > today:
        problems["decided_on"] = _l("The decided date cannot be in the future.")
    elif decided_on and submitted_on and decided_on < submitted_on:
        problems["decided_on"] = _l("The decided date cannot be before the submitted date.")
    elif status.is_decided and not decided_on:
        problems["decided_on"] = _l("Give the date of the decision for this status.")
    elif status in UNDECIDED_STATUSES and decided_on:
        problems["decided_on"] = _l("No decision has been made in this status; leave the decided date empty.")
    return problems


def live_application(
    estate_id: int, permit_type_id: int, status: PermitStatus, exclude_permit_id: int | None = None
) -> Permit | None:
    """The estate's other live application of this type that a ``status`` permit would clash with.

    At most one application per estate and permit type may be live (anything but rejected, withdrawn or
    revoked): a rejected application may be followed by a new one, a pending or issued one may not. A
    permit recorded in an ended status never clashes (an old rejection may be recorded at any time).
    """
    if status in ENDED_STATUSES:
        return None
    query = select(Permit).where(
        Permit.estate_id == estate_id,
        Permit.permit_type_id == permit_type_id,
        Permit.status.not_in(ENDED_STATUSES),
    )
    if exclude_permit_id is not None:
        query = query.where(Permit.id != exclude_permit_id)
    return db.session.scalars(query.order_by(Permit.id).limit(1)).first()


def duplicate_message(other: Permit) -> str:
    return _l(
        "This estate already has a live %(code)s application, with status %(status)s. A new one may follow "
        "only a rejected, withdrawn or revoked application.",
        code=other.permit_type.code,
        status=LazyString(lambda: other.status.label),
    )


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def create_permit(
    estate: Estate,
    permit_type_id: int,
    status: PermitStatus,
    *,
    actor: Actor,
    reference_number: str | None = None,
    submitted_on: date | None = None,
    decided_on: date | None = None,
    agency_id: int | None = None,
    agency_override_reason: str | None = None,
    notes: str | None = None,
    scope: Scope = SYSTEM_SCOPE,
) -> Permit:
    """Record an application of a permit type for an estate, as it stands today; flushes, never commits.

    ``scope`` defaults to the system's (the demo seed and the command line); the views pass the user's, and
    ``ReadOnlyScope`` or ``NotInScope`` is raised for a scope that may not change this estate.

    The permit starts "not started" with a creation event; a later ``status`` is reached through the stage
    machine, move by move on the dates given (``recording_path``), so its history and clock are the same as if
    it had been followed in Pantau from the start. Its agency is the catalogue rule's, or ``agency_id`` with
    ``agency_override_reason`` (``permits.agency_choice``).
    Raises ``UnknownPermitType``, ``InvalidPermitDates`` (see ``date_problems``), ``DuplicateLiveApplication`` or
    ``PermitError`` (another agency without a reason) before writing anything, and ``PermitError`` (field
    "status") when the stage machine refuses a move, e.g. because a prerequisite permit is not issued yet; the
    caller then rolls back.
    """
    check_estate_in_scope(estate, scope)
    ptype = db.session.get(PermitType, permit_type_id)
    if ptype is None:
        raise UnknownPermitType({"permit_type": _l("Choose a permit type from the catalogue.")})
    problems = date_problems(status, submitted_on, decided_on)
    if problems:
        raise InvalidPermitDates(problems)
    other = live_application(estate.id, permit_type_id, status)
    if other is not None:
        raise DuplicateLiveApplication({"permit_type": duplicate_message(other)})
    try:
        agency, override_reason = choose_agency(estate, ptype.id, agency_id, agency_override_reason)
    except AgencyChoiceError as error:
        raise PermitError(error.errors) from error
    permit = Permit(
        estate=estate,
        permit_type=ptype,
        status=PermitStatus.NOT_STARTED,
        reference_number=_clean(reference_number),
        agency=agency,
        agency_override_reason=override_reason,
        notes=_clean(notes),
        **asdict(ClockFields()),  # column defaults only apply at the flush; the clock needs them before
    )
    # The history is built in memory and written in one flush, so that an old rejection recorded beside a
    # live application is never itself live in the database (one live application per estate and type).
    with db.session.no_autoflush:
        db.session.add(permit)
        record_creation(permit, actor=actor, on=submitted_on)
        try:
            start = rule_of(permit, submitted_on).clock_starts_at
            for target, on in recording_path(status, submitted_on, decided_on, start):
                advance_permit(permit, target, actor=actor, on=on, note=RECORDING_NOTE, flush=False)
        except TransitionError as error:
            db.session.expunge(permit)
            raise PermitError({"status": str(error)}) from error
    db.session.flush()
    audit_permit_change(AuditEvent.PERMIT_CREATED, permit, actor, None)
    return permit


RECORDING_NOTE = _l("Recorded in Pantau after the fact, with the dates of the original documents.")


def recording_path(
    status: PermitStatus,
    submitted_on: date | None,
    decided_on: date | None,
    clock_starts_at: ClockStart = ClockStart.SUBMITTED,
) -> list[tuple[PermitStatus, date]]:
    """The moves (status, effective date) that take a new permit from "not started" to ``status``.

    Dates must already satisfy ``date_problems``. The steps before the recorded status are dated on the
    submission date, the only date the record gives; a decision on its decision date; a frozen, revoked or
    cancelled permit passes through "issued" on its decision date. Where the clock starts when the file is
    declared complete (KKPR), a file past submission was declared complete on the day it was submitted.
    """
    if status is PermitStatus.NOT_STARTED or submitted_on is None:
        return []
    steps = [PermitStatus.SUBMITTED]
    if status is not PermitStatus.SUBMITTED and clock_starts_at is ClockStart.DECLARED_COMPLETE:
        steps.append(PermitStatus.DECLARED_COMPLETE)
    steps += [step for step in _RECORDED_VIA.get(status, ()) if step not in steps]
    if status not in steps:
        steps.append(status)
    decided = decided_on or submitted_on
    return [(step, decided if step in DECIDING or step in _AFTER_DECISION else submitted_on) for step in steps]


# The statuses a recorded permit passed through on its way to a later one (besides submitted).
_RECORDED_VIA: dict[PermitStatus, tuple[PermitStatus, ...]] = {
    PermitStatus.FEASIBILITY_TEST: (PermitStatus.UNDER_REVIEW,),
    PermitStatus.RECOMMENDATION: (PermitStatus.UNDER_REVIEW,),
    PermitStatus.REVISION: (PermitStatus.UNDER_REVIEW,),
    PermitStatus.PROCESS_STOPPED: (PermitStatus.UNDER_REVIEW, PermitStatus.REVISION),
    PermitStatus.FROZEN: (PermitStatus.ISSUED,),
    PermitStatus.REVOKED: (PermitStatus.ISSUED,),
    PermitStatus.CANCELLED: (PermitStatus.ISSUED,),
}
_AFTER_DECISION = frozenset({PermitStatus.FROZEN, PermitStatus.REVOKED, PermitStatus.CANCELLED})


def update_permit(
    permit: Permit,
    *,
    reference_number: str | None = None,
    agency_id: int | None = None,
    agency_override_reason: str | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
    scope: Scope,
) -> Permit:
    """Change the permit's record (not its status: that is ``move_permit``); flushes, never commits.

    ``agency_id`` None keeps the rule's agency; another needs ``agency_override_reason`` and is audited
    (``permits.agency_choice.change_permit_agency``). Raises ``ReadOnlyScope`` or ``NotInScope`` for a scope that
    may not change the permit's estate, ``ConcurrentEdit`` when ``expected_version`` is not the permit's version
    (someone saved first), and ``PermitError`` for an agency that cannot be used.
    """
    check_estate_in_scope(permit.estate, scope)
    if expected_version is not None and expected_version != permit.version:
        raise ConcurrentEdit()
    before = permit_values(permit)
    permit.reference_number = _clean(reference_number)
    permit.notes = _clean(notes)
    try:
        change_permit_agency(permit, agency_id, agency_override_reason, user_id=scope.user_id)
        db.session.flush()
        if permit_values(permit) != before:
            audit_permit_change(AuditEvent.PERMIT_EDITED, permit, scope.user_id, before)
    except AgencyChoiceError as error:
        raise PermitError(error.errors) from error
    except StaleDataError as exc:
        raise ConcurrentEdit() from exc
    return permit


def move_permit(
    permit: Permit,
    target: PermitStatus,
    *,
    scope: Scope,
    actor: Actor,
    note: str | None = None,
    on: date | None = None,
    expected_version: int | None = None,
    evidence_fingerprint: str | None = None,
) -> PermitEvent:
    """Record one move of the stage machine for a permit the scope may change (``advance_permit`` does the
    rest; a deemed grant cites ``evidence_fingerprint``). Raises ``ReadOnlyScope`` or ``NotInScope`` first,
    then whatever ``advance_permit`` raises."""
    check_estate_in_scope(permit.estate, scope)
    move = advance_permit(
        permit,
        target,
        actor=actor,
        note=note,
        on=on,
        expected_version=expected_version,
        evidence_fingerprint=evidence_fingerprint,
    )
    audit_move(permit, move)
    return move


# --- reads -----------------------------------------------------------------------------------------------


def catalogue() -> Sequence[PermitType]:
    """Every permit type in the usual order of the chain."""
    return db.session.scalars(select(PermitType).order_by(PermitType.sequence, PermitType.code)).all()


def regions(scope: Scope) -> Sequence[Region]:
    """The kab/kota the scope may filter by: all of Banten, or an officer's own."""
    query = select(Region).order_by(Region.bps_code)
    if (region_id := limited_region(scope)) is not None:
        query = query.where(Region.id == region_id)
    return db.session.scalars(query).all()


def get_permit(permit_id: int, scope: Scope, *also: object, prerequisites: object = None) -> Permit:
    """The permit with its type (and prerequisites), estate, investor and region (and ``also``, ``prerequisites``:
    loader options); 404 when unknown or when its estate is outside the scope (nobody learns that it exists)."""
    query = (
        select(Permit)
        .join(Permit.estate)
        .where(Permit.id == permit_id, estates_visible_to(scope))
        .options(
            prerequisites or joinedload(Permit.permit_type).selectinload(PermitType.prerequisites),
            joinedload(Permit.estate).joinedload(Estate.investor),
            joinedload(Permit.estate).joinedload(Estate.region),
            *also,
        )
    )
    return found(db.session.scalars(query).unique().one_or_none())


def estate_permits(estate_id: int, scope: Scope) -> Sequence[Permit]:
    """The estate's permits in catalogue order, earlier applications of a type first (none for an estate
    outside the scope)."""

    def build() -> Select:  # once per scope (``app.statements``)
        return (
            select(Permit)
            .join(Permit.permit_type)
            .join(Permit.estate)
            .where(Permit.estate_id == bindparam("estate_id"), estates_visible_to(scope))
            .options(contains_eager(Permit.permit_type))
            .order_by(PermitType.sequence, Permit.submitted_on.asc().nulls_first(), Permit.id)
        )

    query = kept_statement("estate-permits", scope, build)
    return db.session.scalars(query, {"estate_id": estate_id}).all()


def prerequisite_permits(estate_id: int, ptype: PermitType) -> dict[int, Permit]:
    """For each prerequisite type of ``ptype``, the estate's latest application of it (absent: none filed)."""
    ids = [p.id for p in ptype.prerequisites]
    if not ids:
        return {}
    query = (
        select(Permit)
        .where(Permit.estate_id == estate_id, Permit.permit_type_id.in_(ids))
        .order_by(Permit.submitted_on.asc().nulls_first(), Permit.id)
    )
    return {p.permit_type_id: p for p in db.session.scalars(query)}  # the later one wins


def permit_history(permit_id: int) -> Sequence[PermitEvent]:
    """Every event of the permit, oldest first (the timeline of the permit page)."""
    query = select(PermitEvent).where(PermitEvent.permit_id == permit_id).order_by(PermitEvent.seq)
    return db.session.scalars(query).all()


def sibling_applications(permit: Permit) -> Sequence[Permit]:
    """The estate's other applications of the same permit type (e.g. the rejected one before this)."""
    query = (
        select(Permit)
        .where(
            Permit.estate_id == permit.estate_id,
            Permit.permit_type_id == permit.permit_type_id,
            Permit.id != permit.id,
        )
        .order_by(Permit.submitted_on.asc().nulls_first(), Permit.id)
    )
    return db.session.scalars(query).all()
