"""The form of a layoff record (recorded or corrected by an officer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.forms import (
    HttpUrl,
    IdSelectField,
    NotBefore,
    NotInFuture,
    Present,
    WholeNumberField,
    strip_or_none,
)
from app.security import Scope
from estates.queries import limited_region, region_choices
from realisation.forms import ProblemsBesideFields
from realisation.layoffs.services import MAX_WORKERS, LayoffFields, section_choices
from realisation.periods import MIN_YEAR

TEXT = {"filters": [strip_or_none]}


class LayoffForm(ProblemsBesideFields, FlaskForm):
    region_id = IdSelectField(
        _l("Kabupaten/kota"), [Present()], options=list, placeholder=_l("Choose a kabupaten/kota…")
    )
    period = StringField(_l("Quarter"), [Present(), Length(max=16)], description=_l("For example 2026-Q1."), **TEXT)
    kbli_section = SelectField(_l("Sector (KBLI section)"), [Present()], choices=[])
    workers = WholeNumberField(_l("Workers laid off"), [Present()], maximum=MAX_WORKERS)
    source = StringField(
        _l("Source"),
        [Present(), Length(max=300)],
        description=_l("The manpower office's release, a news report…"),
        **TEXT,
    )
    source_date = DateField(_l("Date of the source"), [Present(), NotInFuture(), NotBefore(date(MIN_YEAR, 1, 1))])
    source_url = StringField(_l("Link to the source"), [Optional(), Length(max=500), HttpUrl()], **TEXT)
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=5000)], **TEXT)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placeholder = self.region_id.choices[:1]
        self.region_id.choices = [*placeholder, *(SelectChoice(str(k), v) for k, v in region_choices(scope))]
        self.kbli_section.choices = [("", "…"), *section_choices()]
        if (own := limited_region(scope)) is not None and not self.is_submitted() and self.region_id.data is None:
            self.region_id.data = own

    def fields(self) -> LayoffFields:
        return LayoffFields(
            region_id=self.region_id.data,
            period=self.period.data,
            kbli_section=self.kbli_section.data,
            workers=self.workers.data,
            source=self.source.data,
            source_date=self.source_date.data,
            source_url=self.source_url.data,
            notes=self.notes.data,
        )
