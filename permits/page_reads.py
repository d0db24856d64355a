"""What the permit page reads, in fewer statements (issue 13): the permit with its agency (and the agency's
kab/kota) and its type's rules and prerequisites loaded by one statement, instead of lazily by the template or by
statements of their own; and the estate's applications of the prerequisite types and of the permit's own type
in one query instead of two."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.security import Scope
from permits import services
from permits.agencies.models import Agency
from permits.models import Permit, PermitType


def permit_for_page(permit_id: int, scope: Scope) -> Permit:
    """``services.get_permit`` with the permit's agency and its kab/kota, and its type's rules and prerequisites,
    loaded by the same statement (404 outside the scope)."""
    ptype = joinedload(Permit.permit_type)
    return services.get_permit(
        permit_id,
        scope,
        joinedload(Permit.agency).joinedload(Agency.region),
        ptype.joinedload(PermitType.rules),
        prerequisites=ptype.joinedload(PermitType.prerequisites),
    )


def related_applications(permit: Permit) -> tuple[dict[int, Permit], Sequence[Permit]]:
    """``services.prerequisite_permits`` and ``services.sibling_applications`` of the permit, by one query: for
    each prerequisite type, the estate's latest application of it; and the estate's other applications of the
    permit's type, earliest first."""
    wanted = {p.id for p in permit.permit_type.prerequisites}
    query = (
        select(Permit)
        .where(Permit.estate_id == permit.estate_id, Permit.permit_type_id.in_([*wanted, permit.permit_type_id]))
        .order_by(Permit.submitted_on.asc().nulls_first(), Permit.id)
    )
    found = db.session.scalars(query).all()
    prerequisites = {p.permit_type_id: p for p in found if p.permit_type_id in wanted}  # the later one wins
    siblings = [p for p in found if p.permit_type_id == permit.permit_type_id and p.id != permit.id]
    return prerequisites, siblings
