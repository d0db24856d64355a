"""Permits through the API: the list with the pages' filters, each permit with its clock, its history, and the
writes of officers (record, edit, move).

``POST /permits/{id}/transitions`` moves a permit through the stage machine with the version the caller saw: a
stale version answers 409, a move the law or the table refuses 422 with ``reason`` (``not_allowed_from_status``,
``note_required``, ``missing_prerequisite``, ``invalid_date``, ``not_deemed_granted``, ``too_many_revisions``),
and nothing changes after either.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user

from api.core import ID, PageArgs, blueprint, page_schema, paged, scope, sort_arg, sort_of
from api.schemas import PermitEventSchema, PermitIn, PermitSchema, PermitUpdateIn, TransitionIn
from app.errors import found, problem
from app.security import EDITORS, role_required
from app.transactions import refusal
from estates.queries import get_estate
from permits import reading, services
from permits.clock import Band
from permits.models import Permit, PermitStatus
from permits.queries import SORTS, PermitFilters
from permits.stages import ForbiddenTransition, NoteRequired, TransitionError
from permits.stalls.evidence import evidence_for
from permits.workflow import (
    ConcurrentEdit,
    InvalidMoveDate,
    NotDeemedGranted,
    PrerequisitesMissing,
    TooManyRevisions,
)

bp = blueprint("permits", "Permits with their statutory clock, their history and their moves")

REASONS = (
    (ForbiddenTransition, "not_allowed_from_status"),
    (NoteRequired, "note_required"),
    (PrerequisitesMissing, "missing_prerequisite"),
    (InvalidMoveDate, "invalid_date"),
    (NotDeemedGranted, "not_deemed_granted"),
    (TooManyRevisions, "too_many_revisions"),
)


class PermitArgs(PageArgs):
    status = ma.fields.Enum(PermitStatus, by_value=True, load_default=None)
    permit_type = ma.fields.String(load_default=None, validate=ma.validate.Length(max=16))
    agency_id = ma.fields.Integer(load_default=None, validate=ID, metadata={"description": "the issuing authority"})
    region = ma.fields.String(
        load_default=None, validate=ma.validate.Regexp(r"^\d\d\.\d\d\Z"), metadata={"description": "BPS code"}
    )
    band = ma.fields.Enum(Band, by_value=True, load_default=None)
    investor_id = ma.fields.Integer(load_default=None, validate=ID)
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100))
    sort = sort_arg(SORTS, None)


def permit_out(facts: reading.PermitFacts) -> dict:
    permit, clock = facts.permit, facts.clock
    return {
        "id": permit.id,
        "estate_id": permit.estate_id,
        "investor_id": permit.estate.investor_id,
        "permit_type": permit.permit_type.code,
        "status": permit.status,
        "reference_number": permit.reference_number,
        "submitted_on": permit.submitted_on,
        "decided_on": permit.decided_on,
        "version": permit.version,
        "agency": permit.agency,
        "legal_basis": facts.legal_basis,
        "regulation": facts.regulation,
        "notes": permit.notes,
        "clock": {
            "holder": clock.holder,
            "band": clock.band,
            "sub_stage": facts.sub_stage,
            "sla_working_days": clock.sla_working_days,
            "working_days_used": clock.agency_days_used,
            "working_days_left": clock.agency_days_left,
            "days_overdue": clock.days_overdue,
            "due_on": clock.due_on,
            "investor_due_on": clock.investor_due_on,
            "clock_stops": clock.clock_stops,
            "revision_rounds": clock.revision_rounds,
            "confirmed": clock.confirmed,
        },
    }


def _one(permit: Permit) -> dict:
    return permit_out(reading.permit_facts([permit])[0])


@bp.get("/permits")
@bp.arguments(PermitArgs, location="query")
@bp.response(200, page_schema(PermitSchema, "PermitPage"))
def permit_list(args: dict):
    """Permits the token may see, filtered like the permits page, the longest overdue first unless ``sort``."""
    filters = PermitFilters(
        status=args["status"],
        permit_type_code=args["permit_type"],
        agency_id=args["agency_id"],
        region_code=args["region"],
        band=args["band"],
        q=(args["q"] or "").strip() or None,
        sort=sort_of(SORTS, args),
    )
    query = reading.permits_query(filters, scope(), args["investor_id"])
    count = reading.permits_count(filters, scope(), args["investor_id"])
    return paged(query, args, lambda permits: [permit_out(f) for f in reading.permit_facts(permits)], count)


@bp.get("/permits/<int:permit_id>")
@bp.response(200, PermitSchema)
def permit_detail(permit_id: int):
    """One permit with its clock: status, sub-stage, due date, working days used and left, band, whose move."""
    return _one(services.get_permit(permit_id, scope()))


@bp.get("/permits/<int:permit_id>/events")
@bp.response(200, PermitEventSchema(many=True))
def permit_events(permit_id: int):
    """The permit's history, oldest first (append-only)."""
    permit = services.get_permit(permit_id, scope())
    return services.permit_history(permit.id)


