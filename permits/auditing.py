"""What the audit log keeps of a permit's changes: its record before and after, and each move."""

from __future__ import annotations

from typing import Any

from app.audit import record_change
from app.models import AuditEvent, AuditLog, User
from permits.models import Permit, PermitEvent


def permit_values(permit: Permit) -> dict[str, Any]:
    """The permit's editable record as the audit log keeps it."""
    return {
        "status": permit.status.value,
        "reference_number": permit.reference_number,
        "agency_id": permit.agency_id,
        "agency_override_reason": permit.agency_override_reason,
        "notes": permit.notes,
    }


def _what(permit: Permit) -> str:
    return f"permit {permit.id} ({permit.permit_type.code}, estate {permit.estate_id})"


def audit_permit_change(event: AuditEvent, permit: Permit, actor: User | str | None, before: dict | None) -> AuditLog:
    """Record the permit's creation (``before`` None) or an edit of its record; flushes."""
    return record_change(event, actor, _what(permit), before, permit_values(permit))


def audit_move(permit: Permit, move: PermitEvent) -> AuditLog:
    """Record a move of the stage machine, by the user (or label) its event names; flushes."""
    actor = move.actor_id if move.actor_id is not None else move.actor
    return record_change(
        AuditEvent.PERMIT_MOVED,
        actor,
        _what(permit),
        {"status": move.from_status.value if move.from_status else None},
        {"status": move.to_status.value},
        effective_on=move.effective_on.isoformat(),
        note=move.note,
    )
