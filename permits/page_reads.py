"""What the permit page reads, in fewer statements and fewer objects (issue 13): the permit with its estate (the
one join its scope needs, also the estate's loader), the estate's investor and kab/kota, its agency and the
agency's kab/kota, by one statement; the permit catalogue (the type's names, prerequisites and rules under each
regime) as plain data kept until the next committed write (``app.fragments``), instead of joined to every page's
permit (three collections joined made the statement dear to plan and its rows dear to turn into objects: about
2.5 ms of a 14 ms page); and the estate's applications of the prerequisite types and of the permit's own type in
one query instead of two."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import contains_eager, joinedload, with_expression

from app.errors import found
from app.extensions import db
from app.formatting import wib
from app.html_rows import Texts, memo
from app.listing import plain_rows
from app.models import User
from app.security import Scope
from app.statements import kept_statement
from estates.models import Estate
from estates.queries import estates_visible_to
from permits.agencies.models import Agency
from permits.catalogue import CatalogueType, KeptRule
from permits.documents.models import PermitDocument
from permits.models import Permit, PermitEvent, PermitType
from permits.workflow import MissingRule, regime_for


def permit_for_page(permit_id: int, scope: Scope) -> Permit:
    """The permit with its estate, the estate's investor and kab/kota, its agency and the agency's kab/kota, and
    its number of documents (``Permit.document_count``: the documents panel reads none when there are none, most
    permits), by one statement (404 when unknown or outside the scope). Its type is ``catalogue.type_of``'s, not
    loaded here. The statement is built once per scope (``app.statements``)."""

    def build() -> Select:
        estate = contains_eager(Permit.estate)
        documents = select(func.count(PermitDocument.id)).where(PermitDocument.permit_id == Permit.id)
        return (
            select(Permit)
            .join(Permit.estate)
            .where(Permit.id == bindparam("permit_id"), estates_visible_to(scope))
            .options(
                estate.joinedload(Estate.investor),
                estate.joinedload(Estate.region),
                joinedload(Permit.agency).joinedload(Agency.region),
                with_expression(Permit.document_count, documents.scalar_subquery()),
            )
        )

    query = kept_statement("permit-page", scope, build)
    return found(db.session.scalars(query, {"permit_id": permit_id}).one_or_none())


def page_rule(permit: Permit, ptype: CatalogueType, today: date) -> KeptRule:
    """``permits.workflow.rule_of`` for the page: the rule of the permit's regime or, before it is filed, of the
    regime of ``today``."""
    regime_id = permit.regime_id if permit.regime_id is not None else regime_for(today).id
    rule = ptype.rule_for(regime_id)
    if rule is None:
        raise MissingRule(f"no rule for {ptype.code} under regime {regime_id}")
    return rule


# What the page's history and sub-stages read of each event (``history_html``, ``stage_usage``), by these names.
EVENT_COLUMNS = (
    PermitEvent.seq,
    PermitEvent.effective_on,
    PermitEvent.recorded_at,
    PermitEvent.from_status,
    PermitEvent.to_status,
    PermitEvent.note,
    PermitEvent.clock_running,
    PermitEvent.agency_days_used,
    PermitEvent.sla_working_days,
    PermitEvent.due_on,
    PermitEvent.evidence_fingerprint,
)


def page_events(permit_id: int) -> Sequence[Any]:
    """``services.permit_history`` as plain rows of ``EVENT_COLUMNS`` and ``actor_name`` (``PermitEvent``'s: the
    user's name now, else the label written at the time), oldest first, by one statement (built once): no event or
    user object made for a page that only shows them."""
    return db.session.execute(kept_statement("permit-page-events", (), _events_query), {"permit_id": permit_id}).all()


def _events_query() -> Select:
    actor_name = case((User.id.is_not(None), User.name), else_=PermitEvent.actor).label("actor_name")
    return (
        select(*EVENT_COLUMNS, actor_name)
        .outerjoin(User, User.id == PermitEvent.actor_id)
        .where(PermitEvent.permit_id == bindparam("permit_id"))
        .order_by(PermitEvent.seq)
    )


# What the page shows of the estate's other applications (``related_applications``), by these names.
RELATED_COLUMNS = (
    Permit.id,
    Permit.permit_type_id,
    Permit.status,
    Permit.reference_number,
    Permit.submitted_on,
    Permit.decided_on,
)


def related_applications(
    permit: Permit, ptype: CatalogueType | PermitType | None = None
) -> tuple[dict[int, Any], Sequence[Any]]:
    """``services.prerequisite_permits`` and ``services.sibling_applications`` of the permit as plain rows of
    ``RELATED_COLUMNS``, by one query: for each prerequisite type (of ``ptype``, by default the permit's type), the
    estate's latest application of it; and the estate's other applications of the permit's type, earliest
    first."""
    wanted = {p.id for p in (ptype or permit.permit_type).prerequisites}
    query = kept_statement("permit-page-related", (), _related_query)
    found = db.session.execute(query, {"estate_id": permit.estate_id, "types": [*wanted, permit.permit_type_id]}).all()
    prerequisites = {p.permit_type_id: p for p in found if p.permit_type_id in wanted}  # the later one wins
    siblings = [p for p in found if p.permit_type_id == permit.permit_type_id and p.id != permit.id]
    return prerequisites, siblings


def _related_query() -> Select:
    return (
        select(*RELATED_COLUMNS)
        .where(
            Permit.estate_id == bindparam("estate_id"), Permit.permit_type_id.in_(bindparam("types", expanding=True))
        )
        .order_by(Permit.submitted_on.asc().nulls_first(), Permit.id)
    )


def history_html(events: Sequence[Any]) -> Markup:
    """The permit page's history, newest first, as ``timeline`` of ``_macros.html`` with the page's lines under
    each event wrote it (the moves, their notes, who made them and the clock at each), written by Python: a
    permit's dozen events were a macro, a caller and a dozen translated texts each."""
    if not events:
        return Markup(
            '<ol class="list-group list-group-flush timeline" id="timeline"><li class="list-group-item '
            'text-body-secondary">%s</li></ol>'
        ) % Texts()("No event recorded.")
    t = Texts()
    badge = memo(lambda status: f'<span class="badge text-bg-{status.css} status-badge">{t.label(status)}</span>')
    arrow = ' <i class="bi bi-arrow-right" aria-hidden="true"></i> '
    out = ['<ol class="list-group list-group-flush timeline" id="timeline">']
    for ev in reversed(events):
        moved = f"{badge(ev.from_status)}{arrow}" if ev.from_status else ""
        note = f'<p class="mb-1 mt-2 event-note">{escape(ev.note)}</p>' if ev.note else ""
        lines = t("By %(actor)s, recorded %(when)s.", actor=ev.actor_name, when=wib(ev.recorded_at))
        if ev.from_status:
            used, sla = ev.agency_days_used, ev.sla_working_days
            if ev.clock_running:
                due = t.day(ev.due_on)
                lines += " " + t(
                    "Clock running: %(used)d of %(sla)d days used, due %(due)s.", used=used, sla=sla, due=due
                )
            elif ev.to_status.is_decided:
                lines += " " + t(
                    "Decided after %(used)d working days of the agency (limit %(sla)d).", used=used, sla=sla
                )
                if used > sla:
                    late = t.plural("%(num)d working day late.", "%(num)d working days late.", used - sla)
                    lines += Markup(' <span class="text-danger">%s</span>') % late
            else:
                lines += " " + t("Clock stopped at %(used)d of %(sla)d days.", used=used, sla=sla)
            if ev.evidence_fingerprint:
                cited = t("Evidence cited: SHA-256 %(hash)s", hash=ev.evidence_fingerprint)
                lines += Markup("<div>%s</div>") % cited
        out.append(
            '<li class="list-group-item"><div class="d-flex flex-wrap justify-content-between gap-2">'
            f'<div>{moved}{badge(ev.to_status)}</div><div class="small text-body-secondary">{t.day(ev.effective_on)}'
            f'</div></div>{note}<div class="small text-body-secondary mt-1">{lines}</div></li>'
        )
    out.append("</ol>")
    return Markup("".join(out))  # noqa: S704 - every value above escaped, every text a catalogue's


def estate_panel_permits(estate_id: int, scope: Scope) -> Sequence[Any]:
    """``services.estate_permits`` as plain rows of the permit's columns, by a statement built once per kind of
    scope (``app.statements``): the panel's rows and clocks read them by name, no ``Permit`` or type object made."""

    def build() -> Select:
        return (
            select(*Permit.__table__.c)
            .join(PermitType, PermitType.id == Permit.permit_type_id)
            .join(Estate, Estate.id == Permit.estate_id)
            .where(Permit.estate_id == bindparam("estate_id"), estates_visible_to(scope))
            .order_by(PermitType.sequence, Permit.submitted_on.asc().nulls_first(), Permit.id)
        )

    query = kept_statement("estate-panel-permits", scope, build)
    return plain_rows(query, {"estate_id": estate_id})
