"""Forms of the LKPM pages: a report recorded by an officer, a correction (with its reason), and a file to import.

The forms read what a person types; the rules (how often the investor files, the capital split, dates) are the
services', which the views call and whose refusals they show beside the fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.extensions import db
from app.forms import (
    IdSelectField,
    NotBefore,
    NotInFuture,
    Present,
    RupiahField,
    WholeNumberField,
    enum_select,
    strip_or_none,
)
from app.security import Scope
from estates.models import Estate, Investor
from estates.queries import estates_visible_to, investor_choices
from realisation.models import LkpmEntry, LkpmStatus
from realisation.periods import MIN_YEAR
from realisation.services import EntryValues, Problem

TEXT = {"filters": [strip_or_none]}
EARLIEST = date(MIN_YEAR, 1, 1)
MAX_WORKERS = 10_000_000


def estate_choices(scope: Scope) -> list[tuple[int, str]]:
    """The estates the scope may see as (id, "estate · investor"), by estate name."""
    query = (
        select(Estate.id, Estate.name, Investor.legal_name)
        .join(Estate.investor)
        .where(estates_visible_to(scope))
        .order_by(Estate.name, Estate.id)
    )
    return [(row.id, f"{row.name} · {row.legal_name}") for row in db.session.execute(query)]


class ProblemsBesideFields:
    """A form mixin: ``add_problem`` shows a service's refusal beside the field it names (or above the form when it
    names none). The LKPM, layoff and province forms share it."""

    def add_problem(self, problem: Problem) -> None:
        field = self._fields.get(problem.field or "")  # type: ignore[attr-defined]
        if field is not None:
            field.errors = [*field.errors, problem.message]
        else:
            self.form_errors.append(problem.message)  # type: ignore[attr-defined]


class _ValuesForm(ProblemsBesideFields, FlaskForm):
    investment_rp = RupiahField(
        _l("Realised investment in the period (Rp)"),
        [Present()],
        description=_l("Whole rupiah, e.g. 12.500.000.000 or 12,5 miliar."),
    )
    fixed_capital_rp = RupiahField(_l("Of which fixed capital (Rp)"), [Optional()])
    working_capital_rp = RupiahField(
        _l("Of which working capital (Rp)"),
        [Optional()],
        description=_l("Optional; when both parts are given they must add up to the realised investment."),
    )
    tki = WholeNumberField(_l("Indonesian workers (TKI)"), [Present()], maximum=MAX_WORKERS)
    tka = WholeNumberField(_l("Foreign workers (TKA)"), [Present()], maximum=MAX_WORKERS)
    status = SelectField(_l("OSS status"), [Present()], default=LkpmStatus.SENT, **enum_select(LkpmStatus))
    reported_on = DateField(
        _l("Reported on"), [Present(), NotInFuture(), NotBefore(EARLIEST)], description=_l("The date of the report.")
    )
    production_notes = TextAreaField(_l("Production"), [Optional(), Length(max=5000)], **TEXT)
    obstacles = TextAreaField(_l("Obstacles"), [Optional(), Length(max=5000)], **TEXT)

    def values(self) -> EntryValues:
        return EntryValues(
            investment_rp=self.investment_rp.data,
            tki=self.tki.data,
            tka=self.tka.data,
            status=self.status.data,
            reported_on=self.reported_on.data,
            fixed_capital_rp=self.fixed_capital_rp.data,
            working_capital_rp=self.working_capital_rp.data,
            production_notes=self.production_notes.data,
            obstacles=self.obstacles.data,
        )


class EntryForm(_ValuesForm):
    """A new report: whose, for which estate (or the whole company) and period, and what it says."""

    investor_id = IdSelectField(
        _l("Investor"), [Present()], options=investor_choices, placeholder=_l("Choose an investor…")
    )
    estate_id = IdSelectField(
        _l("Estate"),
        [Optional()],
        options=list,  # set per form from the scope
        placeholder=_l("The whole company (no estate)"),
        description=_l("The estate the report covers, if it covers one."),
    )
    period = StringField(
        _l("Period"),
        [Present(), Length(max=16)],
        description=_l("2026-Q2 for a quarter; 2026-S1 for a half-year (small businesses)."),
        render_kw={"placeholder": "2026-Q2"},
        **TEXT,
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placeholder = self.estate_id.choices[:1]
        self.estate_id.choices = [*placeholder, *(SelectChoice(str(k), v) for k, v in estate_choices(scope))]


class CorrectionForm(_ValuesForm):
    """New values for a recorded report; the earlier ones are kept in its history."""

    reason = StringField(
        _l("Reason for the correction"),
        [Optional(), Length(max=500)],
        description=_l("For example: the investor corrected the report in OSS."),
        **TEXT,
    )
    version = HiddenField()

    @classmethod
    def for_entry(cls, entry: LkpmEntry, **kwargs: Any) -> CorrectionForm:
        form = cls(obj=entry, **kwargs)
        if not form.is_submitted():
            form.version.data = str(entry.version)
        return form

    @property
    def expected_version(self) -> int | None:
        text = str(self.version.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else None
