"""The shapes of the API's resources (marshmallow), from which the OpenAPI document is generated.

Output schemas read the records (and the clock a permit view computes); input schemas check every value before a
service sees it: lengths within the columns, no control characters, numbers within range, so that no input
reaches the database in a shape it would refuse.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from app.input_policy import CONTROL, CONTROL_IN_TEXT
from app.urls import MAX_ID
from estates.models import BusinessSize, CapitalStatus, ClaimMetric, EstateStatus, LegalForm, ZoneKind
from permits.clock import Band
from permits.models import PermitStatus
from permits.stages import Holder, Stage

ID = v.Range(1, MAX_ID)


class Text(f.String):
    """A string of at most ``max_length`` characters without control characters (``multiline``: line breaks and
    tabs allowed)."""

    def __init__(self, max_length: int, *, multiline: bool = False, **kwargs) -> None:
        self.pattern = CONTROL_IN_TEXT if multiline else CONTROL
        minimum = 1 if kwargs.get("required") else None  # a required text must say something
        super().__init__(validate=v.Length(min=minimum, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self.pattern.search(text):
            raise ma.ValidationError("Control characters (a NUL byte, say) are not accepted.")
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate (JSON "\ud800"): no database stores it
                raise ma.ValidationError("Not valid Unicode text.") from None
        return text.strip()


class DecimalText(f.Decimal):
    """A decimal sent as a string (``"120.5000"``), so that no figure loses digits to a float."""

    def __init__(self, **kwargs) -> None:
        super().__init__(as_string=True, **kwargs)


def _enum(enum_cls, **kwargs) -> f.Enum:
    return f.Enum(enum_cls, by_value=True, **kwargs)


class RegionSchema(ma.Schema):
    id = f.Integer()
    bps_code = f.String()
    name = f.String()


class InvestorSchema(ma.Schema):
    id = f.Integer(required=True)
    legal_name = f.String(required=True)
    legal_form = _enum(LegalForm)
    capital_status = _enum(CapitalStatus)
    business_size = _enum(BusinessSize)
    country_of_origin = f.String()
    nib = f.String(allow_none=True)
    npwp = f.String(allow_none=True)
    main_kbli = f.String(allow_none=True)
    contact_person = f.String(allow_none=True)
    phone = f.String(allow_none=True)
    email = f.String(allow_none=True)
    notes = f.String(allow_none=True)


class ZoneSchema(ma.Schema):
    id = f.Integer(required=True)
    estate_id = f.Integer()
    kind = _enum(ZoneKind)
    name = f.String(allow_none=True)
    area_ha = DecimalText()
    planned_direct_jobs = f.Integer(allow_none=True)
    housing_units = f.Integer(allow_none=True)
    target_operating_on = f.Date(allow_none=True)
    notes = f.String(allow_none=True)


class ClaimSchema(ma.Schema):
    id = f.Integer(required=True)
    investor_id = f.Integer(allow_none=True)
    estate_id = f.Integer(allow_none=True)
    metric = _enum(ClaimMetric)
    value = DecimalText()
    value_high = DecimalText(allow_none=True)
    unit = f.String()
    claimant = f.String(allow_none=True)
    source = f.String()
    source_url = f.String(allow_none=True)
    claimed_on = f.Date()
    recorded_by = f.String()
    notes = f.String(allow_none=True)


class EstateSchema(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)
    investor_id = f.Integer()
    region = f.Nested(RegionSchema)
    kecamatan = f.String(allow_none=True)
    kelurahan = f.String(allow_none=True)
    area_ha = DecimalText()
    planned_investment_rp = DecimalText(allow_none=True)
    kbli = f.String()
    status = _enum(EstateStatus)
    stop_order_on = f.Date(allow_none=True)
    stop_order_reason = f.String(allow_none=True)
    latitude = DecimalText(allow_none=True)
    longitude = DecimalText(allow_none=True)
    notes = f.String(allow_none=True)


class EstateDetailSchema(EstateSchema):
    zones = f.List(f.Nested(ZoneSchema))
    claims = f.List(f.Nested(ClaimSchema))


# --- writes of the register ---------------------------------------------------------------------------------


class InvestorIn(ma.Schema):
    legal_name = Text(200, required=True)
    legal_form = _enum(LegalForm, required=True)
    capital_status = _enum(CapitalStatus, required=True)
    country_of_origin = f.String(required=True, validate=v.Regexp(r"^[A-Z]{2}\Z"))
    business_size = _enum(BusinessSize, load_default=BusinessSize.MEDIUM_LARGE)
    nib = f.String(load_default=None, allow_none=True, validate=v.Regexp(r"^[0-9]{13}\Z"))
    npwp = f.String(load_default=None, allow_none=True, validate=v.Regexp(r"^[0-9]{15,16}\Z"))
    main_kbli = f.String(load_default=None, allow_none=True, validate=v.Regexp(r"^[0-9]{5}\Z"))
    contact_person = Text(120, load_default=None, allow_none=True)
    phone = f.String(load_default=None, allow_none=True, validate=v.Regexp(r"^[0-9+() .-]{5,32}\Z"))
    email = f.Email(load_default=None, allow_none=True, validate=v.Length(max=254))
    notes = Text(5000, multiline=True, load_default=None, allow_none=True)


class EstateIn(ma.Schema):
    investor_id = f.Integer(required=True, validate=ID)
    name = Text(200, required=True)
    region_id = f.Integer(required=True, validate=ID)
    area_ha = f.Decimal(required=True, places=4, allow_nan=False)
    kecamatan = Text(120, load_default=None, allow_none=True)
    kelurahan = Text(120, load_default=None, allow_none=True)
    planned_investment_rp = f.Decimal(load_default=None, allow_none=True, allow_nan=False)
    kbli = f.String(load_default="68130", validate=v.Regexp(r"^[0-9]{5}\Z"))
    status = _enum(EstateStatus, load_default=EstateStatus.PLANNED)
    stop_order_on = f.Date(load_default=None, allow_none=True)
    stop_order_reason = Text(2000, multiline=True, load_default=None, allow_none=True)
    latitude = f.Decimal(load_default=None, allow_none=True, places=6, allow_nan=False)
    longitude = f.Decimal(load_default=None, allow_none=True, places=6, allow_nan=False)
    notes = Text(5000, multiline=True, load_default=None, allow_none=True)


class ZoneIn(ma.Schema):
    kind = _enum(ZoneKind, required=True)
    area_ha = f.Decimal(required=True, places=4, allow_nan=False)
    name = Text(120, load_default=None, allow_none=True)
    planned_direct_jobs = f.Integer(load_default=None, allow_none=True, strict=True)
    target_operating_on = f.Date(load_default=None, allow_none=True)
    housing_units = f.Integer(load_default=None, allow_none=True, strict=True)
    notes = Text(5000, multiline=True, load_default=None, allow_none=True)


# --- permits -----------------------------------------------------------------------------------------------


class AgencySchema(ma.Schema):
    id = f.Integer(required=True)
    code = f.String()
    name_id = f.String()
    name_en = f.String()
    level = f.Function(lambda a: a.level.value)
    kind = f.Function(lambda a: a.kind.value)
    region = f.Nested(RegionSchema, allow_none=True)
    address = f.String(allow_none=True)
    phone = f.String(allow_none=True)
    email = f.String(allow_none=True)
    website = f.String(allow_none=True)


class PermitTypeSchema(ma.Schema):
    id = f.Integer(required=True)
    code = f.String()
    name_id = f.String()
    name_en = f.String()
    sequence = f.Integer()
    prerequisites = f.Function(lambda t: [p.code for p in t.prerequisites])


class ClockSchema(ma.Schema):
    holder = _enum(Holder)
    band = _enum(Band)
    sub_stage = _enum(Stage, allow_none=True)
    sla_working_days = f.Integer()
    working_days_used = f.Integer()
    working_days_left = f.Integer(metadata={"description": "negative when overdue"})
    days_overdue = f.Integer()
    due_on = f.Date(allow_none=True)
    investor_due_on = f.Date(allow_none=True)
    clock_stops = f.Integer()
    revision_rounds = f.Integer()
    confirmed = f.Boolean(metadata={"description": "whether the catalogue's limit is confirmed against the law"})


class PermitSchema(ma.Schema):
    id = f.Integer(required=True)
    estate_id = f.Integer()
    investor_id = f.Integer()
    permit_type = f.String(metadata={"description": "the catalogue code: NIB, KKPR, PERTEK, AMDAL, ..."})
    status = _enum(PermitStatus)
    reference_number = f.String(allow_none=True)
    submitted_on = f.Date(allow_none=True)
    decided_on = f.Date(allow_none=True)
    version = f.Integer(metadata={"description": "send it back with a transition or an update"})
    agency = f.Nested(AgencySchema, allow_none=True, metadata={"description": "whose move it is, when the agency's"})
    legal_basis = f.String(allow_none=True)
    regulation = f.String(allow_none=True, metadata={"description": "the regime the permit is counted under"})
    notes = f.String(allow_none=True)
    clock = f.Nested(ClockSchema)


class PermitEventSchema(ma.Schema):
    seq = f.Integer()
    effective_on = f.Date()
    recorded_at = f.AwareDateTime()
    actor = f.String(attribute="actor_name")
    from_status = _enum(PermitStatus, allow_none=True)
    to_status = _enum(PermitStatus)
    note = f.String(allow_none=True)
    agency_days_used = f.Integer()
    investor_days_used = f.Integer()
    due_on = f.Date(allow_none=True)
    regulation = f.String(allow_none=True)
    import_batch_id = f.Integer(allow_none=True)


class PermitIn(ma.Schema):
    estate_id = f.Integer(required=True, validate=ID)
    permit_type = f.String(required=True, validate=v.Regexp(r"^[A-Z]{2,16}\Z"))
    status = _enum(PermitStatus, load_default=PermitStatus.NOT_STARTED)
    reference_number = Text(100, load_default=None, allow_none=True)
    submitted_on = f.Date(load_default=None, allow_none=True)
    decided_on = f.Date(load_default=None, allow_none=True)
    agency_id = f.Integer(load_default=None, allow_none=True, validate=ID)
    agency_override_reason = Text(2000, multiline=True, load_default=None, allow_none=True)
    notes = Text(5000, multiline=True, load_default=None, allow_none=True)


class PermitUpdateIn(ma.Schema):
    version = f.Integer(required=True, validate=ID)
    reference_number = Text(100, load_default=None, allow_none=True)
    agency_id = f.Integer(load_default=None, allow_none=True, validate=ID)
    agency_override_reason = Text(2000, multiline=True, load_default=None, allow_none=True)
    notes = Text(5000, multiline=True, load_default=None, allow_none=True)


class TransitionIn(ma.Schema):
    status = _enum(PermitStatus, required=True, metadata={"description": "the target status"})
    version = f.Integer(required=True, validate=ID, metadata={"description": "the permit's version you saw"})
    note = Text(5000, multiline=True, load_default=None, allow_none=True)
    effective_on = f.Date(load_default=None, allow_none=True, metadata={"description": "default: today (WIB)"})
