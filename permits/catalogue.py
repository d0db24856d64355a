"""The permit catalogue as plain data kept until the next committed write (``app.fragments``, issue 13), the same
for every user and language (both names are kept): the types in the catalogue's order with their prerequisites
and their rules under each regime. One read serves the portal's lines, the estate page's permits panel, the
permit page (``page_reads``) and the lists' type filter (``queries.of_type``)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.fragments import cached
from permits.models import PermitType
from permits.rules import PermitRule, RuleFields


@dataclass(frozen=True)
class TypeRef:
    """A prerequisite as the pages name it."""

    id: int
    code: str
    name_id: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


@dataclass(frozen=True)
class RegimeName:
    name: str


@dataclass(frozen=True, kw_only=True)
class KeptRule(RuleFields):
    """A ``PermitRule`` as plain data: its fields, its regime and the regime's name as ``regime.name``, and
    ``note(locale)``, so that ``permits.workflow.limits_of`` and the templates read it as they read the rule."""

    regime_id: int
    regime: RegimeName

    @classmethod
    def of(cls, rule: PermitRule) -> KeptRule:
        values = {f.name: getattr(rule, f.name) for f in fields(cls) if f.name != "regime"}
        return cls(regime=RegimeName(rule.regime.name), **values)

    def note(self, locale: str) -> str | None:
        return self.note_en if locale == "en" else self.note_id


@dataclass(frozen=True)
class CatalogueType:
    """A permit type as the pages read it: what ``PermitType`` gives them (``id``, ``code``, the names,
    ``prerequisites`` in the catalogue's order) and its rules."""

    id: int
    code: str
    name_id: str
    name_en: str
    prerequisites: tuple[TypeRef, ...]
    rules: tuple[KeptRule, ...]

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id

    def rule_for(self, regime_id: int) -> KeptRule | None:
        return next((r for r in self.rules if r.regime_id == regime_id), None)


def _read() -> tuple[CatalogueType, ...]:
    query = select(PermitType).options(
        selectinload(PermitType.prerequisites),
        selectinload(PermitType.rules).joinedload(PermitRule.regime),
    )
    types = db.session.scalars(query.order_by(PermitType.sequence, PermitType.code)).all()
    return tuple(
        CatalogueType(
            t.id,
            t.code,
            t.name_id,
            t.name_en,
            tuple(TypeRef(p.id, p.code, p.name_id, p.name_en) for p in t.prerequisites),
            tuple(KeptRule.of(r) for r in t.rules),
        )
        for t in types
    )


def catalogue() -> tuple[CatalogueType, ...]:
    """Every permit type in the catalogue's order (sequence, code), with its prerequisites and rules."""
    return cached("permit-catalogue", (), _read)


def type_of(type_id: int) -> CatalogueType:
    """The permit type with id ``type_id`` (``KeyError`` if there is none)."""
    return cached("permit-catalogue-by-id", (), lambda: {t.id: t for t in catalogue()})[type_id]


def type_id_of(code: str) -> int | None:
    """The id of the permit type with code ``code``, or None."""
    return cached("permit-catalogue-by-code", (), lambda: {t.code: t.id for t in catalogue()}).get(code)
