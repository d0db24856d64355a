"""What the investor portal reads: a company's own estates and permits, whose move each is, what to do next, and
the agency that holds each file or where to file it (its record: name in the user's language and contact).

Every function takes the investor's id as a plain argument (no request objects, no ``abort``) and loads records
for that investor only, so another investor's estate, permit or document is a ``NotFound``. The pages
(``portal.views``) and a JSON API share these functions, so one rule decides what an investor sees.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale
from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.errors import found
from app.extensions import db
from app.i18n import gettext as _
from app.i18n import ngettext
from app.listing import plain_rows
from app.models import Role, Setting
from app.security import Scope
from app.statements import kept_statement
from app.timezone import today_wib
from estates.models import Estate, Investor
from permits.agencies.models import Agency
from permits.catalogue import CatalogueType
from permits.catalogue import catalogue as permit_catalogue
from permits.clock import ClockState
from permits.documents import services as documents
from permits.documents.models import PermitDocument
from permits.list_rows import row_clocks
from permits.models import Permit, PermitEvent, PermitStatus, PermitType
from permits.stages import AGENCY_STATUSES, ASKED, REVISING, Holder
from permits.workflow import missing_prerequisites, permit_clock
from portal.agencies import AgencyBook, AgencyCard, agency_book
from portal.steps import decided_step, returned_step, review_step, stopped_step
from realisation.queries import InvestorOverview, investor_entries_query, investor_overview


class Who(enum.StrEnum):
    """Whose move a permit waits for, as the investor sees it."""

    YOU = "you"  # the investor can act now
    AGENCY = "agency"  # the issuing agency holds the file
    WAITING = "waiting"  # nobody can act on it until a prerequisite permit is issued
    NOBODY = "nobody"  # decided or closed


_RECORD = object()  # ``permit_line``'s agency: the permit's own record


@dataclass(frozen=True)
class PermitLine:
    """One permit type of an estate on the portal: the application (None: not filed) and what comes next.

    ``agency`` is the permit's agency, or for a type not filed yet the one the catalogue's rule gives the estate
    (where to file); ``agency_label`` its name in the user's language (an old permit's recorded text, or "the
    issuing agency" when none is known)."""

    permit_type: PermitType | CatalogueType
    permit: Permit | None
    who: Who
    agency: Agency | AgencyCard | None
    agency_label: str
    next_step: str
    due_on: date | None = None
    days_left: int | None = None  # working days; negative when late
    late_since: date | None = None  # the agency holds the file past its deadline: since when it holds it


@dataclass(frozen=True)
class HelpDesk:
    """Whom an investor asks about a late file (DPMPTSP Banten) and where to complain: settings an administrator
    edits (migration 0016), an empty string for a setting that is missing."""

    phone: str
    email: str
    address: str
    complaint_name: str
    complaint_url: str
    complaint_sms: str

    @property
    def complaint_link(self) -> str | None:
        """The complaint channel's address when it is a web address (an edited setting never becomes a script)."""
        return self.complaint_url if self.complaint_url.startswith(("https://", "http://")) else None


HELP_DESK_SETTINGS = {
    "phone": "help.dpmptsp_phone",
    "email": "help.dpmptsp_email",
    "address": "help.dpmptsp_address",
    "complaint_name": "help.complaint_name",
    "complaint_url": "help.complaint_url",
    "complaint_sms": "help.complaint_sms",
}


def help_desk() -> HelpDesk:
    """The help desk's contact and the complaint channel, from the settings, in one query."""
    keys = list(HELP_DESK_SETTINGS.values())
    values = dict(db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).tuples().all())
    return HelpDesk(**{field: (values.get(key) or "").strip() for field, key in HELP_DESK_SETTINGS.items()})


def _locale() -> str:
    return str(get_locale() or "id")


def agency_label(agency: Agency | AgencyCard | None, legacy: str | None = None) -> str:
    """An agency's name in the user's language; else the text an old permit was recorded with, else a
    description."""
    if agency is not None:
        return agency.name(_locale())
    return legacy or _("the issuing agency")


