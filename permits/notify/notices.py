"""Immediate notices: the moves with a short clock are told at once, in the app and by mail through the outbox.

- a permit returned to the investor (returned, revision, process stopped): the investor's users, with the note
  and the end of the revision window;
- the investor's answer (the file back with the agency): the officers of the estate's kab/kota and the
  province-wide officers;
- a permit decided (issued, deemed granted, rejected, withdrawn...): the investor's users and those officers;
- a stop order on an estate: the investor's users and those officers.

Each notice names its permit event, and a person hears of an event once (a unique constraint). The mover is not
told of their own move. A return told when its window is already as short as the digest's reminder is
remembered as that reminder (the bookkeeping line the digests read), so no digest tells it again. Written in
Indonesian, as the digests. Functions here flush, never commit; ``notify_move`` runs after every move.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.formatting import day
from app.models import Role, User
from app.timezone import today_wib
from estates.models import Estate
from permits.calendar import add_working_days
from permits.models import Permit, PermitEvent, PermitStatus
from permits.notify.models import Notification, NotificationKind
from permits.notify.recipients import REMINDER_MARK, REMINDER_WORKING_DAYS
from permits.stages import RESUMES_TO
from permits.workflow import DECIDING

NOTICE_LOCALE = "id"
_FOOTER = (
    _l("This message is also kept in Pantau, under Notifications in your user menu."),
    _l("Sent automatically by Pantau, DPMPTSP Banten: please do not reply to it."),
)
TO_INVESTOR = frozenset(RESUMES_TO)  # returned, revision, process stopped: the investor's move now
_AUDIENCES = {"investor", "officer"}


def permit_link(permit: Permit, audience: str) -> str:
    """The permit's page for this audience: the portal's for investors, the office's for officers."""
    endpoint = "portal.permit_detail" if audience == "investor" else "permits.permit_detail"
    return _link(endpoint, permit_id=permit.id)


def _link(endpoint: str, **values: int) -> str:
    """A page of Pantau, absolute when ``MAIL_BASE_URL`` is set (mails), else the path (in the app)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_app.config.get("MAIL_BASE_URL")
    return base.rstrip("/") + path if base else path


def _kind_of(event: PermitEvent) -> str | None:
    if event.to_status in TO_INVESTOR:
        return "returned"
    if event.from_status in TO_INVESTOR and event.to_status not in DECIDING:  # back with the agency
        return "answered"
    if event.to_status in DECIDING:
        return "decided"
    return None


def _recipients(permit: Permit, audiences: set[str], actor_id: int | None) -> list[tuple[User, str]]:
    return _recipients_of(permit.estate, audiences, actor_id)


def _recipients_of(estate: Estate, audiences: set[str], actor_id: int | None) -> list[tuple[User, str]]:
    """The active users of the estate's investor and/or the officers of its kab/kota (and the province's), with
    the audience of each; never the user who acted."""
    who = []
    if "investor" in audiences:
        who.append(and_(User.role == Role.INVESTOR, User.investor_id == estate.investor_id))
    if "officer" in audiences:
        who.append(and_(User.role == Role.OFFICER, or_(User.region_id.is_(None), User.region_id == estate.region_id)))
    query = select(User).where(User.active.is_(True), or_(*who)).order_by(User.id)
    if actor_id is not None:
        query = query.where(User.id != actor_id)
    return [(u, "investor" if u.role is Role.INVESTOR else "officer") for u in db.session.scalars(query)]


def notify_move(permit: Permit, event: PermitEvent) -> list[Notification]:
    """Write the notices this move deserves (none for most moves); returns them. Flushes."""
    kind = _kind_of(event)
    if kind is None:
        return []
    audiences = {"returned": {"investor"}, "answered": {"officer"}, "decided": _AUDIENCES}[kind]
    told = set(db.session.scalars(select(Notification.recipient_id).where(Notification.permit_event_id == event.id)))
    notices = []
    with force_locale(NOTICE_LOCALE):
        for user, audience in _recipients(permit, audiences, event.actor_id):
            if user.id in told:
                continue
            subject, body = _text(kind, permit, event, audience)
            if kind == "returned" and _reminder_due(permit, event):  # told now: the digest will not repeat it
                body += f"\n\n{REMINDER_MARK} {permit.id}.{event.seq}"
            notice = Notification(
                recipient_id=user.id,
                kind=NotificationKind.NOTICE,
                period=event.effective_on,
                subject=subject[:255],
                body=body,
                permit_event_id=event.id,
            )
            db.session.add(notice)
            notices.append(notice)
    db.session.flush()
    return notices


def notify_stop_order(estate: Estate, actor_id: int | None) -> list[Notification]:
    """A stop order on an estate: its investor's users and the officers of its kab/kota hear of it at once (the
    hook of ``estates.services.update_estate``, which runs once, when the order arrives). Flushes."""
    notices = []
    with force_locale(NOTICE_LOCALE):
        subject = _("Stop order on %(estate)s", estate=estate.name)
        for user, audience in _recipients_of(estate, _AUDIENCES, actor_id):
            endpoint = "portal.estate_detail" if audience == "investor" else "estates.estate_detail"
            lines = [
                _("A stop order was recorded on %(day)s.", day=day(estate.stop_order_on)),
                _("Reason: %(reason)s", reason=estate.stop_order_reason or "-"),
                "",
                _("Open Pantau: %(url)s", url=_link(endpoint, estate_id=estate.id)),
                *_FOOTER,
            ]
            notice = Notification(
                recipient_id=user.id,
                kind=NotificationKind.NOTICE,
                period=estate.stop_order_on or today_wib(),
                subject=str(subject)[:255],
                body="\n".join(str(line) for line in lines),
            )
            db.session.add(notice)
            notices.append(notice)
    db.session.flush()
    return notices


def _reminder_due(permit: Permit, event: PermitEvent) -> bool:
    """Whether the window is already as short as the digest's reminder (which this notice then replaces)."""
    due = permit.investor_due_on
    return due is not None and due <= add_working_days(event.effective_on, REMINDER_WORKING_DAYS)


def _text(kind: str, permit: Permit, event: PermitEvent, audience: str) -> tuple[str, str]:
    code, estate = permit.permit_type.code, permit.estate.name
    status = PermitStatus(event.to_status).label
    if kind == "returned":
        subject = _("%(code)s returned to you: %(estate)s", code=code, estate=estate)
        lines = [_("%(code)s for %(estate)s is now: %(status)s.", code=code, estate=estate, status=status)]
        if event.note:
            lines.append(_("Note from the agency: %(note)s", note=event.note))
        if permit.investor_due_on:
            lines.append(_("Send your answer by %(day)s.", day=day(permit.investor_due_on)))
    elif kind == "answered":
        subject = _("The investor answered: %(code)s, %(estate)s", code=code, estate=estate)
        investor = permit.estate.investor.legal_name
        lines = [
            _("%(investor)s sent its answer on %(day)s.", investor=investor, day=day(event.effective_on)),
            _("%(code)s for %(estate)s is now: %(status)s.", code=code, estate=estate, status=status),
        ]
    else:
        subject = _("%(code)s decided: %(status)s (%(estate)s)", code=code, status=status, estate=estate)
        lines = [_("%(code)s for %(estate)s is now: %(status)s.", code=code, estate=estate, status=status)]
    lines += ["", _("Open Pantau: %(url)s", url=permit_link(permit, audience)), *_FOOTER]
    return str(subject), "\n".join(str(line) for line in lines)
