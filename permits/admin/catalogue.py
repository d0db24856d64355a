"""The administrator's edits of the permit catalogue, and the counts of the administration home page.

Every function takes plain arguments (no request objects) so that a later JSON API can call it. Functions
flush, never commit: the request commits once. Messages are lazy strings, translated when shown. When a change
moves statutory deadlines (a permit type's working days), the due dates stored on running permits are
recomputed in the same transaction (``permits.workflow.recompute_open_deadlines``) and the number of permits
that changed is returned. Closure dates are in ``permits.admin.closures``, settings in ``permits.admin.settings``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.audit import record_change
from app.extensions import db
from app.models import AuditEvent, Setting
from app.urls import MAX_ID
from permits.calendar import (
    MAX_YEAR,
    cuti_bersama_days,
    national_holidays,
)
from permits.models import CalendarOverride, CalendarOverrideKind, PermitType, permit_type_prerequisite
from permits.rules import PermitRule

MAX_WORKING_DAYS = 365  # a statutory limit beyond a year of working days is a typo
MAX_SEQUENCE = 10_000
MAX_NAME = 200  # the columns' lengths
MAX_AUTHORITY = 255
MAX_LONG_TEXT = 2000


class AdminError(ValueError):
    """A change refused; ``errors`` maps a form field to its message. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(*errors)
        self.errors = errors


class InvalidPermitType(AdminError):
    """A permit type's figures or texts are missing or out of range."""


class SelfPrerequisite(AdminError):
    """A permit type was named as its own prerequisite."""

    def __init__(self) -> None:
        super().__init__({"prerequisites": _l("A permit type cannot be its own prerequisite.")})


class UnknownPrerequisite(AdminError):
    """A prerequisite id that is not in the catalogue."""

    def __init__(self) -> None:
        super().__init__({"prerequisites": _l("Choose prerequisites from the list of permit types.")})


class PrerequisiteCycle(AdminError):
    """The prerequisites would form a loop (A needs B needs ... needs A): none of them could ever be submitted.

    ``cycle`` lists the codes along the loop, starting and ending with the edited type.
    """

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = tuple(cycle)
        steps = "; ".join(
            str(_l("%(first)s needs %(then)s", first=first, then=then)) for first, then in pairwise(cycle)
        )
        super().__init__(
            {
                "prerequisites": _l(
                    "This would make a loop of prerequisites, so none of these permits could ever be submitted: "
                    "%(steps)s.",
                    steps=steps,
                )
            }
        )


# --- overview ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminOverview:
    permit_types: int
    unconfirmed_types: int
    overrides_in_year: int
    holidays_in_year: int
    cuti_bersama_in_year: int
    settings: int
    unconfirmed_settings: int
    next_year_estimated: bool  # next year has no cuti bersama in the package nor entered by an administrator


def overview(year: int) -> AdminOverview:
    """The counts shown on the administration home page for ``year`` (inside MIN_YEAR..MAX_YEAR)."""
    unconfirmed = select(func.count(func.distinct(PermitRule.permit_type_id))).where(PermitRule.confirmed.is_(False))
    types = (db.session.scalar(select(func.count()).select_from(PermitType)), db.session.scalar(unconfirmed))
    settings = db.session.execute(
        select(func.count(), func.count().filter(Setting.confirmed.is_(False))).select_from(Setting)
    ).one()
    overrides = db.session.scalar(
        select(func.count())
        .select_from(CalendarOverride)
        .where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    )
    return AdminOverview(
        permit_types=types[0],
        unconfirmed_types=types[1],
        overrides_in_year=overrides or 0,
        holidays_in_year=len(national_holidays(year)),
        cuti_bersama_in_year=len(cuti_bersama_days(year)),
        settings=settings[0],
        unconfirmed_settings=settings[1],
        next_year_estimated=_without_cuti_bersama(year + 1),
    )


def _without_cuti_bersama(year: int) -> bool:
    """No cuti bersama decreed for ``year`` yet: neither in the holidays package nor entered as closures."""
    if year > MAX_YEAR or cuti_bersama_days(year):
        return False
    entered = (
        select(func.count())
        .select_from(CalendarOverride)
        .where(
            CalendarOverride.kind == CalendarOverrideKind.CLOSED,
            CalendarOverride.day >= date(year, 1, 1),
            CalendarOverride.day <= date(year, 12, 31),
        )
    )
    return not db.session.scalar(entered)


# --- the permit catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PermitTypeFields:
    """Everything an administrator may change on a permit type (the code is fixed)."""

    name_id: str
    name_en: str
    issuing_authority: str
    prerequisite_ids: tuple[int, ...]
    sequence: int


@dataclass(frozen=True)
class PermitTypeSaved:
    """The saved type (its limits are in its rules: ``permits.admin.rules``)."""

    permit_type: PermitType


def catalogue_query() -> Select:
    """Every permit type in the usual order of the chain, prerequisites loaded."""
    return (
        select(PermitType)
        .options(selectinload(PermitType.prerequisites), selectinload(PermitType.rules))
        .order_by(PermitType.sequence, PermitType.code)
    )


def all_permit_types() -> Sequence[PermitType]:
    """The whole catalogue (a handful of rows) in sequence order, for choices."""
    return db.session.scalars(select(PermitType).order_by(PermitType.sequence, PermitType.code)).all()


