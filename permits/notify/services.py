"""Who hears of the stall flags, and the digests that tell them (issue 5). The outbox that mails them: outbox.py.
The flags of packages above permits (the missing LKPM reports) join the same digests under the same rules through
the sources registered in extras.py.

Who hears what:
- an officer hears of every flag on the permits of the estates in their kab/kota, a province-wide officer
  (no region) of every flag in Banten: at risk, overdue, deemed-granted and deemed-withdrawn candidates, and
  an investor late with its revision (the officer is the one who chases the investor);
- an investor's users hear of their own permits: the revision window has passed (INVESTOR_OVERDUE), the file
  may be deemed withdrawn (DEEMED_WITHDRAWN_CANDIDATE), and a reminder while the revision window has
  ``REMINDER_WORKING_DAYS`` working days or fewer left;
- the governor's office gets one weekly summary per agency, built by the first real scan of each ISO week;
- inactive users hear nothing; administrators read every message in the outbox instead.

Each flag is told to each person once (``NotificationItem`` is unique per flag and recipient). A person's daily
messages are one digest per day (``Notification`` is unique per recipient, kind and period): flags found later
the same day join that day's digest while no mail has been attempted for it, otherwise the next working day's
digest, which is held until that day's scan releases it (or until that day ends, when no scan runs). A
reminder has no flag: it is remembered, once per permit and revision round (the permit's episode), in the
digest's last line, ``Pantau-Reminders: <permit id>.<episode> ...``, which is never shown nor mailed.

Digests are written in Indonesian, the interface default (users have no language setting), from English msgids.
Functions here flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Role, User
from estates.models import Estate
from permits.agencies.models import Agency
from permits.calendar import add_working_days
from permits.models import Permit
from permits.notify.digest import daily_text, weekly_text
from permits.notify.extras import sources
from permits.notify.models import Notification, NotificationItem, NotificationKind
from permits.notify.recipients import REMINDER_MARK, _chunks, _due_reminders, _untold_flags, reminder_tokens
from permits.stages import ASKED
from permits.stalls.models import FlagKind, StallFlag
from permits.workflow import WIB

DIGEST_LOCALE = "id"
# The agency as the (Indonesian) summary names it: its record's name, else the text an old permit was recorded with.
AGENCY_NAME = func.coalesce(Agency.name_id, Permit.issuing_authority, "-")
NEXT_DIGESTS = 10  # working days searched for a digest still open to more lines


@dataclass
class DigestResult:
    daily_created: int = 0
    daily_extended: int = 0
    weekly_created: int = 0
    items: int = 0
    reminders: int = 0
    released: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def build_digests(as_of: date) -> DigestResult:
    """Write the day's digests after the scan of ``as_of`` (a working day); safe to run again for the same day.

    Adds every open flag not yet told to a person who should hear of it, and every reminder due, to that
    person's digest; builds the governor's office's weekly summary when the week has none yet; releases the
    held digests of ``as_of``. Returns the counts.
    """
    result = DigestResult()
    _build_daily(as_of, result)
    _build_weekly(as_of, result)
    result.released = db.session.execute(
        update(Notification)
        .where(
            Notification.kind == NotificationKind.DAILY_DIGEST,
            Notification.sent_at.is_(None),
            Notification.attempts == 0,
            Notification.period <= as_of,
            Notification.next_attempt_at.is_not(None),
        )
        .values(next_attempt_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return result


def visible_body(body: str) -> str:
    """The body as shown and mailed: without the bookkeeping line of reminders."""
    return "\n".join(line for line in body.splitlines() if not line.startswith(REMINDER_MARK)).rstrip()


# --- the daily digests -------------------------------------------------------------------------------------


@dataclass
class _Content:
    flag_ids: set[int]
    reminders: set[tuple[int, int]]
    extra: dict[str, set[int]] = field(default_factory=dict)  # the registered sources' items, by source

    def __or__(self, other: _Content | None) -> _Content:
        if other is None:
            return self
        names = self.extra.keys() | other.extra.keys()
        extra = {n: self.extra.get(n, set()) | other.extra.get(n, set()) for n in names}
        return _Content(self.flag_ids | other.flag_ids, self.reminders | other.reminders, extra)


@dataclass
class _Day:
    """What the daily digests of one scan need, loaded in a few queries before any digest is written."""

    as_of: date
    periods: list[date]  # as_of, then the next working days
    digests: dict[tuple[int, date], Notification]  # existing daily digests by (user id, period)
    contents: dict[int, _Content]  # what each digest still open to more lines already tells
    flags: dict[int, StallFlag]
    permits: dict[int, Permit]  # the permits of the reminders


def _build_daily(as_of: date, result: DigestResult) -> None:
    new_flags = _untold_flags(as_of)
    new_reminders = _due_reminders(as_of)
    new_extra = {source.name: source.untold(as_of) for source in sources()}
    user_ids = set(new_flags) | set(new_reminders) | {u for found in new_extra.values() for u in found}
    if not user_ids:
        return
    users = {u.id: u for u in _load(User, user_ids, joinedload(User.region))}
    periods = [as_of] + [add_working_days(as_of, n) for n in range(1, NEXT_DIGESTS + 1)]
    digests = _digests_from(user_ids, as_of, periods[-1])
    contents = _contents_of(digests.values())
    flag_ids = set().union(*new_flags.values(), *(c.flag_ids for c in contents.values()))
    permit_ids = {p for pairs in new_reminders.values() for p, _e in pairs}
    permit_ids |= {p for c in contents.values() for p, _e in c.reminders}
    ctx = _Day(
        as_of,
        periods,
        digests,
        contents,
        flags={f.id: f for f in _load(StallFlag, flag_ids, *_permit_details(StallFlag.permit))},
        permits={p.id: p for p in _load(Permit, permit_ids, *_permit_details())},
    )
    told: list[tuple[Notification, int]] = []
    extra_told: list[tuple[str, Notification, int]] = []
    with force_locale(DIGEST_LOCALE):
        for user_id in sorted(user_ids):
            extra = {name: found[user_id] for name, found in new_extra.items() if found.get(user_id)}
            fresh = _Content(new_flags.get(user_id, set()), new_reminders.get(user_id, set()), extra)
            digest, created = _place(ctx, users[user_id], fresh)
            result.daily_created += created
            result.daily_extended += not created
            result.reminders += len(fresh.reminders)
            told += [(digest, flag_id) for flag_id in sorted(fresh.flag_ids)]
            extra_told += [(name, digest, item) for name, items in fresh.extra.items() for item in sorted(items)]
    db.session.flush()  # the new digests get their ids
    for source in sources():
        rows = [(d.id, item, d.recipient_id) for name, d, item in extra_told if name == source.name]
        if rows:
            source.mark(rows)
            result.items += len(rows)
    if told:
        rows = [{"notification_id": d.id, "flag_id": f, "recipient_id": d.recipient_id} for d, f in told]
        db.session.execute(insert(NotificationItem), rows)
    result.items += len(told)


def _place(ctx: _Day, user: User, fresh: _Content) -> tuple[Notification, bool]:
    """Put ``fresh`` into the user's first digest still open to more lines (or a new one); (digest, created)."""
    for period in ctx.periods:
        digest = ctx.digests.get((user.id, period))
        if digest is None:
            subject, body = _text(ctx, user, period, fresh)
            return _new_digest(user.id, NotificationKind.DAILY_DIGEST, period, subject, body, ctx.as_of), True
        if not _open_to_more(digest):
            continue
        subject, body = _text(ctx, user, period, fresh | ctx.contents.get(digest.id))
        if _extend(digest, subject, body):
            return digest, False
        # a mail was attempted since the digest was read: try the next day's
    raise RuntimeError(f"no digest open to more lines within {NEXT_DIGESTS} working days for user {user.id}")


