"""The form of a published total (a new release, or a revision of an earlier one)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.forms import (
    NotBefore,
    NotInFuture,
    Present,
    RupiahField,
    WholeNumberField,
    enum_select,
    strip_or_none,
)
from realisation.forms import ProblemsBesideFields
from realisation.periods import MIN_YEAR
from realisation.province.models import SourceKind
from realisation.province.services import ReleaseFields

TEXT = {"filters": [strip_or_none]}
MAX_JOBS = 100_000_000


class ReleaseForm(ProblemsBesideFields, FlaskForm):
    period = StringField(_l("Period"), [Present(), Length(max=16)], description=_l("2025, 2025-S1 or 2025-Q3."), **TEXT)
    investment_rp = RupiahField(
        _l("Realised investment (Rp)"), [Present()], description=_l("For example 130,2 triliun.")
    )
    pma_rp = RupiahField(_l("Of which PMA (Rp)"), [Optional()])
    pmdn_rp = RupiahField(_l("Of which PMDN (Rp)"), [Optional()])
    jobs_total = WholeNumberField(_l("Jobs"), [Optional()], maximum=MAX_JOBS)
    jobs_tki = WholeNumberField(_l("Of which Indonesian workers (TKI)"), [Optional()], maximum=MAX_JOBS)
    jobs_tka = WholeNumberField(_l("Of which foreign workers (TKA)"), [Optional()], maximum=MAX_JOBS)
    source = StringField(
        _l("Source"), [Present(), Length(max=300)], description=_l("Who published it, and where."), **TEXT
    )
    source_kind = SelectField(_l("Kind of source"), [Present()], default=SourceKind.PRIMARY, **enum_select(SourceKind))
    released_on = DateField(
        _l("Released on"), [Optional(), NotInFuture(), NotBefore(date(MIN_YEAR, 1, 1))], description=_l("If known.")
    )

    def fields(self) -> ReleaseFields:
        return ReleaseFields(**{name: self[name].data for name in ReleaseFields.__dataclass_fields__})
