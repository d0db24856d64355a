"""Forms for investors, estates, zones and claims, and the readers of the lists' query strings.

Each form checks what a user can get wrong, with a message beside the field; the services check the
same rules again (a later API will not go through these forms). ``to_fields()`` hands a service its
plain arguments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional, ValidationError

from app.formatting import hectares, number, rupiah
from app.forms import (
    CountryField,
    DecimalTextField,
    DigitsField,
    HectaresField,
    HttpUrl,
    IdSelectField,
    NotBefore,
    NotInFuture,
    PhoneNumber,
    Present,
    RupiahField,
    WholeNumberField,
    enum_select,
    strip_or_none,
)
from app.listing import Sort, read_sort
from app.numbers import MAX_RUPIAH, strict_int
from app.pagination import page_number
from app.security import Scope
from app.urls import MAX_ID
from estates import lists, queries, services
from estates.fields import ClaimFields, EstateFields, InvestorFields, ZoneFields
from estates.models import BusinessSize, CapitalStatus, ClaimMetric, Estate, EstateStatus, LegalForm, ZoneKind

EARLIEST_DATE = date(1967, 1, 1)  # UU 1/1967, the first foreign investment law: older dates are typos
BANTEN_LATITUDE, BANTEN_LONGITUDE = services.BANTEN_LATITUDE, services.BANTEN_LONGITUDE
MAX_ZONE_COUNT = services.MAX_ZONE_COUNT
CLAIM_LIMITS = {ClaimMetric.AREA: Decimal(1_000_000), ClaimMetric.INVESTMENT: Decimal(MAX_RUPIAH)}
CLAIM_LIMITS[ClaimMetric.JOBS] = Decimal(100_000_000)
DEFAULT_UNITS = {ClaimMetric.AREA: "ha", ClaimMetric.INVESTMENT: "Rp", ClaimMetric.JOBS: "jobs"}
TEXT = {"filters": [strip_or_none]}
NOTES = [Optional(), Length(max=5000)]


def _text(label: str, max_length: int, required: bool = False, *extra: Any) -> StringField:
    first = Present() if required else Optional()
    return StringField(label, [first, Length(max=max_length), *extra], **TEXT)


class ServiceForm(FlaskForm):
    """A form whose fields carry the same names as a service's dataclass of plain arguments."""

    fields_class: type

    def to_fields(self) -> Any:
        names = [f.name for f in dataclasses.fields(self.fields_class)]
        return self.fields_class(**{name: self[name].data for name in names if name in self._fields})

    def add_rule_error(self, error: services.EstateRuleError) -> None:
        """Show a service's refusal beside its field (or above the form when it names none)."""
        field = self._fields.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


