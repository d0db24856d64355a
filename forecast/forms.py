"""Forms of the forecast pages: one input's figures and source, and a snapshot's label."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import DecimalTextField, WholeNumberField

SOURCE_KINDS = [
    SelectChoice("primary", _l("Primary (the office's own or the law)")),
    SelectChoice("secondary", _l("Secondary (press, quoted figures)")),
    SelectChoice("asumsi", _l("Assumption (asumsi)")),
]


class InputForm(FlaskForm):
    low = DecimalTextField(_l("Low"), [Optional()], minimum=Decimal(0), places=4)
    value = DecimalTextField(_l("Value (central)"), [Optional()], minimum=Decimal(0), places=4)
    high = DecimalTextField(_l("High"), [Optional()], minimum=Decimal(0), places=4)
    source = TextAreaField(_l("Source"), [DataRequired(), Length(max=2000)])
    source_kind = SelectField(_l("Kind of source"), choices=SOURCE_KINDS)
    source_year = WholeNumberField(_l("Year of the source"), [Optional()], maximum=2100)


class SnapshotForm(FlaskForm):
    label = StringField(_l("Why this snapshot"), [DataRequired(), Length(max=200)])