def _open_to_more(digest: Notification) -> bool:
    return digest.sent_at is None and digest.attempts == 0


def _digests_from(user_ids: set[int], first: date, last: date) -> dict[tuple[int, date], Notification]:
    found: dict[tuple[int, date], Notification] = {}
    for ids in _chunks(user_ids):
        stmt = select(Notification).where(
            Notification.recipient_id.in_(ids),
            Notification.kind == NotificationKind.DAILY_DIGEST,
            Notification.period.between(first, last),
        )
        found |= {(n.recipient_id, n.period): n for n in db.session.scalars(stmt)}
    return found


def _contents_of(digests: Iterable[Notification]) -> dict[int, _Content]:
    """What each digest still open to more lines already tells: its flags (items) and its reminders (body)."""
    open_digests = {d.id: d for d in digests if _open_to_more(d)}
    contents = {d.id: _Content(set(), reminder_tokens(d.body)) for d in open_digests.values()}
    for ids in _chunks(open_digests):
        stmt = select(NotificationItem.notification_id, NotificationItem.flag_id).where(
            NotificationItem.notification_id.in_(ids)
        )
        for notification_id, flag_id in db.session.execute(stmt):
            contents[notification_id].flag_ids.add(flag_id)
    for source in sources():
        for notification_id, items in source.told(open_digests).items():
            contents[notification_id].extra[source.name] = items
    return contents


def _new_digest(user_id: int, kind: NotificationKind, period: date, subject: str, body: str, as_of: date):
    """A new digest; one for a later day is held until that day's scan releases it, or that day ends."""
    held = None if period <= as_of else datetime.combine(period + timedelta(days=1), time(0), WIB).astimezone(UTC)
    digest = Notification(
        recipient_id=user_id, kind=kind, period=period, subject=subject, body=body, next_attempt_at=held
    )
    db.session.add(digest)
    return digest


