"""Notification pages: each user's own messages (``/notifications``) and the administrator's outbox.

Every signed-in user reads only their own messages; marking another user's message read is a 404, as for an
unknown id. The outbox (``/admin/outbox``) shows every message, sent or not, with its attempts and last error,
to administrators only. The unread count in the user menu comes from ``unread_notifications()``, a template
function this blueprint registers.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from app import mail
from app.database import utcnow
from app.fragments import read_along, read_with_stamp
from app.models import Role
from app.pagination import paginate
from app.security import role_required
from app.urls import safe_next
from permits.notify import outbox
from permits.notify.models import NotificationKind
from permits.notify.services import visible_body

bp = Blueprint("notifications", __name__, template_folder="templates")


class MarkReadForm(FlaskForm):
    """The CSRF-protected button that marks messages read; ``next`` is where to go back to (this site only)."""

    next = HiddenField()


def kind_label(kind: NotificationKind) -> str:
    if kind is NotificationKind.ACCOUNT_LOCKED:
        return _("Account locked")
    if kind is NotificationKind.NOTICE:
        return _("Notice")
    return _("Weekly summary") if kind is NotificationKind.WEEKLY_DIGEST else _("Daily digest")


def _unread_with_stamp():
    """The layout's unread count as a column of the statement that reads the register's stamp, on the pages that
    read it (``app.fragments.read_with_stamp``): one round trip less for them (issue 13, branch ``tph``)."""
    return outbox.unread_count_query(current_user.id).scalar_subquery() if current_user.is_authenticated else None


read_with_stamp("unread-notifications", _unread_with_stamp)


@bp.app_context_processor
def _notification_helpers() -> dict:
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        found, count = read_along("unread-notifications")
        return int(count or 0) if found else outbox.unread_count(current_user.id)

    return {"unread_notifications": unread_notifications, "notification_body": visible_body}


@bp.get("/notifications")
@role_required(*Role)
def inbox() -> ResponseReturnValue:
    page = paginate(outbox.inbox_query(current_user.id))
    return render_template(
        "notifications/inbox.html",
        page=page,
        next_url=request.full_path if request.query_string else request.path,
        unread=outbox.unread_count(current_user.id),
        kind_label=kind_label,
    )


@bp.post("/notifications/<int:notification_id>/read")
@role_required(*Role)
def mark_read(notification_id: int) -> ResponseReturnValue:
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    if not outbox.mark_read(notification_id, current_user.id, utcnow()):
        abort(404)
    return redirect(safe_next(form.next.data, url_for("notifications.inbox")))


@bp.post("/notifications/read-all")
@role_required(*Role)
def mark_all_read() -> ResponseReturnValue:
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    count = outbox.mark_all_read(current_user.id, utcnow())
    flash(ngettext("%(num)d message marked as read.", "%(num)d messages marked as read.", count), "success")
    return redirect(safe_next(form.next.data, url_for("notifications.inbox")))


@bp.get("/admin/outbox")
@role_required(Role.ADMINISTRATOR)
def outbox_list() -> ResponseReturnValue:
    status = request.args.get("status")
    status = status if status in outbox.OUTBOX_FILTERS else None
    settings = mail.MailSettings.from_config(current_app.config)
    return render_template(
        "notifications/outbox.html",
        page=paginate(outbox.outbox_query(status)),
        status=status,
        filters=outbox.OUTBOX_FILTERS,
        settings=settings,
        delivery=lambda n: outbox.delivery(n, settings, utcnow()),
        kind_label=kind_label,
    )


@bp.get("/admin/outbox/<int:notification_id>")
@role_required(Role.ADMINISTRATOR)
def outbox_message(notification_id: int) -> ResponseReturnValue:
    message = outbox.outbox_message(notification_id)
    if message is None:
        abort(404)
    settings = mail.MailSettings.from_config(current_app.config)
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        state=outbox.delivery(message, settings, utcnow()),
        message_id=mail.message_id(message.id, settings.sender),
        settings=settings,
        kind_label=kind_label,
    )
