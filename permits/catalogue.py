"""The permit catalogue as the portal's lines and the estate page's permits panel read it (issue 13): the types in
the catalogue's order with their prerequisites, as plain data kept until the next committed write
(``app.fragments``), the same for every user and language (both names are kept)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.fragments import cached
from permits.models import PermitType


@dataclass(frozen=True)
class TypeRef:
    id: int
    code: str


@dataclass(frozen=True)
class CatalogueType:
    """A permit type as a line shows it: what ``PermitType`` gives the portal and the panel (``id``, ``code``,
    ``name``, ``prerequisites``)."""

    id: int
    code: str
    name_id: str
    name_en: str
    prerequisites: tuple[TypeRef, ...]

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


def _read() -> tuple[CatalogueType, ...]:
    query = select(PermitType).options(selectinload(PermitType.prerequisites))
    types = db.session.scalars(query.order_by(PermitType.sequence, PermitType.code)).all()
    return tuple(
        CatalogueType(t.id, t.code, t.name_id, t.name_en, tuple(TypeRef(p.id, p.code) for p in t.prerequisites))
        for t in types
    )


def catalogue() -> tuple[CatalogueType, ...]:
    """Every permit type in the catalogue's order (sequence, code), with its prerequisites."""
    return cached("permit-catalogue", (), _read)
