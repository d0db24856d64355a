"""Forms of the permit pages: the permit record and the permits-list filter bar.

Cross-field and database checks live in ``validate_<field>`` and call the same rule functions as the
services (``date_problems``, ``live_application``), so the form and a later API refuse the same things.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.conflicts import VersionField
from app.forms import IdSelectField
from app.listing import read_sort
from app.numbers import strict_int
from app.urls import MAX_ID
from permits.agencies.models import Agency
from permits.agencies.services import all_agencies
from permits.clock import Band
from permits.models import Permit, PermitStatus, PermitType
from permits.queries import SORTS, PermitFilters
from permits.services import date_problems, duplicate_message, live_application, today_wib


def _int_or_none(value: object) -> int | None:
    """A permit type id from the select: ASCII digits within INTEGER, else ``None`` ("choose a permit type")."""
    return strict_int(value, maximum=MAX_ID)


def type_choices(types: Sequence[PermitType]) -> list[tuple[str, str]]:
    """Choices "CODE: name in the interface language", in catalogue order."""
    locale = str(get_locale() or "id")
    return [(str(t.id), f"{t.code}: {t.name(locale)}") for t in types]


OVERRIDE_REASON = TextAreaField(
    _l("Why another agency"),
    validators=[Optional(), Length(max=2000)],
    description=_l("Required when the permit goes to another agency than the catalogue's rule gives."),
)


def agency_options(rule_agency: Agency | None = None) -> list[tuple[int, str]]:
    """Every agency, central first, named in the interface language; the rule's own is marked."""
    locale = str(get_locale() or "id")
    marked = str(_l("the catalogue's rule"))
    return [(a.id, f"{a.name(locale)} ({marked})" if a == rule_agency else a.name(locale)) for a in all_agencies()]


class PermitForm(FlaskForm):
    """A new permit record, as it stands today. Build it with the estate's id."""

    permit_type = SelectField(
        _l("Permit type"), validators=[DataRequired(message=_l("Choose a permit type."))], coerce=_int_or_none
    )
    status = SelectField(_l("Status"), choices=PermitStatus.choices, default=PermitStatus.NOT_STARTED.value)
    reference_number = StringField(
        _l("Reference number"),
        validators=[Optional(), Length(max=100)],
        description=_l("The number on the receipt or decree (OSS, SIMBG, AMDALNET...)."),
    )
    submitted_on = DateField(
        _l("Submitted on"),
        validators=[Optional()],
        description=_l("Required once the application has been submitted."),
    )
    decided_on = DateField(
        _l("Decided on"),
        validators=[Optional()],
        description=_l("Date of the decree or decision: issued, deemed granted, rejected, withdrawn or revoked."),
    )
    agency = IdSelectField(
        _l("Issuing agency"),
        [Optional()],
        options=agency_options,
        placeholder=_l("As the catalogue's rule resolves for this estate"),
        description=_l("Choose another agency only when the permit really went there, and say why below."),
    )
    agency_override_reason = OVERRIDE_REASON
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, types: Sequence[PermitType], estate_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.estate_id = estate_id
        self.permit_type.choices = [("", _l("Choose a permit type…")), *type_choices(types)]
        today = today_wib().isoformat()  # the browser's date picker stops at today, as the rules do
        self.submitted_on.render_kw = {"max": today}
        self.decided_on.render_kw = {"max": today}

    @property
    def status_value(self) -> PermitStatus | None:
        try:
            return PermitStatus(self.status.data)
        except ValueError:
            return None

    def _date_problem(self, name: str) -> str | None:
        status = self.status_value
        if status is None or self.submitted_on.errors or self.decided_on.errors:
            return None  # a malformed date or status is reported by its own field
        return date_problems(status, self.submitted_on.data, self.decided_on.data).get(name)

    def validate_submitted_on(self, field: DateField) -> None:
        if message := self._date_problem("submitted_on"):
            raise ValidationError(message)

    def validate_decided_on(self, field: DateField) -> None:
        if message := self._date_problem("decided_on"):
            raise ValidationError(message)

    def validate_permit_type(self, field: SelectField) -> None:
        status = self.status_value
        if field.data is None or status is None or field.errors:
            return  # not one of the options: nothing to look up
        other = live_application(self.estate_id, field.data, status)
        if other is not None:
            raise ValidationError(duplicate_message(other))

    def service_kwargs(self) -> dict:
        """The form's data as keyword arguments of ``create_permit``."""
        return {
            "permit_type_id": self.permit_type.data,
            "status": PermitStatus(self.status.data),
            "reference_number": self.reference_number.data,
            "submitted_on": self.submitted_on.data,
            "decided_on": self.decided_on.data,
            "agency_id": self.agency.data,
            "agency_override_reason": self.agency_override_reason.data,
            "notes": self.notes.data,
        }

    def add_errors(self, errors: dict[str, str]) -> None:
        """Attach a service's refusal to the fields it names (a race the form checks could not see)."""
        for name, message in errors.items():
            target = getattr(self, name, None)
            if target is not None:
                target.errors = [*target.errors, message]
            else:
                self.form_errors.append(message)


class PermitRecordForm(FlaskForm):
    """The editable facts of a permit; its status moves only through ``MoveForm``."""

    reference_number = PermitForm.reference_number
    agency = IdSelectField(_l("Issuing agency"), [Optional()], options=list)  # choices: __init__
    agency_override_reason = OVERRIDE_REASON
    notes = PermitForm.notes
    version = VersionField()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, rule_agency: Agency | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        head = [("", str(_l("Not recorded")))]
        self.agency.choices = head + [(str(key), name) for key, name in agency_options(rule_agency)]

    def fill_from(self, permit: Permit) -> None:
        self.reference_number.data = permit.reference_number
        self.agency.data = permit.agency_id
        self.agency_override_reason.data = permit.agency_override_reason
        self.notes.data = permit.notes
        self.version.data = str(permit.version)


