"""Which agency holds a permit: the one the catalogue's rule resolves, or an officer's choice with a reason.

A permit's agency is resolved when it is recorded, from the investor's capital status, the estate's kab/kota and
the permit type (``permits.agencies.services``). An officer may name another agency, and must then say why; the
reason is kept on the permit (``agency_override_reason``) and the change is written to the audit log. The
permit's history (``PermitEvent``) stays the stage machine's own: choosing an agency is not a move.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.audit import record
from app.extensions import db
from app.models import AuditEvent
from estates.models import Estate
from permits.agencies.models import Agency
from permits.agencies.services import resolve_agency
from permits.models import Permit

MAX_REASON = 2000


class AgencyChoiceError(ValueError):
    """The agency chosen cannot be used; ``errors`` maps a form field to its message. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(*errors)
        self.errors = errors


def rule_agency(estate: Estate, permit_type_id: int) -> Agency | None:
    """The agency the catalogue's rule gives a permit of this type for this estate (None: no rule fits)."""
    return resolve_agency(permit_type_id, estate.investor.capital_status, estate.region_id)


def choose_agency(
    estate: Estate, permit_type_id: int, agency_id: int | None, reason: str | None
) -> tuple[Agency | None, str | None]:
    """The agency and the override reason a permit gets: the rule's agency (no reason) when ``agency_id`` is
    None or the rule's own; another agency with ``reason``, required. Raises ``AgencyChoiceError`` for an
    unknown agency or a missing or overlong reason."""
    resolved = rule_agency(estate, permit_type_id)
    if agency_id is None or (resolved is not None and agency_id == resolved.id):
        return resolved, None
    chosen = db.session.get(Agency, agency_id)
    if chosen is None:
        raise AgencyChoiceError({"agency": _l("Choose an agency from the list.")})
    reason = (reason or "").strip()
    if not reason:
        raise AgencyChoiceError(
            {"agency_override_reason": _l("Say why this permit goes to another agency than the rule's.")}
        )
    if len(reason) > MAX_REASON:
        raise AgencyChoiceError({"agency_override_reason": _l("Use at most %(num)d characters.", num=MAX_REASON)})
    return chosen, reason


def change_permit_agency(permit: Permit, agency_id: int | None, reason: str | None, *, user_id: int | None) -> bool:
    """Give a recorded permit the agency an officer chose (``choose_agency``'s rules); True when the agency or
    the reason changed, which is written to the audit log with both agencies and the reason.

    ``agency_id`` None, or the permit's own agency with its reason unchanged, keeps everything as it is (even
    when the rule has changed since: a permit keeps the agency it was given until an officer changes it).
    """
    if agency_id is None or (agency_id == permit.agency_id and _same(reason, permit.agency_override_reason)):
        return False
    agency, reason = choose_agency(permit.estate, permit.permit_type_id, agency_id, reason)
    before = permit.agency
    if (before, permit.agency_override_reason) == (agency, reason):
        return False
    permit.agency, permit.agency_override_reason = agency, reason
    old = before.code if before is not None else (permit.issuing_authority or "none")
    new = agency.code if agency is not None else "none"
    detail = f"permit {permit.id} ({permit.permit_type.code}): agency {old} -> {new}"
    record(AuditEvent.PERMIT_AGENCY_CHANGED, user_id=user_id, detail=f"{detail}; reason: {reason or 'the rule'}")
    return True


def _same(reason: str | None, kept: str | None) -> bool:
    return ((reason or "").strip() or None) == kept
