"""Which agency issues a permit, and the administrator's edits of agencies and rules.

``AgencyResolver`` loads the rules and the agencies once (two queries) and resolves any number of permits from
them: the rule for the permit type and the investor's capital status (or, failing it, the rule for any capital
status) gives a kind and a level; the agency is the one of that kind at that level, for the kab/kota level the
one of the estate's kab/kota. ``None`` when no rule or no agency fits: the caller shows "not resolved".

Edits flush, never commit, and write an audit line (``AuditEvent.AGENCY_CHANGED``) naming what changed; a rule's
change applies to permits recorded afterwards (a permit keeps the agency it was given). Unknown ids raise
``NotFound``; invalid values ``AgencyError`` (field -> message), before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit import record
from app.errors import found
from app.extensions import db
from app.models import AuditEvent, Region
from estates.models import CapitalStatus
from permits.agencies.models import Agency, AgencyKind, AgencyLevel, AgencyRule


class AgencyError(ValueError):
    """A change refused; ``errors`` maps a form field to its message. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(*errors)
        self.errors = errors


# --- resolution ----------------------------------------------------------------------------------------------


R = TypeVar("R")  # a rule as a caller keeps it (an ``AgencyRule``, or its kind and level)


def rule_for(
    rules: Mapping[tuple[int, CapitalStatus | None], R], permit_type_id: int, capital_status: CapitalStatus
) -> R | None:
    """Of ``rules`` by (type, capital status or None for any), the one for this capital status, else the one for
    any: the catalogue's rule of a permit type for an investor."""
    return rules.get((permit_type_id, capital_status)) or rules.get((permit_type_id, None))


def place(kind: AgencyKind, level: AgencyLevel, region_id: int | None) -> tuple[AgencyKind, AgencyLevel, int | None]:
    """Where a rule's agency sits, as the agencies are keyed: the estate's kab/kota only at kab/kota level."""
    return kind, level, region_id if level is AgencyLevel.KAB_KOTA else None


class AgencyResolver:
    """The catalogue's rules and the agencies, loaded once; ``resolve`` needs no further query."""

    def __init__(self) -> None:
        self.rules: dict[tuple[int, CapitalStatus | None], AgencyRule] = {
            (r.permit_type_id, r.capital_status): r for r in db.session.scalars(select(AgencyRule))
        }
        self.agencies: dict[tuple[AgencyKind, AgencyLevel, int | None], Agency] = {
            (a.kind, a.level, a.region_id): a for a in db.session.scalars(select(Agency))
        }

    def rule(self, permit_type_id: int, capital_status: CapitalStatus) -> AgencyRule | None:
        """The rule for this capital status, else the rule for any."""
        return rule_for(self.rules, permit_type_id, capital_status)

    def agency(self, kind: AgencyKind, level: AgencyLevel, region_id: int | None) -> Agency | None:
        return self.agencies.get(place(kind, level, region_id))

    def resolve(self, permit_type_id: int, capital_status: CapitalStatus, region_id: int) -> Agency | None:
        """The agency that issues ``permit_type_id`` for an investor of ``capital_status`` in ``region_id``."""
        rule = self.rule(permit_type_id, capital_status)
        return None if rule is None else self.agency(rule.agency_kind, rule.agency_level, region_id)


def resolve_agency(permit_type_id: int, capital_status: CapitalStatus, region_id: int) -> Agency | None:
    """One resolution (see ``AgencyResolver.resolve``)."""
    return AgencyResolver().resolve(permit_type_id, capital_status, region_id)


# --- reads ---------------------------------------------------------------------------------------------------

LEVEL_ORDER = {level: n for n, level in enumerate(AgencyLevel)}
KIND_ORDER = {kind: n for n, kind in enumerate(AgencyKind)}


def all_agencies() -> list[Agency]:
    """Every agency: central first, then the province, then each kab/kota by BPS code; in the kinds' order within
    (investment first: OSS, the DPMPTSP)."""
    query = select(Agency).options(joinedload(Agency.region))
    agencies = db.session.scalars(query).all()
    return sorted(
        agencies, key=lambda a: (LEVEL_ORDER[a.level], a.region.bps_code if a.region else "", KIND_ORDER[a.kind])
    )


def get_agency(agency_id: int) -> Agency:
    return found(db.session.get(Agency, agency_id))


def agencies_by_id(ids: Sequence[int]) -> dict[int, Agency]:
    if not ids:
        return {}
    return {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(list(ids))))}


def all_rules() -> Sequence[AgencyRule]:
    """Every rule (the caller orders them by its catalogue)."""
    return db.session.scalars(select(AgencyRule)).all()


def get_rule(rule_id: int) -> AgencyRule:
    return found(db.session.get(AgencyRule, rule_id))


# --- the administrator's edits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyFields:
    """What an administrator may change on an agency: its names and its contact (blank: not recorded)."""

    name_id: str
    name_en: str
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    source: str | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def update_agency(agency: Agency, data: AgencyFields, *, actor_id: int | None) -> list[str]:
    """Save an agency's names and contact; return the names of the fields that changed (audited when any)."""
    values = {f.name: _clean(getattr(data, f.name)) for f in fields(AgencyFields)}
    problems = {name: _l("This field is required.") for name in ("name_id", "name_en") if not values[name]}
    if problems:
        raise AgencyError(problems)
    changed = [name for name, value in values.items() if getattr(agency, name) != value]
    for name in changed:
        setattr(agency, name, values[name])
    if changed:
        db.session.flush()
        record(AuditEvent.AGENCY_CHANGED, user_id=actor_id, detail=f"agency {agency.code}: {', '.join(changed)}")
    return changed


def update_rule(
    rule: AgencyRule, kind: AgencyKind, level: AgencyLevel, source: str | None, *, actor_id: int | None
) -> bool:
    """Point a rule at another kind and level of agency; True when it changed (audited).

    Refused (``AgencyError`` on "target") when no agency of that kind exists at that level: for the kab/kota
    level, in at least one kab/kota (the one of a permit's estate is checked when the permit is recorded).
    """
    level_match = Agency.level == level
    exists = db.session.scalar(select(Agency.id).where(Agency.kind == kind, level_match).limit(1))
    if exists is None:
        raise AgencyError({"target": _l("No agency of this kind is recorded at this level.")})
    before = (rule.agency_kind, rule.agency_level, rule.source)
    rule.agency_kind, rule.agency_level, rule.source = kind, level, _clean(source)
    if before == (rule.agency_kind, rule.agency_level, rule.source):
        return False
    db.session.flush()
    detail = (
        f"agency rule {rule.id} (permit type {rule.permit_type_id}, {rule.capital_status or 'any'}): "
        f"{before[0]}/{before[1]} -> {kind}/{level}"
    )
    record(AuditEvent.AGENCY_CHANGED, user_id=actor_id, detail=detail)
    return True


def regions_without(kind: AgencyKind) -> list[Region]:
    """The kab/kota that have no agency of ``kind`` (a kab/kota rule of that kind resolves to none there)."""
    having = select(Agency.region_id).where(Agency.kind == kind, Agency.region_id.is_not(None))
    return list(db.session.scalars(select(Region).where(Region.id.not_in(having)).order_by(Region.bps_code)))
