"""The audit log: sign-ins, failures, lockouts and refusals, and every change, download and export: who, when,
from where, what, and the values before and after (a JSON ``detail``)."""

from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent, AuditLog, User


def record(
    event: AuditEvent,
    *,
    user_id: int | None = None,
    email: str | None = None,
    detail: str | dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row (flushes, never commits), with the request's address and path when there is one.

    A ``detail`` given as a dict is stored as JSON (keys sorted, dates and decimals as text)."""
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    row = AuditLog(event=event, user_id=user_id, email=(email or "")[:254] or None, detail=detail)
    if has_request_context():
        row.ip = (request.remote_addr or "")[:45] or None
        row.path = request.path[:500]
    db.session.add(row)
    db.session.flush()
    return row


def record_change(
    event: AuditEvent,
    actor: User | int | str | None,
    what: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> AuditLog:
    """Record a change by ``actor`` (a user, a user id, a label such as the demo's, or None for the system) to
    ``what`` (e.g. "permit 12"), with the values before and after; only the keys whose values differ are kept."""
    user_id = actor.id if isinstance(actor, User) else actor if isinstance(actor, int) else None
    email = actor.email if isinstance(actor, User) else None
    if isinstance(actor, str):
        extra["by"] = actor
    before, after = before or {}, after or {}
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    detail: dict[str, Any] = {"what": what, **extra}
    if before:
        detail["before"] = {k: before.get(k) for k in changed}
    if after:
        detail["after"] = {k: after.get(k) for k in changed}
    return record(event, user_id=user_id, email=email, detail=detail)