def _extend(digest: Notification, subject: str, body: str) -> bool:
    """Rewrite a digest with more lines, unless a mail was attempted since it was read (then False).

    The conditional update also locks the row, so a sender cannot claim it before this transaction ends.
    """
    changed = db.session.execute(
        update(Notification)
        .where(Notification.id == digest.id, Notification.sent_at.is_(None), Notification.attempts == 0)
        .values(subject=subject, body=body, read_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        for name, value in (("subject", subject), ("body", body), ("read_at", None)):
            set_committed_value(digest, name, value)  # as written, without a second UPDATE
    return bool(changed)


def _text(ctx: _Day, user: User, period: date, content: _Content) -> tuple[str, str]:
    """The digest's subject and body, and the bookkeeping line of its reminders (hidden when shown or mailed)."""
    flags = [ctx.flags[i] for i in sorted(content.flag_ids)]
    reminders = [ctx.permits[p] for p, episode in sorted(content.reminders) if _still_due(ctx.permits.get(p), episode)]
    extra = [
        section for source in sources() for section in source.sections(user, content.extra.get(source.name, set()))
    ]
    subject, body = daily_text(user, period, flags, reminders, extra)
    if content.reminders:
        body += "\n\n" + REMINDER_MARK + " " + " ".join(f"{p}.{e}" for p, e in sorted(content.reminders))
    return subject, body


def _still_due(permit: Permit | None, episode: int) -> bool:
    """A remembered reminder is shown while its permit is still in the same revision round."""
    return (
        permit is not None
        and permit.status in ASKED
        and permit.last_event_seq == episode
        and permit.investor_due_on is not None
    )


# --- the governor's office's weekly summary -------------------------------------------------------------------


def _build_weekly(as_of: date, result: DigestResult) -> None:
    """One summary per active governor's office user and ISO week: open flags per agency, and the week's new ones.

    "New" are the flags raised since the Monday before this week's, not yet told to the user (items).
    """
    monday = as_of - timedelta(days=as_of.weekday())
    has_one = (
        select(Notification.id)
        .where(
            Notification.recipient_id == User.id,
            Notification.kind == NotificationKind.WEEKLY_DIGEST,
            Notification.period == monday,
        )
        .exists()
    )
    users = list(db.session.scalars(select(User).where(User.role == Role.GOVERNOR, User.active.is_(True), ~has_one)))
    if not users:
        return
    open_counts: dict[str, dict[FlagKind, int]] = defaultdict(lambda: defaultdict(int))
    stmt = (
        select(AGENCY_NAME, StallFlag.kind, func.count(StallFlag.id))
        .join(Permit, Permit.id == StallFlag.permit_id)
        .outerjoin(Agency, Agency.id == Permit.agency_id)
        .where(StallFlag.resolved_on.is_(None))
        .group_by(AGENCY_NAME, StallFlag.kind)
    )
    for agency, kind, count in db.session.execute(stmt):
        open_counts[agency][kind] = count
    new_flag = and_(
        StallFlag.raised_on.between(monday - timedelta(days=7), as_of),
        ~select(NotificationItem.id)
        .where(NotificationItem.flag_id == StallFlag.id, NotificationItem.recipient_id == User.id)
        .exists(),
    )
    new_counts: dict[int, dict[str, int]] = defaultdict(dict)
    stmt = (
        select(User.id, AGENCY_NAME, func.count(func.distinct(StallFlag.permit_id)))
        .select_from(StallFlag)
        .join(Permit, Permit.id == StallFlag.permit_id)
        .outerjoin(Agency, Agency.id == Permit.agency_id)
        .join(User, User.id.in_([u.id for u in users]))
        .where(new_flag)
        .group_by(User.id, AGENCY_NAME)
    )
    for user_id, agency, count in db.session.execute(stmt):
        new_counts[user_id][agency] = count
    with force_locale(DIGEST_LOCALE):
        extra = [line for source in sources() for line in source.weekly(as_of)]
        for user in users:
            subject, body = weekly_text(user, monday, as_of, open_counts, new_counts[user.id], extra)
            _new_digest(user.id, NotificationKind.WEEKLY_DIGEST, monday, subject, body, as_of)
            result.weekly_created += 1
    db.session.flush()
    told = (
        select(Notification.id, StallFlag.id, User.id)
        .select_from(StallFlag)
        .join(User, User.id.in_([u.id for u in users]))
        .join(
            Notification,
            and_(
                Notification.recipient_id == User.id,
                Notification.kind == NotificationKind.WEEKLY_DIGEST,
                Notification.period == monday,
            ),
        )
        .where(new_flag)
    )
    result.items += db.session.execute(
        insert(NotificationItem).from_select(["notification_id", "flag_id", "recipient_id"], told)
    ).rowcount


# --- helpers ---------------------------------------------------------------------------------------------------


def _permit_details(path=None) -> tuple:
    """Loader options for a permit's estate, region, type and agency (from ``path``, a relationship to Permit)."""
    if path is None:
        return (
            joinedload(Permit.estate).joinedload(Estate.region),
            joinedload(Permit.permit_type),
            joinedload(Permit.agency),
        )
    return (
        joinedload(path).joinedload(Permit.estate).joinedload(Estate.region),
        joinedload(path).joinedload(Permit.permit_type),
        joinedload(path).joinedload(Permit.agency),
    )


def _load(model, ids: Iterable[int], *options) -> list:
    rows: list = []
    for chunk in _chunks(ids):
        rows += db.session.scalars(select(model).where(model.id.in_(chunk)).options(*options)).unique().all()
    return rows