def investor_scope(investor_id: int) -> Scope:
    """What an investor's user may see: its own estates and their permits."""
    return Scope(role=Role.INVESTOR, investor_id=investor_id)


def investor_estates_page(investor_id: int, limit: int, offset: int) -> Sequence[Estate]:
    """``limit`` estates of ``investor_estates_query`` from ``offset``, by a statement built once
    (``app.statements``), the investor, limit and offset bound."""

    def build() -> Select:
        return investor_estates_query(bindparam("investor_id")).limit(bindparam("limit")).offset(bindparam("offset"))

    stmt = kept_statement("portal-estates", (), build)
    return db.session.scalars(stmt, {"investor_id": investor_id, "limit": limit, "offset": offset}).unique().all()


def investor_estates_query(investor_id: int | BindParameter) -> Select:
    """The investor's estates by name, with their region and the investor (to paginate: the lines read its capital
    status, the page its name)."""
    return (
        select(Estate)
        .where(Estate.investor_id == investor_id)
        .options(joinedload(Estate.region), joinedload(Estate.investor))
        .order_by(Estate.name, Estate.id)
    )


def investor_estate_count(investor_id: int) -> int:
    """How many estates ``investor_estates_query`` lists."""
    return db.session.scalar(select(func.count(Estate.id)).where(Estate.investor_id == investor_id)) or 0


def investor_estate(investor_id: int, estate_id: int) -> Estate:
    """One of the investor's estates with region and zones; 404 for anybody else's."""
    documents.require_id(estate_id)
    query = (
        select(Estate)
        .where(Estate.id == estate_id, Estate.investor_id == investor_id)
        .options(joinedload(Estate.region), selectinload(Estate.zones))
    )
    return found(db.session.scalars(query).unique().one_or_none())


def investor_of(investor_id: int) -> Investor:
    return found(db.session.get(Investor, investor_id))


def investor_permit(investor_id: int, permit_id: int) -> Permit:
    """One permit of the investor's estates; 404 for anybody else's."""
    return documents.visible_permit(investor_scope(investor_id), permit_id)


def permit_events(permit_id: int) -> Sequence[PermitEvent]:
    """The permit's history, newest first."""
    query = select(PermitEvent).where(PermitEvent.permit_id == permit_id).order_by(PermitEvent.seq.desc())
    return db.session.scalars(query).all()


def investor_documents_query(investor_id: int) -> Select:
    """Every document on the permits of the investor's estates, newest first, with permit, type and estate."""
    return (
        select(PermitDocument)
        .join(PermitDocument.permit)
        .join(Permit.estate)
        .where(Estate.investor_id == investor_id)
        .options(
            contains_eager(PermitDocument.permit).contains_eager(Permit.estate),
            contains_eager(PermitDocument.permit).joinedload(Permit.permit_type),
            joinedload(PermitDocument.uploaded_by),
        )
        .order_by(PermitDocument.uploaded_at.desc(), PermitDocument.id.desc())
    )


def latest_return_notes(permit_ids: Sequence[int]) -> dict[int, str | None]:
    """For each permit, the note of its latest return for revision (the agency's request), in one query."""
    if not permit_ids:
        return {}
    query = kept_statement("portal-return-notes", (), _return_notes)
    return dict(db.session.execute(query, {"permit_ids": list(permit_ids)}).tuples().all())


def _return_notes() -> Select:
    latest = (
        select(PermitEvent.permit_id, func.max(PermitEvent.seq).label("seq"))
        .where(PermitEvent.permit_id.in_(bindparam("permit_ids", expanding=True)), PermitEvent.to_status.in_(ASKED))
        .group_by(PermitEvent.permit_id)
        .subquery()
    )
    return select(PermitEvent.permit_id, PermitEvent.note).join(
        latest, (PermitEvent.permit_id == latest.c.permit_id) & (PermitEvent.seq == latest.c.seq)
    )


