"""The administrator's forms for an agency (names and contact) and for a rule of the catalogue (its target)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, Length, Optional

from app.forms import HttpUrl, PhoneNumber, Present, strip_or_none
from permits.agencies.models import Agency, AgencyKind, AgencyLevel
from permits.agencies.services import AgencyFields

TEXT = {"filters": [strip_or_none]}


def _text(label: str, max_length: int, required: bool = False, *extra: Any, **kw: Any) -> StringField:
    return StringField(label, [Present() if required else Optional(), Length(max=max_length), *extra], **TEXT, **kw)


class AgencyForm(FlaskForm):
    name_id = _text(_l("Name in Indonesian"), 200, True)
    name_en = _text(_l("Name in English"), 200, True)
    address = TextAreaField(_l("Address"), [Optional(), Length(max=500)], **TEXT)
    phone = _text(_l("Phone"), 32, False, PhoneNumber())
    email = _text(_l("Email"), 254, False, Email(message=_l("Enter an email address such as name@example.co.id.")))
    website = _text(_l("Website"), 255, False, HttpUrl())
    source = TextAreaField(
        _l("Source"),
        [Optional(), Length(max=2000)],
        description=_l("Where the name and the contact come from (a decree, the agency's own site, a dated report)."),
        **TEXT,
    )
    submit = SubmitField(_l("Save"))

    def fill_from(self, agency: Agency) -> None:
        for name in ("name_id", "name_en", "address", "phone", "email", "website", "source"):
            self[name].data = getattr(agency, name)

    def to_fields(self) -> AgencyFields:
        return AgencyFields(
            name_id=self.name_id.data or "",
            name_en=self.name_en.data or "",
            address=self.address.data,
            phone=self.phone.data,
            email=self.email.data,
            website=self.website.data,
            source=self.source.data,
        )


def target_value(kind: AgencyKind, level: AgencyLevel) -> str:
    return f"{kind.value}/{level.value}"


class RuleForm(FlaskForm):
    """Point a rule at a kind and level of agency; only pairs that some agency has are offered."""

    target = SelectField(_l("Issued by"), [Present()])
    source = TextAreaField(_l("Legal basis"), [Optional(), Length(max=2000)], **TEXT)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, targets: list[tuple[AgencyKind, AgencyLevel]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [(target_value(kind, level), f"{kind.label} · {level.label}") for kind, level in targets]

    @property
    def kind_and_level(self) -> tuple[AgencyKind, AgencyLevel]:
        kind, _, level = (self.target.data or "").partition("/")
        return AgencyKind(kind), AgencyLevel(level)
