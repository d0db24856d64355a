"""The rows of the portal's permits tables rendered in Python (issue 13): the home page shows about fifty lines,
and a macro call per cell (status, whose move, deadline, help, contact) cost more than the rest of the page.

The HTML is the one ``portal/_macros.html`` gave: the status, whose move and the deadline are written here as
the macros write them (``tests/portal/test_portal_rows.py`` compares them), once per distinct value and page; an
agency's contact and the help text are rendered by their macros once per distinct value and page; the rows are
put together with ``markupsafe`` (every text escaped), and the table around them (``permits_frame``) is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import g, get_template_attribute
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.fragments import cached
from app.html_rows import ROWS, MacroOnce, Texts, memo
from app.timezone import today_wib
from app.urls import id_url
from permits.workflow import due_is_estimated
from portal.services import HelpDesk, PermitLine, Who

_RETURNED = frozenset({"returned", "revision", "process_stopped"})


class _Cells:
    """What every table of a page shares: the macros' cells per value, the labels, the links."""

    def __init__(self) -> None:
        self.help = MacroOnce("portal/_macros.html", "late_help")
        self.t = t = Texts()
        today = today_wib()
        self.estimated: Callable[[date], bool] = memo(lambda due: due_is_estimated(due, today))
        self.status: Callable[[Any], str] = memo(  # ``status_badge`` of ``_macros.html``
            lambda status: f'<span class="badge text-bg-{status.css} status-badge">{t.label(status)}</span>'
        )
        you = '<i class="bi bi-person-fill" aria-hidden="true"></i>'
        self.whose = {  # ``who_cell`` of ``portal/_macros.html`` (its whitespace too), but the agency's
            Who.YOU: f'\n  <span class="badge text-bg-warning who-you-badge">{you} {t("You")}</span>\n  \n',
            Who.WAITING: f'\n  <span class="text-body-secondary">{t("Nobody yet")}</span>\n  \n',
            Who.NOBODY: '\n  <span class="text-body-secondary">—</span>\n',
        }
        self.deadlines: dict[tuple[date | None, int | None], str] = {}
        self.contact = MacroOnce("agencies/_agency.html", "agency_contact")
        labels = [_("Permit"), _("Status"), _("Whose move"), _("Deadline"), _("What to do next")]
        self.labels = [escape(label) for label in labels]
        self.permit_url = id_url("portal.permit_detail", "permit_id")
        self.answer_url = id_url("portal.permit_detail", "permit_id", _anchor="answer")
        self.locale = str(get_locale() or "id")
        self.not_filed = Markup('<span class="badge text-bg-light border">{}</span>').format(_("Not filed yet"))
        self.send = Markup(' <i class="bi bi-upload" aria-hidden="true"></i> {}</a></div>').format(
            _("Send the revision")
        )
        self.where = escape(_("Where to file"))
        self.type_names: dict[int, Markup] = {}

    def who(self, line: PermitLine) -> str:
        """``who_cell`` of ``portal/_macros.html``."""
        if line.who is Who.AGENCY:
            return f'\n  <i class="bi bi-building" aria-hidden="true"></i> {escape(line.agency_label)}\n  \n'
        return self.whose[line.who]

    def deadline(self, due_on: date | None, days_left: int | None) -> str:
        """``deadline_cell`` of ``portal/_macros.html`` (its whitespace too), once per distinct value."""
        key = (due_on, days_left)
        if key not in self.deadlines:
            self.deadlines[key] = self._deadline(due_on, days_left)
        return self.deadlines[key]

    def _deadline(self, due_on: date | None, days_left: int | None) -> str:
        t, out = self.t, "\n  "
        if due_on:
            estimated = f" ({t('estimated')})" if self.estimated(due_on) else ""
            out += f'<div class="text-nowrap">{t.day(due_on)}{estimated}</div>'
        out += "\n  "
        if days_left is not None and days_left >= 0:
            left = t.plural("%(num)d working day left", "%(num)d working days left", days_left)
            out += f'\n    <div class="small text-nowrap">{left}</div>\n    \n  '
        elif days_left is not None:
            late = t.plural("%(num)d working day overdue", "%(num)d working days overdue", -days_left)
            out += f'\n    <div class="small text-nowrap text-danger fw-semibold">{late}</div>\n  '
        out += "\n  "
        if not due_on and days_left is None:
            out += '<span class="text-body-secondary">—</span>'
        return out + "\n"


