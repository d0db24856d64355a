"""The agencies as the portal's lines show them (issue 13): the catalogue's rules and every agency's name and
contact as plain data, kept until the next committed write (``app.fragments``), the same for every investor and
language. ``permits.agencies.services.AgencyResolver`` resolves the same way from the records (two queries and an
object per agency on every page)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.fragments import cached
from estates.models import CapitalStatus
from permits.agencies.models import Agency, AgencyKind, AgencyLevel, AgencyRule
from permits.agencies.services import place, rule_for


@dataclass(frozen=True)
class AgencyCard:
    """What a line reads of an ``Agency``: its id, names and contact (``name``, ``has_contact`` as the record's)."""

    id: int
    name_id: str
    name_en: str
    address: str | None
    phone: str | None
    email: str | None
    website: str | None

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id

    @property
    def has_contact(self) -> bool:
        return any((self.address, self.phone, self.email, self.website))


@dataclass(frozen=True)
class AgencyBook:
    """The rules (type and capital status, or any status: kind and level) and the agencies, by id and by place."""

    rules: dict[tuple[int, CapitalStatus | None], tuple[AgencyKind, AgencyLevel]]
    by_place: dict[tuple[AgencyKind, AgencyLevel, int | None], AgencyCard]
    by_id: dict[int, AgencyCard]

    def resolve(self, permit_type_id: int, capital_status: CapitalStatus, region_id: int) -> AgencyCard | None:
        """As ``AgencyResolver.resolve``: the agency that issues the type for this investor in this kab/kota."""
        rule = rule_for(self.rules, permit_type_id, capital_status)
        return None if rule is None else self.by_place.get(place(*rule, region_id))


def _read() -> AgencyBook:
    rules = {(r.permit_type_id, r.capital_status): (r.agency_kind, r.agency_level) for r in _all(AgencyRule)}
    by_place, by_id = {}, {}
    for a in _all(Agency):
        card = AgencyCard(a.id, a.name_id, a.name_en, a.address, a.phone, a.email, a.website)
        by_place[a.kind, a.level, a.region_id] = by_id[a.id] = card
    return AgencyBook(rules, by_place, by_id)


def _all(model: type) -> list:
    return list(db.session.scalars(select(model)))


def agency_book() -> AgencyBook:
    """The rules and the agencies (two queries once per committed write)."""
    return cached("portal-agencies", (), _read)
