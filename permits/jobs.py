"""Scheduled work of the permits package: plain functions, also run by commands (see permits/cli.py and
``flask scheduler run-job NAME``)."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from app import mail
from app.database import utcnow
from app.extensions import db
from permits.calendar import is_working_day
from permits.notify import outbox
from permits.notify.services import build_digests
from permits.stalls.scan import scan_stalled
from permits.workflow import today_wib


def stall_scan(as_of: date | None = None) -> dict:
    """The morning scan of stalled approvals, then, on working days, the day's digests.

    The scan runs every day (it is idempotent, and flags rise only on the working days their thresholds
    fall on), so the stalled list is current even after a start on a weekend; digests go out on working days
    only. Flushes; ``run_job`` (or the command) commits.
    """
    as_of = as_of or today_wib()
    result = scan_stalled(as_of).as_dict()
    if is_working_day(as_of):
        result["notifications"] = build_digests(as_of).as_dict()
    else:
        result["notifications"] = "not a working day: no digest"
    return result


def send_outbox(now: datetime | None = None) -> dict:
    """Mail the messages that are due (see permits/notify/outbox.py); nothing when no SMTP server is configured.

    Commits itself: each claim before its mail leaves, each outcome right after. A failed connection ends the
    run (the claimed message is retried after its back-off, the others at the next run). Returns the counts.
    """
    settings = mail.MailSettings.from_config(current_app.config)
    if settings.server is None:
        return {"smtp": False, "kept_in_app": outbox.unsent_count()}
    now = now or utcnow()
    counts = {"smtp": True, "sent": 0, "failed": 0, "skipped": 0}
    with mail.Mailer(settings) as mailer:
        for notification_id, attempts in outbox.due_messages(now, settings.max_attempts):
            outcome, connection_lost = _send_one(mailer, settings, notification_id, attempts, now)
            counts[outcome] += 1
            if connection_lost:
                break
    return counts


def _send_one(
    mailer: mail.Mailer, settings: mail.MailSettings, notification_id: int, attempts: int, now: datetime
) -> tuple[str, bool]:
    """Claim, send and record one message: ("sent" | "failed" | "skipped", whether the connection was lost)."""
    message = outbox.claim(notification_id, attempts, now, settings)
    db.session.commit()
    if message is None:
        return "skipped", False
    try:
        mailer.send(outbox.compose(message, settings.sender, utcnow()))
    except mail.MailFailure as failure:
        outbox.record_failure(message, str(failure), settings.max_attempts)
        db.session.commit()
        return "failed", failure.connection
    outbox.record_sent(message, utcnow())
    db.session.commit()
    return "sent", False
