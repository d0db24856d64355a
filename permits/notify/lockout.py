"""One-off notices to one person, through the same outbox as the digests: today, "your account was locked".

Why the owner of a locked account is told by e-mail, and how:

- by e-mail, not only by a message in the app: the owner of a locked account cannot sign in to read one, and the
  notice exists to reach them outside Pantau while somebody may be guessing their password;
- as a ``Notification`` queued for the outbox, not mailed from the sign-in request: the send-outbox job mails it
  within ``OUTBOX_INTERVAL_MINUTES``, with the outbox's retries and Message-ID, and it is kept in the app as every
  message is (the owner finds it under Notifications, an administrator in the outbox). A sign-in request that
  waited on an SMTP server would answer slower for the accounts that exist, which is the very thing the single
  "e-mail address or password not correct" message hides from a stranger;
- at most once per account and day (WIB): an attacker who keeps guessing locks the account again every 15 minutes,
  and must not be able to flood its owner's mailbox. Inactive accounts get no notice (they are not mailed).

Written in Indonesian, the interface default, like the digests. Functions here flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Insert, text
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.formatting import wib
from app.models import User
from app.timezone import WIB
from permits.notify.models import Notification, NotificationKind

NOTICE_LOCALE = "id"


def _insert_once() -> Insert:
    """An INSERT that does nothing when the (recipient, kind, period) notice exists, on either engine, so two
    lockouts racing on the same day neither fail nor notify twice."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(Notification).on_conflict_do_nothing(
        index_elements=["recipient_id", "kind", "period"],
        index_where=text("kind <> 'notice'"),  # the partial index of the digests and lockouts (models.py)
    )


def notify_lockout(
    user: User, *, locked_at: datetime, locked_until: datetime, failures: int, window_minutes: int, address: str | None
) -> bool:
    """Queue the notice that ``user``'s account was locked at ``locked_at`` (UTC) until ``locked_until`` after
    ``failures`` failed sign-ins within ``window_minutes``, the last one from ``address``.

    Returns True when a notice was queued; False for an inactive account or when the account already had one that
    day (WIB). Flushes.
    """
    if not user.active:
        return False
    with force_locale(NOTICE_LOCALE):
        subject = _("Pantau: your account was locked after failed sign-ins")
        body = "\n\n".join(
            (
                _(
                    "Your Pantau account %(email)s was locked at %(when)s after %(failures)d failed sign-ins within "
                    "%(minutes)d minutes. It opens again by itself at %(until)s.",
                    email=user.email,
                    when=wib(locked_at, "short"),
                    failures=failures,
                    minutes=window_minutes,
                    until=wib(locked_until, "short"),
                ),
                _("The last attempt came from the address %(address)s.", address=address or "?"),
                _(
                    "If these attempts were yours, wait until then and sign in again. If they were not, someone may "
                    "be trying to guess your password: tell a Pantau administrator, and change your password once "
                    "you are signed in."
                ),
            )
        )
    stmt = _insert_once().values(
        recipient_id=user.id,
        kind=NotificationKind.ACCOUNT_LOCKED.value,
        period=locked_at.astimezone(WIB).date(),
        subject=subject,
        body=body,
        created_at=locked_at,
    )
    return bool(db.session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount)