class MoveForm(FlaskForm):
    """Move a permit to one of the statuses the transition table allows from where it is now."""

    target = SelectField(_l("New status"), validators=[DataRequired(message=_l("Choose the new status."))])
    effective_on = DateField(
        _l("Date of the move"),
        validators=[DataRequired(message=_l("Give the date of the move (dd/mm/yyyy)."))],
        description=_l("The date on the document or the day the file changed hands; not in the future."),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Required when returning, rejecting, withdrawing, freezing, revoking or deeming granted."),
    )
    version = VersionField()
    submit = SubmitField(_l("Record the move"))

    def __init__(self, *args, targets: Sequence[PermitStatus], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [("", _l("Choose…")), *[(t.value, t.label) for t in targets]]
        self.effective_on.render_kw = {"max": today_wib().isoformat()}

    def validate_effective_on(self, field: DateField) -> None:
        if field.data and field.data > today_wib():
            raise ValidationError(_l("The date of a move cannot be in the future."))

    @property
    def target_status(self) -> PermitStatus:
        return PermitStatus(self.target.data)

    @property
    def expected_version(self) -> int:
        return self.version.data


# The orders of the "Order" box, each way (the column headers ask for the same keys).
SORT_LABELS = {
    "due": (_l("Nearest due date first"), _l("Latest due date first")),
    "submitted": (_l("Earliest submitted first"), _l("Latest submitted first")),
    "estate": (_l("Estate (A-Z)"), _l("Estate (Z-A)")),
    "investor": (_l("Investor (A-Z)"), _l("Investor (Z-A)")),
    "region": (_l("Kab/kota (A-Z)"), _l("Kab/kota (Z-A)")),
    "agency": (_l("Issuing agency (A-Z)"), _l("Issuing agency (Z-A)")),
    "type": (_l("Permit type"), _l("Permit type, last first")),
    "status": (_l("Status"), _l("Status, last first")),
    "reference": (_l("Reference number"), _l("Reference number, last first")),
}


def sort_choices() -> list[tuple[str, object]]:
    return [choice for key, (up, down) in SORT_LABELS.items() for choice in ((key, up), (f"-{key}", down))]


@dataclass(frozen=True)
class FilterChoices:
    """The choices of the permits list's filters that come from the register, as (value, label) pairs: the
    permit types, the kab/kota and the agencies of the scope (``permits.views``: kept per scope and language)."""

    types: tuple[tuple[str, str], ...]
    regions: tuple[tuple[str, str], ...]
    agencies: tuple[tuple[str, str], ...]


@lru_cache(maxsize=8)
def _labelled_choices(locale: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The statuses' and the bands' choices in ``locale`` (the current one), translated once per language."""
    return tuple(PermitStatus.choices()), tuple((b.value, b.label) for b in Band)


class FilterSelectField(SelectField):
    """A filter's select (with ``Optional()``): an empty value is not looked for among the choices (``Optional``
    clears that error anyway), so a list's page does not walk every agency's choice to accept "any" (issue 13)."""

    def pre_validate(self, form) -> None:
        if self.data not in (None, ""):
            super().pre_validate(form)


class PermitFilterForm(FlaskForm):
    """The filter bar of the permits list (GET, no CSRF). An invalid value is ignored, never an error page."""

    class Meta:
        csrf = False

    status = FilterSelectField(_l("Status"), validators=[Optional()])
    type = FilterSelectField(_l("Permit type"), validators=[Optional()])
    agency = FilterSelectField(_l("Issuing agency"), validators=[Optional()])
    region = FilterSelectField(_l("Kab/kota"), validators=[Optional()])
    band = FilterSelectField(_l("Deadline"), validators=[Optional()])
    q = StringField(_l("Estate, investor or reference number"), validators=[Optional(), Length(max=100)])
    sort = FilterSelectField(_l("Order"), validators=[Optional()])
    answered = HiddenField()  # "1": the answers arrived (a link of the dashboard)

    def __init__(self, *args, choices: FilterChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        statuses, bands = _labelled_choices(str(get_locale() or "id"))
        self.status.choices = [("", _l("All statuses")), *statuses]
        self.type.choices = [("", _l("All types")), *choices.types]
        self.agency.choices = [("", _l("Every agency")), *choices.agencies]
        self.region.choices = [("", _l("All kab/kota")), *choices.regions]
        self.band.choices = [("", _l("Any deadline")), *bands]
        self.sort.choices = [("", _l("Longest overdue first")), *sort_choices()]

    def filters(self) -> PermitFilters:
        """The valid filters; a field whose value is not allowed is dropped (and cleared in the form)."""
        self.validate()
        values: dict[str, str | None] = {}
        for name in ("status", "type", "agency", "region", "band", "q", "sort"):
            field = getattr(self, name)
            value = (field.data or "").strip() if not field.errors else ""
            if field.errors:
                field.data, field.errors = "", []
            values[name] = value or None
        return PermitFilters(
            status=PermitStatus(values["status"]) if values["status"] else None,
            permit_type_code=values["type"],
            agency_id=int(values["agency"]) if values["agency"] else None,
            region_code=values["region"],
            band=Band(values["band"]) if values["band"] else None,
            q=values["q"],
            sort=read_sort(SORTS, {"sort": values["sort"] or ""}),
            answered=self.answered.data == "1",
        )