class InvestorForm(ServiceForm):
    fields_class = InvestorFields

    legal_name = _text(_l("Legal name"), 200, True)
    legal_form = SelectField(_l("Legal form"), [Present()], default=LegalForm.PT, **enum_select(LegalForm))
    capital_status = SelectField(
        _l("Capital status"), [Present()], default=CapitalStatus.PMDN, **enum_select(CapitalStatus)
    )
    country_of_origin = CountryField(_l("Country of origin"), [Present()], default="ID")
    business_size = SelectField(
        _l("Business size"),
        [Present()],
        default=BusinessSize.MEDIUM_LARGE,
        description=_l(
            "Small PMDN businesses file their LKPM half-yearly; micro ones do not file; the rest quarterly."
        ),
        **enum_select(BusinessSize),
    )
    nib = DigitsField(
        _l("NIB"), [Optional()], lengths=(13,), description=_l("Nomor Induk Berusaha: 13 digits, unique.")
    )
    npwp = DigitsField(
        _l("NPWP"), [Optional()], lengths=(15, 16), description=_l("15 or 16 digits; dots and dashes are fine.")
    )
    main_kbli = DigitsField(_l("Main KBLI"), [Optional()], lengths=(5,), description=_l("5 digits, e.g. 68130."))
    contact_person = _text(_l("Contact person"), 120)
    phone = _text(_l("Phone"), 32, False, PhoneNumber())
    email = _text(_l("Email"), 254, False, Email(message=_l("Enter an email address such as name@example.co.id.")))
    notes = TextAreaField(_l("Notes"), NOTES, **TEXT)

    def __init__(self, *args: Any, investor_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.investor_id = investor_id

    def validate_legal_name(self, field: StringField) -> None:
        if field.data and queries.investor_name_taken(field.data, self.investor_id):
            raise ValidationError(_("Another investor already has this legal name."))

    def validate_nib(self, field: DigitsField) -> None:
        if field.data and queries.nib_taken(field.data, self.investor_id):
            raise ValidationError(_("Another investor already has this NIB."))

    def validate_country_of_origin(self, field: CountryField) -> None:
        status = self.capital_status.data
        if status is CapitalStatus.PMA and field.data == services.INDONESIA:
            raise ValidationError(_("A PMA (foreign) investor must have a foreign country of origin."))
        if status is CapitalStatus.PMDN and field.data and field.data != services.INDONESIA:
            raise ValidationError(_("A PMDN (domestic) investor is Indonesian: choose Indonesia."))


def _coordinate(label: str, bounds: tuple[Decimal, Decimal], help_text: str) -> DecimalTextField:
    return DecimalTextField(
        label,
        [Optional()],
        minimum=bounds[0],
        maximum=bounds[1],
        places=6,
        round_places=True,  # a map gives 14 decimals; 6 is 11 cm, as precise as the column
        description=help_text,
        render_kw={"inputmode": "decimal"},
    )


class EstateForm(ServiceForm):
    fields_class = EstateFields

    investor_id = IdSelectField(
        _l("Investor"), [Present()], options=queries.investor_choices, placeholder=_l("Choose an investor…")
    )
    name = _text(_l("Estate name"), 200, True)
    region_id = IdSelectField(
        _l("Kabupaten/kota"),
        [Present()],
        options=list,  # set per form from the scope: an officer of one kab/kota is offered only it
        placeholder=_l("Choose a kabupaten/kota…"),
        message=_l("Choose one of Banten's eight kabupaten/kota."),
    )
    kecamatan = _text(_l("Kecamatan"), 120)
    kelurahan = _text(_l("Kelurahan/desa"), 120)
    area_ha = HectaresField(
        _l("Area (ha)"),
        [Present()],
        description=_l("More than 0 and at most 10,000 ha; e.g. 150 or 12,5."),
        render_kw={"inputmode": "decimal"},
    )
    planned_investment_rp = RupiahField(
        _l("Planned investment (Rp)"),
        [Optional()],
        description=_l("Whole rupiah, e.g. 650.000.000.000 or 650 miliar; at most Rp1.000 triliun."),
    )
    kbli = DigitsField(
        _l("KBLI"), [Present()], lengths=(5,), default="68130", description=_l("68130: Kawasan Industri.")
    )
    status = SelectField(_l("Status"), [Present()], default=EstateStatus.PLANNED, **enum_select(EstateStatus))
    stop_order_on = DateField(
        _l("Stop order date"),
        [Optional(), NotInFuture(), NotBefore(EARLIEST_DATE)],
        description=_l("Required when stopped."),
    )
    stop_order_reason = TextAreaField(
        _l("Stop order reason"), [Optional(), Length(max=2000)], description=_l("Required when stopped."), **TEXT
    )
    latitude = _coordinate(_l("Latitude"), BANTEN_LATITUDE, _l("Between -7.1 and -5.7 (Banten), e.g. -6.0123."))
    longitude = _coordinate(_l("Longitude"), BANTEN_LONGITUDE, _l("Between 105.0 and 106.9 (Banten), e.g. 106.1534."))
    notes = TextAreaField(_l("Notes"), NOTES, **TEXT)

    def __init__(self, *args: Any, scope: Scope, estate: Estate | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estate = estate
        placeholder = self.region_id.choices[:1]  # the "choose…" option
        regions = [SelectChoice(str(key), name) for key, name in queries.region_choices(scope)]
        self.region_id.choices = [*placeholder, *regions]
        if (own := queries.limited_region(scope)) is not None:
            self.region_id.invalid_choice_message = _("You record estates in your own kabupaten/kota only: choose it.")
            if not self.is_submitted() and self.region_id.data is None:
                self.region_id.data = own

    def validate_name(self, field: StringField) -> None:
        if field.data and queries.estate_name_taken(field.data, self.estate.id if self.estate else None):
            raise ValidationError(_("Another estate already has this name."))

    def validate_area_ha(self, field: HectaresField) -> None:
        if self.estate is None or field.data is None:
            return
        zoned = queries.zoned_area(self.estate.id)
        if field.data < zoned:
            raise ValidationError(
                _("The zones already cover %(zoned)s; the area cannot be less than that.", zoned=hectares(zoned))
            )

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the rules that join fields (an empty optional field skips its own validators)."""
        valid = super().validate(extra_validators)
        if self.status.data is EstateStatus.STOPPED:
            if self.stop_order_on.data is None and not self.stop_order_on.errors:
                self.stop_order_on.errors.append(_("A stopped estate needs the date of the stop order."))
            if not self.stop_order_reason.data and not self.stop_order_reason.errors:
                self.stop_order_reason.errors.append(_("A stopped estate needs the reason for the stop order."))
        lat, lon = self.latitude, self.longitude
        if not lat.errors and not lon.errors and (lat.data is None) != (lon.data is None):
            (lat if lat.data is None else lon).errors.append(_("Give both latitude and longitude, or neither."))
        return valid and not self.errors


class ZoneForm(ServiceForm):
    fields_class = ZoneFields

    kind = SelectField(_l("Kind"), [Present()], default=ZoneKind.INDUSTRIAL, **enum_select(ZoneKind))
    name = _text(_l("Name"), 120)
    area_ha = HectaresField(_l("Area (ha)"), [Present()], render_kw={"inputmode": "decimal"})
    planned_direct_jobs = WholeNumberField(_l("Planned direct jobs"), [Optional()], maximum=MAX_ZONE_COUNT)
    target_operating_on = DateField(
        _l("Target operating date"),
        [Optional(), NotBefore(EARLIEST_DATE)],
        description=_l("The investor's commitment; with the planned direct jobs, the job forecast's central case."),
    )
    housing_units = WholeNumberField(
        _l("Housing units"), [Optional()], maximum=MAX_ZONE_COUNT, description=_l("Only for a housing zone.")
    )
    notes = TextAreaField(_l("Notes"), NOTES, **TEXT)

    def __init__(self, *args: Any, estate: Estate, zone_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estate, self.zone_id = estate, zone_id
        self.area_left = max(estate.area_ha - queries.zoned_area(estate.id, zone_id), Decimal(0))
        self.area_ha.description = _(
            "At most %(left)s: the estate's %(total)s less its other zones.",
            left=hectares(self.area_left),
            total=hectares(estate.area_ha),
        )

    def validate_area_ha(self, field: HectaresField) -> None:
        if field.data is not None and field.data > self.area_left:
            raise ValidationError(
                _(
                    "Too large: only %(left)s of the estate's %(total)s is left unzoned.",
                    left=hectares(self.area_left),
                    total=hectares(self.estate.area_ha),
                )
            )

    def validate_housing_units(self, field: WholeNumberField) -> None:
        if field.data is not None and self.kind.data is not ZoneKind.HOUSING:
            raise ValidationError(_("Housing units can only be given for a housing zone."))


class ClaimValueField(DecimalTextField):
    """A claimed figure as the source printed it: ``50.000`` jobs, ``Rp650 miliar``, ``150`` or ``12,5`` ha."""

    ambiguous = "thousands"  # "1.500 ha" in an Indonesian article is fifteen hundred hectares
    currency = True


class ClaimForm(ServiceForm):
    fields_class = ClaimFields

    metric = SelectField(_l("Figure"), [Present()], default=ClaimMetric.JOBS, **enum_select(ClaimMetric))
    value = ClaimValueField(_l("Value"), [Present()], minimum=Decimal(0), description=_l("As the source gives it."))
    value_high = ClaimValueField(
        _l("Upper value"),
        [Optional()],
        minimum=Decimal(0),
        description=_l("For a range such as 50.000 to 100.000 jobs."),
    )
    unit = _text(_l("Unit"), 40, False)
    claimant = _text(_l("Claimant"), 200, False)
    source = _text(_l("Source"), 1000, True)
    source_url = _text(_l("Source URL"), 500, False, HttpUrl())
    claimed_on = DateField(_l("Date claimed"), [Present(), NotInFuture(), NotBefore(EARLIEST_DATE)])
    notes = TextAreaField(_l("Notes"), NOTES, **TEXT)

    def _check_value(self, field: ClaimValueField) -> None:
        metric = self.metric.data
        if field.data is None or metric is None:
            return
        if metric is not ClaimMetric.AREA and field.data != field.data.to_integral_value():
            raise ValidationError(_("Whole numbers only for this figure."))
        limit = CLAIM_LIMITS[metric]
        if field.data > limit:
            shown = {ClaimMetric.AREA: hectares, ClaimMetric.INVESTMENT: rupiah}.get(metric, number)(limit)
            raise ValidationError(_("At most %(max)s for this figure.", max=shown))

    def validate_value(self, field: ClaimValueField) -> None:
        self._check_value(field)

    def validate_value_high(self, field: ClaimValueField) -> None:
        self._check_value(field)
        if field.data is not None and self.value.data is not None and field.data < self.value.data:
            raise ValidationError(_("The upper value of a range cannot be below the value."))

    def to_fields(self) -> ClaimFields:
        data = super().to_fields()
        if not data.unit:
            data = dataclasses.replace(data, unit=DEFAULT_UNITS[data.metric])
        return dataclasses.replace(data, recorded_by=getattr(current_user, "name", ""))  # the signed-in user


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a valid CSRF token confirms a deletion."""


# --- list filters from the query string (bad values are ignored, never an error) --------------------------


@dataclasses.dataclass(frozen=True)
class InvestorFilters:
    q: str = ""
    capital_status: CapitalStatus | None = None
    sort: str = "name"
    page: int = 1

    @property
    def order(self) -> Sort:
        return read_sort(lists.INVESTOR_SORT_KEYS, {"sort": self.sort})


@dataclasses.dataclass(frozen=True)
class EstateFilters:
    q: str = ""
    region_id: int | None = None
    status: EstateStatus | None = None
    sort: str = "name"
    page: int = 1

    @property
    def order(self) -> Sort:
        return read_sort(lists.ESTATE_SORTS, {"sort": self.sort})


def id_arg(args: Mapping[str, str], key: str) -> int | None:
    """A positive id from the query string, or ``None`` for anything that is not one."""
    return strict_int(args.get(key), maximum=MAX_ID) or None


def _enum(enum_cls: type, text: str | None) -> Any:
    try:
        return enum_cls(text)
    except ValueError:
        return None


def _sort(args: Mapping[str, str], keys: Iterable[str]) -> str:
    """The ``sort`` argument when it names one of ``keys`` (``-key``: descending), else "name"."""
    return read_sort(keys, args).param or "name"


def investor_filters(args: Mapping[str, str]) -> InvestorFilters:
    q = (args.get("q") or "").strip()[: queries.MAX_SEARCH_LENGTH]
    return InvestorFilters(
        q=q,
        capital_status=_enum(CapitalStatus, args.get("capital_status")),
        sort=_sort(args, lists.INVESTOR_SORT_KEYS),
        page=page_number(args),
    )


def estate_filters(args: Mapping[str, str]) -> EstateFilters:
    q = (args.get("q") or "").strip()[: queries.MAX_SEARCH_LENGTH]
    return EstateFilters(
        q=q,
        region_id=id_arg(args, "region"),
        status=_enum(EstateStatus, args.get("status")),
        sort=_sort(args, lists.ESTATE_SORTS),
        page=page_number(args),
    )
