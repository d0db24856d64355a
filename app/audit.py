"""The security audit log: who signed in, failed, was locked out or refused, and from where."""

from __future__ import annotations

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent, AuditLog


def record(
    event: AuditEvent, *, user_id: int | None = None, email: str | None = None, detail: str | None = None
) -> AuditLog:
    """Add an audit row (flushes, never commits), with the request's address and path when there is one."""
    row = AuditLog(event=event, user_id=user_id, email=(email or "")[:254] or None, detail=detail)
    if has_request_context():
        row.ip = (request.remote_addr or "")[:45] or None
        row.path = request.path[:500]
    db.session.add(row)
    db.session.flush()
    return row