def _permit_refused(error: services.PermitError):
    errors = {field: [str(message)] for field, message in error.errors.items()}
    return problem(422, _("Refused"), " ".join(str(m) for m in error.errors.values()), errors=errors)


bp.register_error_handler(services.PermitError, _permit_refused)


@bp.post("/permits")
@role_required(*EDITORS)
@bp.arguments(PermitIn)
@bp.response(201, PermitSchema)
def permit_create(data: dict):
    """Record a permit as it stands (a later status is reached move by move on the dates given)."""
    estate = found(get_estate(data["estate_id"], scope()))
    type_id = next((t.id for t in services.catalogue() if t.code == data["permit_type"]), None)
    if type_id is None:
        raise services.UnknownPermitType({"permit_type": _("Choose a permit type from the catalogue.")})
    permit = services.create_permit(
        estate,
        type_id,
        data["status"],
        actor=current_user._get_current_object(),
        reference_number=data["reference_number"],
        submitted_on=data["submitted_on"],
        decided_on=data["decided_on"],
        agency_id=data["agency_id"],
        agency_override_reason=data["agency_override_reason"],
        notes=data["notes"],
        scope=scope(),
    )
    return _one(permit)


@bp.patch("/permits/<int:permit_id>")
@role_required(*EDITORS)
@bp.arguments(PermitUpdateIn)
@bp.response(200, PermitSchema)
def permit_update(data: dict, permit_id: int):
    """Change the permit's record (not its status), with the version you saw (409 when stale)."""
    permit = services.get_permit(permit_id, scope())
    with refusal(ConcurrentEdit) as refused:
        services.update_permit(
            permit,
            reference_number=data["reference_number"],
            agency_id=data["agency_id"],
            agency_override_reason=data["agency_override_reason"],
            notes=data["notes"],
            expected_version=data["version"],
            scope=scope(),
        )
    if refused:
        return problem(409, _("Changed by someone else"), str(refused.error))
    return _one(permit)


@bp.post("/permits/<int:permit_id>/transitions")
@role_required(*EDITORS)
@bp.arguments(TransitionIn)
@bp.response(201, PermitSchema)
@bp.alt_response(409, description="The version is stale: someone changed the permit first. Nothing changed.")
@bp.alt_response(422, description="The move is refused (see reason). Nothing changed.")
def permit_transition(data: dict, permit_id: int):
    """Move the permit to ``status`` with a note, as of ``effective_on``, based on the ``version`` you saw."""
    permit = services.get_permit(permit_id, scope())
    target = data["status"]
    with refusal(TransitionError) as refused:
        services.move_permit(
            permit,
            target,
            scope=scope(),
            actor=current_user._get_current_object(),
            note=data["note"],
            on=data["effective_on"],
            expected_version=data["version"],
            evidence_fingerprint=evidence_for(permit, target, data["effective_on"]),
        )
    if isinstance(refused.error, ConcurrentEdit):
        return problem(409, _("Changed by someone else"), str(refused.error))
    if refused:
        reason = next((code for kind, code in REASONS if isinstance(refused.error, kind)), "refused")
        return problem(422, _("Move refused"), str(refused.error), reason=reason)
    return _one(services.get_permit(permit_id, scope()))
