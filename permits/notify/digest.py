"""The words of the digests (permits/notify/services.py decides who gets which flags; this module writes them).

Plain text, the same in the app and in the mail. The caller forces the locale (Indonesian): every sentence is an
English msgid, dates are formatted for that locale. Each permit's line describes its flag with the date that
matters, read from the permit as it is when the digest is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from app.formatting import day
from app.models import Role, User
from permits.calendar import working_days_between
from permits.models import Permit
from permits.stalls.models import SEVERITY, FlagKind, StallFlag

MAX_LINES = 60  # a digest lists this many permits at most, then points to Pantau for the rest
MAX_AGENCIES = 30


def daily_text(
    user: User,
    period: date,
    flags: Sequence[StallFlag],
    reminders: Sequence[Permit],
    extra: Sequence[tuple[str, list[str]]] = (),
) -> tuple[str, str]:
    """Subject and body of ``user``'s digest of ``period``: one line per flagged permit, then the reminders, then
    the ``extra`` sections of the other flags (``permits.notify.extras``: the missing LKPM reports).

    An officer's lines name the agency; an investor's do not (it knows whom it applied to).
    """
    officer = user.role is Role.OFFICER
    sections = [(kind.label, entries) for kind, entries in _sections(flags, officer).items()]
    sections.append(
        (_("Revision window closing"), [_reminder_line(p, period) for p in sorted(reminders, key=_reminder_order)])
    )
    permits = sum(len(entries) for _heading, entries in sections)
    sections += extra
    count = sum(len(entries) for _heading, entries in sections)
    subject, intro = _daily_heads(user, period, permits, count - permits)
    lines = [_("Hello %(name)s,", name=user.name), "", intro]
    shown = 0
    for heading, entries in sections:
        if entries and shown < MAX_LINES:
            lines += ["", f"{heading} ({len(entries)})", *(f"- {e}" for e in entries[: MAX_LINES - shown])]
            shown += min(len(entries), MAX_LINES - shown)
    if shown < count:
        lines += ["", _("… and %(num)d more: see the full list in Pantau.", num=count - shown)]
    lines += ["", *_closing("permits.permit_list" if officer else "portal.home")]
    return subject, "\n".join(lines)


def _daily_heads(user: User, period: date, permits: int, others: int) -> tuple[str, str]:
    """The subject and the opening sentence: of the permits when there are any, else of the other flags."""
    officer = user.role is Role.OFFICER
    area = (user.region.name if user.region else _("Banten (every kab/kota)")) if officer else ""
    if not permits and others:
        subject = ngettext(
            "Pantau: %(num)d matter needs attention, %(day)s",
            "Pantau: %(num)d matters need attention, %(day)s",
            others,
            day=day(period),
        )
        if officer:
            return subject, _("Pantau's scan of %(day)s found these matters in %(area)s.", day=day(period), area=area)
        return subject, _("Pantau's scan of %(day)s found these matters of your company.", day=day(period))
    subject = ngettext(
        "Pantau: %(num)d permit needs attention, %(day)s",
        "Pantau: %(num)d permits need attention, %(day)s",
        permits,
        day=day(period),
    )
    if officer:
        intro = _(
            "Pantau's scan of %(day)s found these permits in %(area)s that need attention.", day=day(period), area=area
        )
    else:
        intro = _(
            "Pantau's scan of %(day)s found these permits of your company that need your attention.", day=day(period)
        )
    return subject, intro


def weekly_text(
    user: User,
    monday: date,
    as_of: date,
    open_counts: Mapping[str, Mapping[FlagKind, int]],
    new: Mapping[str, int],
    extra: Sequence[str] = (),
) -> tuple[str, str]:
    """Subject and body of the governor's office's summary: open flags per agency, most overdue first, and how
    many permits each agency saw newly flagged (``new``); then the ``extra`` lines of the other flags."""
    subject = _("Pantau: weekly summary of stalled approvals, week of %(day)s", day=day(monday))
    total = sum(sum(kinds.values()) for kinds in open_counts.values())
    lines = [
        _("Hello %(name)s,", name=user.name),
        "",
        _("Stalled approvals in Banten as of %(day)s, by agency (the one whose move it is).", day=day(as_of)),
        _("Open flags: %(total)d. Permits newly flagged since last week: %(new)d.", total=total, new=sum(new.values())),
    ]

    def rank(agency: str) -> tuple:
        counts = open_counts.get(agency, {})
        return (*(-counts.get(kind, 0) for kind in SEVERITY), -new.get(agency, 0), agency)

    agencies = sorted(set(open_counts) | set(new), key=rank)
    for agency in agencies[:MAX_AGENCIES]:
        counts = open_counts.get(agency, {})
        parts = [f"{kind.label}: {counts[kind]}" for kind in SEVERITY if counts.get(kind)]
        parts.append(_("newly flagged: %(num)d", num=new.get(agency, 0)))
        lines += ["", agency, "  " + " · ".join(parts)]
    if len(agencies) > MAX_AGENCIES:
        lines += ["", _("… and %(num)d more agencies: see Pantau.", num=len(agencies) - MAX_AGENCIES)]
    if not agencies:
        lines += ["", _("No permit is flagged: every clock is within its limit.")]
    if extra:
        lines += ["", *extra]
    lines += ["", *_closing("dashboard.index")]
    return subject, "\n".join(lines)


def _sections(flags: Sequence[StallFlag], officer: bool) -> dict[FlagKind | None, list[str]]:
    """One line per permit, in the section of its most severe flag; most severe and longest waiting first."""
    kinds_of: dict[int, set[FlagKind]] = defaultdict(set)
    permit_of: dict[int, Permit] = {}
    for flag in flags:
        kinds_of[flag.permit_id].add(flag.kind)
        permit_of[flag.permit_id] = flag.permit
    sections: dict[FlagKind | None, list[str]] = {kind: [] for kind in SEVERITY}
    for permit_id in sorted(kinds_of, key=lambda p: _flag_order(permit_of[p], kinds_of[p])):
        main = next(kind for kind in SEVERITY if kind in kinds_of[permit_id])
        sections[main].append(_flag_line(permit_of[permit_id], main, officer))
    return sections


def _flag_order(permit: Permit, kinds: set[FlagKind]) -> tuple:
    waiting_since = permit.overdue_on or permit.investor_due_on or permit.due_on or date.max
    return (min(SEVERITY.index(kind) for kind in kinds), waiting_since, permit.estate.name, permit.id)


def _reminder_order(permit: Permit) -> tuple:
    return (permit.investor_due_on or date.max, permit.estate.name, permit.id)


def _head(permit: Permit, officer: bool) -> str:
    head = f"{permit.permit_type.code}, {permit.estate.name} ({permit.estate.region.name})"
    return f"{head}, {permit.agency_name(str(get_locale() or 'id'))}" if officer else head


def _flag_line(permit: Permit, kind: FlagKind, officer: bool) -> str:
    """What the permit's most severe flag means, with the date that matters (the kind alone if it moved on)."""
    if kind is FlagKind.DEEMED_GRANTED_CANDIDATE and permit.overdue_on:
        what = _("overdue since %(day)s; the law may deem it granted (dianggap dikabulkan)", day=day(permit.overdue_on))
    elif kind is FlagKind.AUTOMATIC_OUTCOME and permit.overdue_on:
        what = _("overdue since %(day)s; the law's automatic outcome may now apply", day=day(permit.overdue_on))
    elif kind is FlagKind.REJECTION_CANDIDATE and permit.investor_since:
        what = _(
            "the process stopped on %(day)s and was not resumed in time; the application may be rejected (ditolak)",
            day=day(permit.investor_since),
        )
    elif kind is FlagKind.OVERDUE and permit.overdue_on:
        what = _("overdue since %(day)s (due on %(due)s)", day=day(permit.overdue_on), due=day(permit.due_on))
    elif kind is FlagKind.DEEMED_WITHDRAWN_CANDIDATE and permit.investor_since:
        what = _(
            "waiting for the investor since %(day)s; the file may be deemed withdrawn (dianggap ditarik kembali)",
            day=day(permit.investor_since),
        )
    elif kind is FlagKind.INVESTOR_OVERDUE and permit.investor_due_on:
        what = _("the revision window ended on %(day)s", day=day(permit.investor_due_on))
    elif kind is FlagKind.AT_RISK and permit.due_on:
        what = _("at risk: due on %(day)s", day=day(permit.due_on))
    else:
        what = kind.label
    return f"{_head(permit, officer)}: {what}{_link_line(permit, officer)}"