def _cells() -> _Cells:
    cells = g.get("portal_cells")
    if cells is None or cells.locale != str(get_locale() or "id"):  # a test's requests may share one ``g``
        g.portal_cells = _Cells()
    return g.portal_cells


_TABLE_ID = "\x00table-id\x00"  # where a table's id goes in the kept frame


def _frame(locale: str) -> tuple[str, str]:
    frame = get_template_attribute("portal/_macros.html", "permits_frame")
    head, tail = str(frame(_TABLE_ID, ROWS)).split(ROWS, 1)
    return head, tail


def permits_table(lines: Sequence[PermitLine], desk: Callable[[], HelpDesk], table_id: str = "permits") -> Markup:
    """An estate's permits table (``permits_frame`` of ``portal/_macros.html``: the headers and labels, rendered
    once per language and kept until the next committed write; it reads no table) with its ``lines``' rows: the
    home page shows five of them, and a macro call per table cost as much as their rows."""
    c = _cells()
    head, tail = cached("portal-permits-frame", (c.locale,), lambda: _frame(c.locale))
    html = "".join((head.replace(_TABLE_ID, str(escape(table_id))), str(permit_rows(lines, desk)), tail))
    return Markup(html)  # noqa: S704 - an autoescaping macro's frame, the id escaped, the rows escaped below


def permit_rows(lines: Sequence[PermitLine], desk: Callable[[], HelpDesk]) -> Markup:
    """The ``<tr>`` of each line of an estate's permits table (``permits_table`` in ``portal/_macros.html``);
    ``desk`` gives the help desk (read only when a line is late)."""
    c = _cells()
    l_permit, l_status, l_who, l_deadline, l_next = c.labels
    out = []
    for line in lines:  # plain text: every value below is escaped (or a macro's Markup) before it goes in
        ptype, permit = line.permit_type, line.permit
        code = escape(ptype.code)
        if permit is not None:
            first = f'<a class="fw-semibold" href="{c.permit_url(permit.id)}">{code}</a>'
            badge = c.status(permit.status)
        else:
            first, badge = f'<span class="fw-semibold">{code}</span>', c.not_filed
        if ptype.id not in c.type_names:
            c.type_names[ptype.id] = escape(ptype.name(c.locale))
        who = c.who(line)
        out += [
            f'<tr class="portal-line who-{line.who.value}" data-type="{code}">',
            f'<td data-label="{l_permit}">{first} <div class="small text-body-secondary">{c.type_names[ptype.id]}',
            f'</div></td><td data-label="{l_status}">{badge}</td>',
            f'<td class="small who" data-label="{l_who}">{who}</td>',
            f'<td class="deadline" data-label="{l_deadline}">{c.deadline(line.due_on, line.days_left)}</td>',
            f'<td class="next-step" data-label="{l_next}">{escape(line.next_step)}',
        ]
        if line.late_since:
            out.append(c.help(True, line, desk()))
        if permit is None:
            out.append(' <div class="mt-1 small file-with">')
            if line.who is Who.WAITING:
                out.append(f"<div>{c.where}: {escape(line.agency_label)}</div>")
            out += [c.contact(line.agency.id if line.agency is not None else None, line.agency), "</div>"]
        elif permit.status.value in _RETURNED:
            href = c.answer_url(permit.id)
            out.append(f' <div class="mt-2"><a class="btn btn-sm btn-primary" href="{href}">{c.send}')
        out.append("</td></tr>\n")
    return Markup("".join(out))  # noqa: S704 - every text escaped above, the macros' cells autoescaped
