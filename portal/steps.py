"""The next step of a permit's line on the portal, in plain words: the agency's return note quoted, the time to
revise, the agency's days left or late, and the closing line of a decided or closed permit (``portal.services``
chooses which)."""

from __future__ import annotations

from datetime import date
from functools import cache

from flask import current_app
from flask_babel import force_locale

from app.formatting import day
from app.i18n import gettext as _
from app.i18n import ngettext
from permits.clock import ClockState
from permits.models import Permit, PermitStatus
from permits.services import RECORDING_NOTE


def agency_request(note: str | None) -> str | None:
    """The agency's return note as a quotation, or None when there is none worth quoting: a permit recorded
    after the fact carries only Pantau's recording note, which would tell the investor nothing."""
    note = (note or "").strip().rstrip(".").strip()
    if not note:
        return None
    return None if note in _recording_notes(tuple(current_app.config["LANGUAGES"])) else f"“{note}”"


@cache
def _recording_notes(languages: tuple[str, ...]) -> frozenset[str]:
    """Pantau's recording note in each language, read once per process (``force_locale`` reloads the translations:
    a page of returned permits paid it on every line, issue 13)."""
    recorded = set()
    for lang in languages:
        with force_locale(lang):
            recorded.add(str(RECORDING_NOTE).rstrip("."))
    return frozenset(recorded)


def returned_step(note: str | None, due: date | None, late: bool) -> str:
    asked = agency_request(note) or _("what the agency asked for in its letter")
    if due is None:
        return _("Revise and resubmit: %(asked)s.", asked=asked)
    if late:
        return _(
            "Revise and resubmit: %(asked)s. Your time to revise ended on %(due)s: send it as soon as you can.",
            asked=asked,
            due=day(due, "long"),
        )
    return _("Revise and resubmit: %(asked)s by %(due)s.", asked=asked, due=day(due, "long"))


def stopped_step(until: date | None) -> str:
    if until is None:
        return _("The process was stopped: send the revision to resume it.")
    return _(
        "The process was stopped: send the revision to resume it before %(day)s, or the application is rejected.",
        day=day(until, "long"),
    )


def review_step(agency: str, clock: ClockState, since: date | None) -> str:
    if clock.agency_days_left >= 0:
        return ngettext(
            "Nothing to do: %(agency)s has %(num)d working day left.",
            "Nothing to do: %(agency)s has %(num)d working days left.",
            clock.agency_days_left,
            agency=agency,
        )
    if since is None:
        return ngettext(
            "Nothing to do: %(agency)s is %(num)d working day late.",
            "Nothing to do: %(agency)s is %(num)d working days late.",
            clock.days_overdue,
            agency=agency,
        )
    return ngettext(
        "Late: %(agency)s has held your file since %(since)s and is %(num)d working day late.",
        "Late: %(agency)s has held your file since %(since)s and is %(num)d working days late.",
        clock.days_overdue,
        agency=agency,
        since=day(since, "long"),
    )


def decided_step(permit: Permit, agency: str) -> str:
    """The closing line of a decided or closed permit: only its own sentence is translated (a page shows
    hundreds of these lines)."""
    when = day(permit.decided_on, "long") if permit.status in _DECIDED_STEPS else None
    step = _DECIDED_STEPS.get(permit.status)
    return step(when, agency) if step is not None else permit.status.label


_DECIDED_STEPS = {
    PermitStatus.ISSUED: lambda when, _agency: _("Done: issued on %(day)s.", day=when),
    PermitStatus.VERIFIED: lambda when, _agency: _("Done: verified on %(day)s.", day=when),
    PermitStatus.DEEMED_GRANTED: lambda when, _agency: _(
        "Done: granted by law (no decision in time) on %(day)s.", day=when
    ),
    PermitStatus.FROZEN: lambda _when, agency: _(
        "Frozen by %(agency)s. Contact DPMPTSP Banten to learn what is needed.", agency=agency
    ),
    PermitStatus.REJECTED: lambda when, _agency: _(
        "Closed: rejected on %(day)s. Contact DPMPTSP Banten before you apply again.", day=when
    ),
    PermitStatus.WITHDRAWN: lambda when, _agency: _("Closed: withdrawn on %(day)s.", day=when),
    PermitStatus.DEEMED_WITHDRAWN: lambda when, _agency: _("Closed: deemed withdrawn by law on %(day)s.", day=when),
    PermitStatus.CANCELLED: lambda when, _agency: _("Closed: cancelled on %(day)s.", day=when),
    PermitStatus.REVOKED: lambda when, _agency: _("Closed: revoked on %(day)s.", day=when),
}
