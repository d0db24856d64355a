"""Forms of the administration pages: a permit type, its rule under a regime, a regime, a closure date, its
removal, and one setting's value.

Each form checks what an administrator can get wrong, with a message beside the field, by calling the same
rule functions as ``permits.admin.catalogue``, ``closures`` and ``settings`` (which check again: a later API
will not go through these forms).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import DecimalTextField, HectaresField, Present, WholeNumberField, enum_select, strip_or_none
from app.numbers import strict_int
from app.urls import MAX_ID
from permits.admin import catalogue as services
from permits.admin import closures, rules, settings
from permits.calendar import MAX_YEAR, MIN_YEAR
from permits.models import CalendarOverrideKind, PermitType
from permits.rules import AgencySilence, ApplicantSilence, ClockStart

TEXT = {"filters": [strip_or_none]}


def _id_or_fail(value: Any) -> int:
    """An id typed into a form: ASCII digits only (a tampered value is a field error, never a 500)."""
    number = strict_int(value, maximum=MAX_ID)
    if number is None:
        raise ValueError(str(value)[:20])
    return number


class PermitTypeForm(FlaskForm):
    """The names, authority, position and prerequisites of a permit type (its limits are in its rules).
    Build it with the type's id and the whole catalogue."""

    name_id = StringField(_l("Name in Indonesian"), [Present(), Length(max=services.MAX_NAME)], **TEXT)
    name_en = StringField(_l("Name in English"), [Present(), Length(max=services.MAX_NAME)], **TEXT)
    issuing_authority = StringField(_l("Issuing authority"), [Present(), Length(max=services.MAX_AUTHORITY)], **TEXT)
    prerequisites = SelectMultipleField(
        _l("Prerequisites"),
        coerce=_id_or_fail,
        validate_choice=False,  # validate_prerequisites says what is wrong in words
        invalid_value_message=_l("Choose prerequisites from the list of permit types."),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("Permits that must be issued for the same estate before this one can be submitted."),
    )
    sequence = WholeNumberField(
        _l("Position in the list"),
        [Present()],
        maximum=services.MAX_SEQUENCE,
        description=_l("Smaller numbers come first (the usual order of the chain)."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, type_id: int, types: Sequence[PermitType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type_id = type_id
        locale = str(get_locale() or "id")
        self.prerequisites.choices = [
            SelectChoice(str(t.id), f"{t.code}: {t.name(locale)}") for t in types if t.id != type_id
        ]
        self.prerequisites.render_kw = {"role": "group", "aria-label": str(self.prerequisites.label.text)}

    def validate_prerequisites(self, field: SelectMultipleField) -> None:
        try:
            services.check_prerequisites(self.type_id, field.data or ())
        except services.AdminError as error:
            raise ValidationError(str(error.errors["prerequisites"])) from None

    def to_fields(self) -> services.PermitTypeFields:
        return services.PermitTypeFields(
            name_id=self.name_id.data or "",
            name_en=self.name_en.data or "",
            issuing_authority=self.issuing_authority.data or "",
            prerequisite_ids=tuple(self.prerequisites.data or ()),
            sequence=self.sequence.data,
        )

    def add_errors(self, errors: dict[str, str]) -> None:
        """Show a service's refusal beside its fields (or above the form for a field it does not have)."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, str(message)]
            else:
                self.form_errors.append(str(message))


def _working_days(label, description=None, required: bool = False) -> WholeNumberField:
    return WholeNumberField(
        label, [Present() if required else Optional()], maximum=services.MAX_WORKING_DAYS, description=description
    )


class RuleForm(FlaskForm):
    """A permit type's rule under one regime: the limits (working days), windows, rounds and silence outcomes."""

    sla_working_days = _working_days(
        _l("Statutory working days"), _l("The agency's whole time by law, applicant time excluded."), required=True
    )
    clock_starts_at = SelectField(_l("The agency's clock starts"), **enum_select(ClockStart))
    check_working_days = _working_days(_l("Administrative check"), _l("Blank where the law sets no limit."))
    review_working_days = _working_days(_l("Substantive review"), _l("Assessment and feasibility test."))
    decision_working_days = _working_days(_l("Recommendation to decree"))
    fix_working_days = _working_days(_l("Applicant's administrative fix"))
    revision_working_days = _working_days(_l("Applicant's substantive revision"))
    max_revision_rounds = WholeNumberField(
        _l("Revision rounds allowed"), [Optional()], maximum=rules.MAX_ROUNDS, description=_l("Blank: no limit.")
    )
    agency_silence = SelectField(_l("When the agency is late"), **enum_select(AgencySilence))
    applicant_silence = SelectField(_l("When the applicant stays silent"), **enum_select(ApplicantSilence))
    applicant_silence_days = WholeNumberField(
        _l("Calendar days of silence"), [Optional()], maximum=rules.MAX_SILENCE_DAYS
    )
    legal_basis = TextAreaField(
        _l("Legal basis"),
        [Present(), Length(max=services.MAX_LONG_TEXT)],
        description=_l("The regulation and articles, e.g. PP 28/2025 Pasal 19-26."),
        **TEXT,
    )
    confirmed = BooleanField(_l("The working days are confirmed against the legal text"))
    note_id = TextAreaField(_l("Note in Indonesian"), [Optional(), Length(max=services.MAX_LONG_TEXT)], **TEXT)
    note_en = TextAreaField(_l("Note in English"), [Optional(), Length(max=services.MAX_LONG_TEXT)], **TEXT)
    submit = SubmitField(_l("Save"))

    def to_fields(self) -> rules.RuleFields:
        return rules.RuleFields(**{name: self._fields[name].data for name in rules.RuleFields.__dataclass_fields__})

    def add_errors(self, errors: dict[str, str]) -> None:
        PermitTypeForm.add_errors(self, errors)  # type: ignore[arg-type]


class RegimeForm(FlaskForm):
    """The first filing day a regulation governs, and where that day comes from."""

    applies_from = DateField(_l("Governs files first filed on or after"), [Present()])
    applies_from_confirmed = BooleanField(_l("The day is confirmed"))
    source = TextAreaField(_l("Source"), [Present(), Length(max=services.MAX_LONG_TEXT)], **TEXT)
    submit = SubmitField(_l("Save"))


class ClosureForm(FlaskForm):
    """One calendar override: a date made non-working (closed) or working, with the decree behind it."""

    day = DateField(_l("Date"), [Present()])
    kind = SelectField(_l("Kind"), default=CalendarOverrideKind.CLOSED, **enum_select(CalendarOverrideKind))
    reason = StringField(
        _l("Reason"),
        [Present(), Length(max=500)],
        description=_l("The decree or notice, e.g. SKB 3 Menteri on cuti bersama 2025, amended."),
        **TEXT,
    )
    submit = SubmitField(_l("Add to the calendar"))

    def validate_day(self, field: DateField) -> None:
        day: date = field.data
        if not closures.year_in_range(day.year):
            raise ValidationError(_("The calendar covers %(first)s to %(last)s.", first=MIN_YEAR, last=MAX_YEAR))
        if closures.override_on(day) is not None:
            raise ValidationError(_("This date already has a calendar entry: remove it first."))


class ConfirmForm(FlaskForm):
    """An empty form: a POST with its CSRF token confirms a removal."""

    submit = SubmitField(_l("Remove"))


# --- settings: one form per kind of value ------------------------------------------------------------------


class SettingForm(FlaskForm):
    value: Any
    submit = SubmitField(_l("Save"))

    def stored_value(self) -> str:
        """The value as text for ``permits.admin.settings.update_setting``."""
        return str(self.value.data or "")

    @classmethod
    def initial(cls, stored: str) -> Any:
        """The stored text as this form's ``value`` data (``None`` when it cannot be read)."""
        return stored


class _DecimalSettingForm(SettingForm):
    def stored_value(self) -> str:
        return format(self.value.data, "f")

    @classmethod
    def initial(cls, stored: str) -> Any:
        try:
            value = Decimal(stored.strip())
        except (ArithmeticError, ValueError):
            return None
        return value if value.is_finite() else None


class ShareSettingForm(_DecimalSettingForm):
    """A share typed as a percentage (75 for 0.75), stored as the share."""

    value = DecimalTextField(
        _l("Percentage of the working days"),
        [Present()],
        minimum=Decimal(0),
        minimum_inclusive=False,
        maximum=Decimal(100),
        description=_l(
            "More than 0 and at most 100: 75 means at risk once three quarters of the working days are used."
        ),
    )

    def stored_value(self) -> str:
        return format((self.value.data / 100).normalize(), "f")

    @classmethod
    def initial(cls, stored: str) -> Any:
        share = super().initial(stored)
        return None if share is None else (share * 100).normalize()


class AreaSettingForm(_DecimalSettingForm):
    value = HectaresField(
        _l("Value (hectares)"),
        [Present()],
        maximum=settings.MAX_MIN_AREA_HA,
        description=_l("More than 0 and at most 10.000 ha."),
    )


class BooleanSettingForm(SettingForm):
    """A switch: on stores "true", off (or nothing posted) stores "false"."""

    value = BooleanField(_l("On"), false_values=("false", "0", "no", "off", ""))

    def stored_value(self) -> str:
        return "true" if self.value.data else "false"

    @classmethod
    def initial(cls, stored: str) -> Any:
        return stored.strip().lower() == "true"


class TextSettingForm(SettingForm):
    value = StringField(_l("Value"), [Present(), Length(max=settings.MAX_SETTING_VALUE)], **TEXT)


SETTING_FORMS: dict[settings.SettingKind, type[SettingForm]] = {
    settings.SettingKind.SHARE: ShareSettingForm,
    settings.SettingKind.AREA: AreaSettingForm,
    settings.SettingKind.BOOLEAN: BooleanSettingForm,
    settings.SettingKind.TEXT: TextSettingForm,
}


def setting_form(key: str, stored: str, **kwargs: Any) -> SettingForm:
    """The form for ``key``'s kind of value, showing ``stored`` until the administrator posts."""
    form_class = SETTING_FORMS[settings.setting_kind(key)]
    return form_class(value=form_class.initial(stored), **kwargs)