def permit_lines(estates: Sequence[Estate]) -> dict[int, list[PermitLine]]:
    """For each estate, one line per permit (catalogue order, earlier applications first) and per type not filed.

    A fixed number of queries whatever the number of estates: the catalogue, the permits, the agencies'
    latest return notes; clocks are computed with one calendar. The permits are plain rows of the permit's columns
    (``PermitLine.permit``: read by attribute, as a ``Permit``), not ORM objects (issue 13: 50 permits hydrated
    cost about 1 ms).
    """
    ids = [e.id for e in estates]
    catalogue = permit_catalogue()
    book = agency_book()  # the rules and the agencies as plain data: a permit's agency is found there, not read
    query = kept_statement("portal-permits", (), _estates_permits)  # built once (``app.statements``)
    permits = plain_rows(query, {"estate_ids": ids}) if ids else []  # the permit's columns by name, no ORM object
    by_estate: dict[int, list[Any]] = defaultdict(list)
    for permit in permits:
        by_estate[permit.estate_id].append(permit)
    timed = [p for p in permits if p.status in _TIMED]  # a decided or unfiled line shows none
    clocks = row_clocks(timed, today_wib())  # ``permit_clocks`` with the catalogue's limits kept, not read again
    notes = latest_return_notes([p.id for p in permits if p.status in ASKED])
    return {e.id: _estate_lines(e, catalogue, by_estate[e.id], clocks, notes, book) for e in estates}


def _estates_permits() -> Select:
    """The permits of the estates ``estate_ids`` in the lines' order; the type of each line is the catalogue's
    (plain data), so the permit's own is not loaded."""
    return (
        select(Permit)
        .join(Permit.permit_type)
        .where(Permit.estate_id.in_(bindparam("estate_ids", expanding=True)))
        .order_by(Permit.estate_id, PermitType.sequence, Permit.submitted_on.asc().nulls_first(), Permit.id)
    )


def _estate_lines(
    estate: Estate,
    catalogue: Sequence[CatalogueType],
    permits: list[Any],
    clocks: dict[int, ClockState | None],
    notes: dict[int, str | None],
    book: AgencyBook,
) -> list[PermitLine]:
    granted = {p.permit_type_id for p in permits if p.status.is_granted}
    filed: dict[int, list[Any]] = defaultdict(list)  # by type, in the lines' order (one pass, not one per type)
    for permit in permits:
        filed[permit.permit_type_id].append(permit)
    lines = []
    for ptype in catalogue:
        missing = [pre.code for pre in ptype.prerequisites if pre.id not in granted]
        if ptype.id not in filed:
            where = book.resolve(ptype.id, estate.investor.capital_status, estate.region_id)
            lines.append(_unfiled_line(ptype, missing, where))
        for permit in filed.get(ptype.id, ()):
            agency = book.by_id.get(permit.agency_id) if permit.agency_id is not None else None
            lines.append(permit_line(permit, clocks.get(permit.id), missing, notes.get(permit.id), ptype, agency))
    return lines


def _codes(codes: list[str]) -> str:
    return format_list(codes, locale=str(get_locale() or "id"))


def _unfiled_line(ptype: CatalogueType, missing: list[str], agency: AgencyCard | None) -> PermitLine:
    label = agency_label(agency)
    if missing:
        step = ngettext(
            "File %(code)s when %(codes)s is issued.",
            "File %(code)s when %(codes)s are issued.",
            len(missing),
            code=ptype.code,
            codes=_codes(missing),
        )
        return PermitLine(ptype, None, Who.WAITING, agency, label, step)
    step = _("Ready to file: submit the %(code)s application to %(agency)s.", code=ptype.code, agency=label)
    return PermitLine(ptype, None, Who.YOU, agency, label, step)


