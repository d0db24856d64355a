"""Who hears what: the flags each person has not been told yet, and the investors' revision windows that close
soon, from the scope of each account (region officers their kab/kota, investors their own permits).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import Role, User
from estates.models import Estate
from permits.calendar import add_working_days
from permits.models import Permit
from permits.notify.models import Notification, NotificationItem, NotificationKind
from permits.stages import ASKED
from permits.stalls.models import FlagKind, StallFlag

OFFICER_KINDS = frozenset(FlagKind)
INVESTOR_KINDS = frozenset({FlagKind.INVESTOR_OVERDUE, FlagKind.DEEMED_WITHDRAWN_CANDIDATE})
REMINDER_WORKING_DAYS = 3
CHUNK = 500  # ids per IN (...) list
REMINDER_MARK = "Pantau-Reminders:"
_TOKEN = re.compile(r"(\d+)\.(\d+)")


def _untold_flags(as_of: date) -> dict[int, set[int]]:
    """Open flags each active officer or investor user should hear of and has not: {user id: {flag id}}."""
    told = (
        select(NotificationItem.id)
        .where(NotificationItem.flag_id == StallFlag.id, NotificationItem.recipient_id == User.id)
        .exists()
    )
    base = (
        select(User.id, StallFlag.id)
        .select_from(StallFlag)
        .join(Permit, Permit.id == StallFlag.permit_id)
        .join(Estate, Estate.id == Permit.estate_id)
        .where(StallFlag.resolved_on.is_(None), StallFlag.raised_on <= as_of)
    )
    officer = and_(User.role == Role.OFFICER, or_(User.region_id.is_(None), User.region_id == Estate.region_id))
    investor = and_(User.role == Role.INVESTOR, User.investor_id == Estate.investor_id)
    found: dict[int, set[int]] = defaultdict(set)
    for audience, kinds in ((officer, OFFICER_KINDS), (investor, INVESTOR_KINDS)):
        stmt = base.join(User, and_(audience, User.active.is_(True))).where(StallFlag.kind.in_(kinds), ~told)
        for user_id, flag_id in db.session.execute(stmt):
            found[user_id].add(flag_id)
    return found


def _due_reminders(as_of: date) -> dict[int, set[tuple[int, int]]]:
    """Reminders due and not yet given: {investor user id: {(permit id, episode)}}.

    Due while the permit is returned and its revision window ends within ``REMINDER_WORKING_DAYS`` working days
    of ``as_of`` (``investor_due_on`` is the window's last working day).
    """
    last = add_working_days(as_of, REMINDER_WORKING_DAYS)
    stmt = (
        select(User.id, Permit.id, Permit.last_event_seq, Permit.investor_since)
        .select_from(Permit)
        .join(Estate, Estate.id == Permit.estate_id)
        .join(
            User,
            and_(User.role == Role.INVESTOR, User.active.is_(True), User.investor_id == Estate.investor_id),
        )
        .where(
            Permit.status.in_(ASKED),
            Permit.investor_due_on >= as_of,
            Permit.investor_due_on <= last,
        )
    )
    rows = db.session.execute(stmt).all()
    if not rows:
        return {}
    since = min(row.investor_since or as_of for row in rows)
    given = _reminders_given({row[0] for row in rows}, since)
    due: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for user_id, permit_id, episode, _since in rows:
        if (permit_id, episode) not in given.get(user_id, set()):
            due[user_id].add((permit_id, episode))
    return due


def _reminders_given(user_ids: set[int], since: date) -> dict[int, set[tuple[int, int]]]:
    """The reminders already written into these users' digests since ``since``."""
    given: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for ids in _chunks(user_ids):
        stmt = select(Notification.recipient_id, Notification.body).where(
            Notification.recipient_id.in_(ids),
            Notification.kind.in_((NotificationKind.DAILY_DIGEST, NotificationKind.NOTICE)),  # a return told at once
            Notification.period >= since,
        )
        for user_id, body in db.session.execute(stmt):
            given[user_id] |= reminder_tokens(body)
    return given


def reminder_tokens(body: str) -> set[tuple[int, int]]:
    """The (permit id, episode) pairs remembered in a digest's bookkeeping line."""
    tokens: set[tuple[int, int]] = set()
    for line in body.splitlines():
        if line.startswith(REMINDER_MARK):
            tokens |= {(int(p), int(e)) for p, e in _TOKEN.findall(line[len(REMINDER_MARK) :])}
    return tokens


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