def get_permit_type(type_id: int) -> PermitType | None:
    """The type with its prerequisites, or ``None`` for an unknown (or impossible) id."""
    if not 0 < type_id <= MAX_ID:
        return None
    query = select(PermitType).where(PermitType.id == type_id).options(selectinload(PermitType.prerequisites))
    return db.session.scalars(query).one_or_none()


def _prerequisite_graph() -> dict[int, set[int]]:
    """type id -> the ids of its direct prerequisites, as stored."""
    graph: dict[int, set[int]] = {}
    rows = db.session.execute(
        select(permit_type_prerequisite.c.permit_type_id, permit_type_prerequisite.c.prerequisite_id)
    ).all()
    for type_id, prerequisite_id in rows:
        graph.setdefault(type_id, set()).add(prerequisite_id)
    return graph


def _path(graph: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """The shortest path of prerequisite links from ``start`` to ``goal`` (both included), or ``None``."""
    parents: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (parent := parents[path[-1]]) is not None:
                path.append(parent)
            return path[::-1]
        for following in sorted(graph.get(node, ())):
            if following not in parents:
                parents[following] = node
                queue.append(following)
    return None


def check_prerequisites(type_id: int, prerequisite_ids: Iterable[int]) -> None:
    """Refuse prerequisites that would make ``type_id`` impossible to submit.

    Raises ``SelfPrerequisite`` when the type names itself, ``UnknownPrerequisite`` for an id outside the
    catalogue and ``PrerequisiteCycle`` when a chosen type needs ``type_id``, directly or through others
    (the stored links of the other types are followed to any depth). Reads only.
    """
    wanted = set(prerequisite_ids)
    if type_id in wanted:
        raise SelfPrerequisite()
    codes = dict(db.session.execute(select(PermitType.id, PermitType.code)).tuples().all())
    if not wanted <= codes.keys():
        raise UnknownPrerequisite()
    graph = _prerequisite_graph()
    graph[type_id] = wanted
    for start in sorted(wanted, key=lambda i: codes[i]):
        path = _path(graph, start, type_id)
        if path is not None:
            raise PrerequisiteCycle([codes[type_id], *(codes[i] for i in path)])


def _text_problem(value: str | None, maximum: int, *, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        return _l("This field is required.")
    if len(text) > maximum:
        return _l("At most %(max)s characters.", max=maximum)
    return None


def _days_problem(value: int | None, *, required: bool) -> str | None:
    if value is None:
        return _l("This field is required.") if required else None
    if not 0 <= value <= MAX_WORKING_DAYS:
        return _l("Between 0 and %(max)s working days.", max=MAX_WORKING_DAYS)
    return None


def permit_type_problems(data: PermitTypeFields) -> dict[str, str]:
    """Field -> message for every figure or text out of range (prerequisites are checked apart)."""
    problems = {
        "name_id": _text_problem(data.name_id, MAX_NAME, required=True),
        "name_en": _text_problem(data.name_en, MAX_NAME, required=True),
        "issuing_authority": _text_problem(data.issuing_authority, MAX_AUTHORITY, required=True),
        "sequence": None if 0 <= data.sequence <= MAX_SEQUENCE else _l("Between 0 and %(max)s.", max=MAX_SEQUENCE),
    }
    return {name: message for name, message in problems.items() if message is not None}


def update_permit_type(ptype: PermitType, data: PermitTypeFields, actor_id: int | None = None) -> PermitTypeSaved:
    """Replace the names, authority, position and prerequisites of ``ptype`` (not its code), audited as the change
    of ``actor_id`` with the values before and after; flushes.

    Raises ``InvalidPermitType`` (missing or out-of-range values), ``SelfPrerequisite``,
    ``UnknownPrerequisite`` or ``PrerequisiteCycle``, before anything is changed.
    """
    problems = permit_type_problems(data)
    if problems:
        raise InvalidPermitType(problems)
    check_prerequisites(ptype.id, data.prerequisite_ids)
    prerequisites = db.session.scalars(
        select(PermitType).where(PermitType.id.in_(data.prerequisite_ids)).order_by(PermitType.sequence)
    ).all()
    before = _type_values(ptype)
    ptype.name_id = data.name_id.strip()
    ptype.name_en = data.name_en.strip()
    ptype.issuing_authority = data.issuing_authority.strip()
    ptype.prerequisites = list(prerequisites)
    ptype.sequence = data.sequence
    db.session.flush()
    if (after := _type_values(ptype)) != before:
        record_change(AuditEvent.CATALOGUE_CHANGED, actor_id, f"permit type {ptype.code}", before, after)
    return PermitTypeSaved(ptype)


def _type_values(ptype: PermitType) -> dict:
    names = ("name_id", "name_en", "issuing_authority", "sequence")
    return {n: getattr(ptype, n) for n in names} | {"prerequisites": sorted(p.code for p in ptype.prerequisites)}


def dependants(type_id: int) -> list[str]:
    """Codes of the types that need ``type_id`` directly or through others (choosing one makes a loop)."""
    graph = _prerequisite_graph()
    codes = dict(db.session.execute(select(PermitType.id, PermitType.code)).tuples().all())
    return sorted(codes[t] for t in codes if t != type_id and _path(graph, t, type_id) is not None)
