"""The missing-report flags in the digests (``permits.notify.extras``), under the stall flags' rules: each open
flag is told once to each person who should hear of it, in their daily digest, with a link to the page where it is
acted on; the governor's office's weekly summary counts them.

Who hears of a flag: an officer of the kab/kota of one of the investor's estates, or a province-wide officer (no
kab/kota); and the investor's own users (the portal's LKPM page tells them what to file). Inactive users hear
nothing. Functions flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.formatting import day
from app.models import Role, User
from estates.models import Estate
from permits.notify.digest import link_line
from permits.notify.extras import DigestSource, Section
from permits.notify.recipients import _chunks
from realisation.models import LkpmFlag, LkpmFlagItem, LkpmFlagKind
from realisation.periods import Period

ORDER = (LkpmFlagKind.SANCTION_RISK, LkpmFlagKind.MISSING)  # the more severe first, as the stall flags


def untold(as_of: date) -> dict[int, set[int]]:
    """Open flags each active officer or investor user should hear of and has not: {user id: {flag id}}."""
    told = (
        select(LkpmFlagItem.id)
        .where(LkpmFlagItem.flag_id == LkpmFlag.id, LkpmFlagItem.recipient_id == User.id)
        .exists()
    )
    in_region = (
        select(Estate.id).where(Estate.investor_id == LkpmFlag.investor_id, Estate.region_id == User.region_id).exists()
    )
    audience = or_(
        and_(User.role == Role.OFFICER, or_(User.region_id.is_(None), in_region)),
        and_(User.role == Role.INVESTOR, User.investor_id == LkpmFlag.investor_id),
    )
    stmt = (
        select(User.id, LkpmFlag.id)
        .select_from(LkpmFlag)
        .join(User, and_(audience, User.active.is_(True)))
        .where(LkpmFlag.resolved_on.is_(None), LkpmFlag.raised_on <= as_of, ~told)
    )
    found: dict[int, set[int]] = defaultdict(set)
    for user_id, flag_id in db.session.execute(stmt):
        found[user_id].add(flag_id)
    return found


def told(notification_ids: Iterable[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for ids in _chunks(notification_ids):
        stmt = select(LkpmFlagItem.notification_id, LkpmFlagItem.flag_id).where(LkpmFlagItem.notification_id.in_(ids))
        for notification_id, flag_id in db.session.execute(stmt):
            found[notification_id].add(flag_id)
    return found


def _line(flag: LkpmFlag, officer: bool) -> str:
    period = Period.parse(flag.period)
    if flag.kind is LkpmFlagKind.SANCTION_RISK:
        what = ngettext(
            "%(num)d report in a row missing from %(period)s: at risk of a sanction",
            "%(num)d reports in a row missing from %(period)s: at risk of a sanction",
            flag.periods_missed,
            period=period.label,
        )
    else:
        what = _(
            "the LKPM of %(period)s was due on %(day)s and has not been filed",
            period=period.label,
            day=day(flag.due_on),
        )
    if officer:
        head = f"{flag.investor.legal_name} (NIB {flag.investor.nib or '-'})"
        return f"{head}: {what}{link_line('realisation.flag_evidence', flag_id=flag.id)}"
    return f"{what}{link_line('portal.lkpm')}"


def sections(user: User, flag_ids: set[int]) -> list[Section]:
    """One section per kind, sanction risks first; the oldest deadline first."""
    if not flag_ids:
        return []
    flags = []
    for ids in _chunks(flag_ids):
        stmt = select(LkpmFlag).where(LkpmFlag.id.in_(ids)).options(joinedload(LkpmFlag.investor))
        flags += db.session.scalars(stmt).all()
    officer = user.role is Role.OFFICER
    out = []
    for kind in ORDER:
        of_kind = sorted((f for f in flags if f.kind is kind), key=lambda f: (f.due_on, f.investor.legal_name, f.id))
        if of_kind:
            out.append((_("LKPM: %(kind)s", kind=kind.label), [_line(f, officer) for f in of_kind]))
    return out


def mark(rows: list[tuple[int, int, int]]) -> None:
    db.session.execute(
        insert(LkpmFlagItem), [{"notification_id": n, "flag_id": f, "recipient_id": r} for n, f, r in rows]
    )


def weekly(as_of: date) -> list[str]:
    """The governor's office's lines: open flags by kind, and those raised since the Monday before this week's."""
    monday = as_of - timedelta(days=as_of.weekday())
    counts = dict(
        db.session.execute(
            select(LkpmFlag.kind, func.count(LkpmFlag.id)).where(LkpmFlag.resolved_on.is_(None)).group_by(LkpmFlag.kind)
        ).all()
    )
    new = db.session.scalar(
        select(func.count(LkpmFlag.id)).where(LkpmFlag.raised_on.between(monday - timedelta(days=7), as_of))
    )
    return [
        _("Investment activity reports (LKPM)"),
        "  "
        + _(
            "reports missing: %(missing)d · at risk of a sanction: %(sanction)d · newly flagged: %(new)d",
            missing=counts.get(LkpmFlagKind.MISSING, 0),
            sanction=counts.get(LkpmFlagKind.SANCTION_RISK, 0),
            new=new or 0,
        ),
    ]


SOURCE = DigestSource("lkpm", untold=untold, told=told, sections=sections, mark=mark, weekly=weekly)