def permit_line(
    permit: Permit,
    clock: ClockState | None,
    missing: list[str],
    return_note: str | None,
    ptype: PermitType | CatalogueType | None = None,
    agency: Agency | AgencyCard | object | None = _RECORD,
) -> PermitLine:
    """Whose move ``permit`` waits for, its due date and working days left, and the next step in plain words
    (``ptype``: its type, when the caller has it; ``agency``: its agency, when the caller has it, else the
    permit's record). ``clock`` may be None for a status outside ``_TIMED``."""
    ptype, status = ptype or permit.permit_type, permit.status
    agency = permit.agency if agency is _RECORD else agency
    label = agency_label(agency, permit.issuing_authority)
    if clock is not None and (line := _timed_line(permit, ptype, agency, label, clock, return_note)) is not None:
        return line
    if status is PermitStatus.NOT_STARTED:
        if missing:
            waiting = _("Waiting for %(codes)s", codes=_codes(missing))
            return PermitLine(ptype, permit, Who.WAITING, agency, label, waiting)
        step = _("Ready to file: submit the %(code)s application to %(agency)s.", code=ptype.code, agency=label)
        return PermitLine(ptype, permit, Who.YOU, agency, label, step)
    return PermitLine(ptype, permit, Who.NOBODY, agency, label, decided_step(permit, label))


# The statuses whose line reads the clock: someone's time runs (``permits.stages.holder``); the others (not filed,
# decided, closed) show no deadline, so the home page computes no clock for them.
_TIMED = AGENCY_STATUSES | REVISING


def _timed_line(permit: Permit, ptype, agency, label: str, clock: ClockState, note: str | None) -> PermitLine | None:
    status = permit.status
    if status in ASKED:
        left = None if clock.investor_limit is None else clock.investor_limit - clock.investor_round_days_used
        step = returned_step(note, clock.investor_due_on, clock.investor_overdue)
        return PermitLine(ptype, permit, Who.YOU, agency, label, step, clock.investor_due_on, left)
    if status is PermitStatus.PROCESS_STOPPED:
        step = stopped_step(clock.investor_silent_on)
        return PermitLine(ptype, permit, Who.YOU, agency, label, step, clock.investor_silent_on)
    if status is PermitStatus.SUBMITTED and clock.holder is Holder.INVESTOR:
        step = _("Pay the fee in OSS: %(agency)s checks the file once it is paid.", agency=label)
        return PermitLine(ptype, permit, Who.YOU, agency, label, step, clock.investor_silent_on)
    if clock.holder is Holder.AGENCY:
        since = (permit.running_since or permit.submitted_on) if clock.agency_days_left < 0 else None
        line = PermitLine(ptype, permit, Who.AGENCY, agency, label, review_step(label, clock, since), clock.due_on)
        return replace(line, days_left=clock.agency_days_left, late_since=since)
    return None


def single_permit_line(
    permit: Permit,
    events: Sequence[PermitEvent] | None = None,
    clock: ClockState | None = None,
    ptype: CatalogueType | None = None,
) -> PermitLine:
    """The line of one permit (its page): prerequisites, clock and return note read for it alone. ``events``: its
    history as ``permit_events`` reads it (the page shows it), where the latest return's note is found without
    another query; ``clock``: its clock, when the page has it already; ``ptype``: its type in the kept catalogue
    (by default the permit's record)."""
    missing = []
    if permit.status is PermitStatus.NOT_STARTED:
        missing = [t.code for t in missing_prerequisites(permit, ptype.prerequisites if ptype else None)]
    if events is None:
        note = latest_return_notes([permit.id]).get(permit.id)
    else:  # newest first: the first return for revision is the latest
        note = next((e.note for e in events if e.to_status in ASKED), None)
    return permit_line(permit, clock or permit_clock(permit), missing, note, ptype)


def lkpm_overview(investor_id: int, today: date) -> InvestorOverview:
    """The investor's LKPM duty: how often it files, the reports overdue and the next one due."""
    return investor_overview(investor_of(investor_id), today)


def lkpm_entries_query(investor_id: int) -> Select:
    """The investor's own LKPM reports, latest period first (to paginate)."""
    return investor_entries_query(investor_id)
