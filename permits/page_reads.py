"""What the permit page reads, in fewer statements (issue 13): the permit with its agency (and the agency's
kab/kota) and its type's rules and prerequisites loaded by one statement, instead of lazily by the template or by
statements of their own; and the estate's applications of the prerequisite types and of the permit's own type
in one query instead of two."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.formatting import wib
from app.html_rows import Texts, memo
from app.security import Scope
from permits import services
from permits.agencies.models import Agency
from permits.models import Permit, PermitEvent, PermitType


def permit_for_page(permit_id: int, scope: Scope) -> Permit:
    """``services.get_permit`` with the permit's agency and its kab/kota, and its type's rules and prerequisites,
    loaded by the same statement (404 outside the scope)."""
    ptype = joinedload(Permit.permit_type)
    return services.get_permit(
        permit_id,
        scope,
        joinedload(Permit.agency).joinedload(Agency.region),
        ptype.joinedload(PermitType.rules),
        prerequisites=ptype.joinedload(PermitType.prerequisites),
    )


def related_applications(permit: Permit) -> tuple[dict[int, Permit], Sequence[Permit]]:
    """``services.prerequisite_permits`` and ``services.sibling_applications`` of the permit, by one query: for
    each prerequisite type, the estate's latest application of it; and the estate's other applications of the
    permit's type, earliest first."""
    wanted = {p.id for p in permit.permit_type.prerequisites}
    query = (
        select(Permit)
        .where(Permit.estate_id == permit.estate_id, Permit.permit_type_id.in_([*wanted, permit.permit_type_id]))
        .order_by(Permit.submitted_on.asc().nulls_first(), Permit.id)
    )
    found = db.session.scalars(query).all()
    prerequisites = {p.permit_type_id: p for p in found if p.permit_type_id in wanted}  # the later one wins
    siblings = [p for p in found if p.permit_type_id == permit.permit_type_id and p.id != permit.id]
    return prerequisites, siblings


def history_html(events: Sequence[PermitEvent]) -> Markup:
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