def _reminder_line(permit: Permit, period: date) -> str:
    due = permit.investor_due_on or period
    left = working_days_between(period, due) if due > period else 0
    if left == 0:
        what = _("the revision window ends today (%(day)s)", day=day(due))
    else:
        what = ngettext(
            "the revision window ends on %(day)s: %(num)d working day left after today",
            "the revision window ends on %(day)s: %(num)d working days left after today",
            left,
            day=day(due),
        )
    return f"{_head(permit, officer=False)}: {what}{_link_line(permit, officer=False)}"


def _link_line(permit: Permit, officer: bool) -> str:
    """The item's page on a line of its own: the office's permit page, or the portal's for an investor."""
    endpoint = "permits.permit_detail" if officer else "portal.permit_detail"
    return link_line(endpoint, permit_id=permit.id)


def link_line(endpoint: str, **values: object) -> str:
    """A page's address on a line of its own under a digest's item; absolute when ``MAIL_BASE_URL`` is set."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_app.config.get("MAIL_BASE_URL")
    return "\n  " + (base.rstrip("/") + path if base else path)


def _closing(endpoint: str) -> list[str]:
    """Where to read more: a link when ``MAIL_BASE_URL`` is set, the Notifications menu always."""
    lines = []
    if base := current_app.config.get("MAIL_BASE_URL"):
        path = current_app.url_map.bind("localhost").build(endpoint)
        lines.append(_("Open Pantau: %(url)s", url=base.rstrip("/") + path))
    lines.append(_("This message is also kept in Pantau, under Notifications in your user menu."))
    lines.append(_("Sent automatically by Pantau, DPMPTSP Banten: please do not reply to it."))
    return lines
