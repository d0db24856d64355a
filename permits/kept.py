"""Figures kept on the permit with its events, recomputed from the events: after a bulk load (``devtools.synth``
writes permits and events without ``permits.workflow``) and to check that the kept values equal a recount.

``Permit.answered``: the last event moved the file from the investor (returned, revision, process stopped) to a
status where the agency holds it, the dashboard's and the permits list's "answers arrived".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, select, update

from app.extensions import db
from permits.models import Permit, PermitEvent
from permits.stages import AGENCY_STATUSES, REVISING


def answered_from_events() -> ColumnElement[bool]:
    """SQL for "answered", recounted from the permit's last event (what ``Permit.answered`` must equal)."""
    last_from_investor = (
        select(PermitEvent.id)
        .where(
            PermitEvent.permit_id == Permit.id,
            PermitEvent.seq == Permit.last_event_seq,
            PermitEvent.from_status.in_(REVISING),
        )
        .exists()
    )
    return and_(Permit.status.in_(AGENCY_STATUSES), last_from_investor)


def answered_mismatches() -> int:
    """How many permits' kept ``answered`` differs from the recount (0 when every move kept it)."""
    recount = answered_from_events()
    differs = (Permit.answered.is_(True) & ~recount) | (Permit.answered.is_(False) & recount)
    return db.session.scalar(select(func.count(Permit.id)).where(differs)) or 0


def refresh_answered() -> int:
    """Set ``answered`` on every permit from its events, in one statement per value; returns the permits now
    answered. Flushes, never commits."""
    db.session.flush()
    recount = answered_from_events()
    for now, then in ((False, Permit.answered.is_(True) & ~recount), (True, Permit.answered.is_(False) & recount)):
        # the permit's last update stays the day of its last move: the value was due then
        statement = update(Permit).where(then).values(answered=now, updated_at=Permit.updated_at)
        db.session.execute(statement.execution_options(synchronize_session=False))
    return db.session.scalar(select(func.count(Permit.id)).where(Permit.answered.is_(True))) or 0
