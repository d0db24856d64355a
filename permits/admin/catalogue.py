"""The administrator's edits of the permit catalogue and of the settings, and the queries behind the admin pages.

Closure dates (calendar overrides) are written by ``permits.admin.closures``; this module only reads them.
Every function takes plain arguments (no request objects) so that a later JSON API can call it. Functions
flush, never commit: the view commits once. Messages are lazy strings, translated when shown.

When a change moves statutory deadlines (a permit type's working days, the at-risk share, whether cuti bersama
count), the due dates stored on running permits are recomputed in the same transaction
(``permits.workflow.recompute_open_deadlines``) and the number of permits that changed is returned.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise

import holidays
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.formatting import hectares, number
from app.models import Setting
from app.urls import MAX_ID
from permits.admin.closures import add_override, calendar_changed, remove_override
from permits.calendar import (
    CUTI_BERSAMA_SETTING,
    MAX_YEAR,
    MIN_YEAR,
    cuti_bersama_days,
    national_holidays,
    non_working_days,
)
from permits.models import CalendarOverride, CalendarOverrideKind, PermitType, permit_type_prerequisite
from permits.workflow import AT_RISK_SETTING, recompute_open_deadlines

MAX_WORKING_DAYS = 365  # a statutory limit beyond a year of working days is a typo
MAX_SEQUENCE = 10_000
MAX_NAME = 200  # the columns' lengths
MAX_AUTHORITY = 255
MAX_LONG_TEXT = 2000
MAX_SETTING_VALUE = 255
MIN_AREA_SETTING = "estate.min_area_ha"
MAX_MIN_AREA_HA = Decimal(10_000)
_TRUE, _FALSE = "true", "false"
_FALSE_WORDS = frozenset({"false", "0", "no", "off"})  # what permits.calendar reads as "cuti bersama are working"


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


class InvalidSettingValue(AdminError):
    """A setting's new value is not valid for its key."""

    def __init__(self, message: str) -> None:
        super().__init__({"value": message})


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


def overview(year: int) -> AdminOverview:
    """The counts shown on the administration home page for ``year`` (inside MIN_YEAR..MAX_YEAR)."""
    types = db.session.execute(
        select(func.count(), func.count().filter(PermitType.confirmed.is_(False))).select_from(PermitType)
    ).one()
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
    )


# --- the permit catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PermitTypeFields:
    """Everything an administrator may change on a permit type (the code is fixed)."""

    name_id: str
    name_en: str
    issuing_authority: str
    sla_working_days: int
    applicant_fix_working_days: int | None
    prerequisite_ids: tuple[int, ...]
    automatic_outcome_when_late: str | None
    legal_basis: str
    confirmed: bool
    confirmation_note: str | None
    sequence: int


@dataclass(frozen=True)
class PermitTypeSaved:
    """The saved type; ``deadlines_moved`` is how many running permits got new dates (``None``: not recomputed)."""

    permit_type: PermitType
    deadlines_moved: int | None


def catalogue_query() -> Select:
    """Every permit type in the usual order of the chain, prerequisites loaded."""
    return (
        select(PermitType)
        .options(selectinload(PermitType.prerequisites))
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
        "legal_basis": _text_problem(data.legal_basis, MAX_LONG_TEXT, required=True),
        "automatic_outcome_when_late": _text_problem(data.automatic_outcome_when_late, MAX_LONG_TEXT, required=False),
        "confirmation_note": _text_problem(data.confirmation_note, MAX_LONG_TEXT, required=False),
        "sla_working_days": _days_problem(data.sla_working_days, required=True),
        "applicant_fix_working_days": _days_problem(data.applicant_fix_working_days, required=False),
        "sequence": None if 0 <= data.sequence <= MAX_SEQUENCE else _l("Between 0 and %(max)s.", max=MAX_SEQUENCE),
    }
    return {name: message for name, message in problems.items() if message is not None}


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def update_permit_type(ptype: PermitType, data: PermitTypeFields) -> PermitTypeSaved:
    """Replace everything but the code of ``ptype``; flushes.

    When the statutory working days change, the due dates of running permits are recomputed in the same
    transaction. Raises ``InvalidPermitType`` (missing or out-of-range values), ``SelfPrerequisite``,
    ``UnknownPrerequisite`` or ``PrerequisiteCycle``, before anything is changed.
    """
    problems = permit_type_problems(data)
    if problems:
        raise InvalidPermitType(problems)
    check_prerequisites(ptype.id, data.prerequisite_ids)
    prerequisites = db.session.scalars(
        select(PermitType).where(PermitType.id.in_(data.prerequisite_ids)).order_by(PermitType.sequence)
    ).all()
    sla_changed = ptype.sla_working_days != data.sla_working_days
    ptype.name_id = data.name_id.strip()
    ptype.name_en = data.name_en.strip()
    ptype.issuing_authority = data.issuing_authority.strip()
    ptype.sla_working_days = data.sla_working_days
    ptype.applicant_fix_working_days = data.applicant_fix_working_days
    ptype.prerequisites = list(prerequisites)
    ptype.automatic_outcome_when_late = _clean(data.automatic_outcome_when_late)
    ptype.legal_basis = data.legal_basis.strip()
    ptype.confirmed = data.confirmed
    ptype.confirmation_note = _clean(data.confirmation_note)
    ptype.sequence = data.sequence
    db.session.flush()
    moved = recompute_open_deadlines() if sla_changed else None
    return PermitTypeSaved(ptype, moved)


def dependants(type_id: int) -> list[str]:
    """Codes of the types that need ``type_id`` directly or through others (choosing one makes a loop)."""
    graph = _prerequisite_graph()
    codes = dict(db.session.execute(select(PermitType.id, PermitType.code)).tuples().all())
    return sorted(codes[t] for t in codes if t != type_id and _path(graph, t, type_id) is not None)


# --- closure dates (read side; writes go through permits.admin.closures) ---------------------------------


class HolidayCategory(enum.StrEnum):
    NATIONAL = "national"
    CUTI_BERSAMA = "cuti_bersama"


@dataclass(frozen=True)
class ReferenceDay:
    """A date the holidays package marks, with its name and any administrator's override of it."""

    day: date
    name: str
    category: HolidayCategory
    override: CalendarOverrideKind | None


@cache
def _holiday_names(year: int, language: str) -> dict[date, str]:
    names = holidays.country_holidays("ID", years=year, categories=("public", "government"), language=language)
    return dict(names.items())


def reference_days(year: int, overrides: Sequence[CalendarOverride], locale: str = "id") -> list[ReferenceDay]:
    """The year's national holidays and cuti bersama from the holidays package, in date order.

    Names come in Indonesian (``locale`` "id") or English. ``overrides`` are the year's entries, so that the
    page can say which package dates an administrator has changed. No database access.
    """
    names = _holiday_names(year, "id" if locale == "id" else "en_US")
    changed = {o.day: o.kind for o in overrides}
    days = [(d, HolidayCategory.NATIONAL) for d in national_holidays(year)]
    days += [(d, HolidayCategory.CUTI_BERSAMA) for d in cuti_bersama_days(year)]
    return [ReferenceDay(d, names.get(d, ""), category, changed.get(d)) for d, category in sorted(days)]


@dataclass(frozen=True)
class YearSummary:
    year: int
    working_days: int
    cuti_bersama_non_working: bool


def cuti_bersama_counted() -> bool:
    """Whether cuti bersama are non-working on this site: only an explicit "false" (or no/0/off) says no,
    as in ``permits.calendar``."""
    row = get_setting(CUTI_BERSAMA_SETTING)
    return not (row is not None and row.value.strip().lower() in _FALSE_WORDS)


def year_summary(year: int) -> YearSummary:
    """How many working days ``year`` has on this site's calendar (overrides and the setting applied)."""
    total = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    return YearSummary(year, total - len(non_working_days(year)), cuti_bersama_non_working=cuti_bersama_counted())


@dataclass(frozen=True)
class ClosureChanged:
    """The entry added or removed, and how many running permits got a new due date."""

    override: CalendarOverride
    deadlines_moved: int


def add_closure(day: date, kind: CalendarOverrideKind | str, reason: str, recorded_by: str) -> ClosureChanged:
    """Add a calendar entry (``calendar_services.add_override``) and recompute running permits' due dates.

    Flushes. Raises what ``add_override`` raises (``CalendarOverrideError``, ``DuplicateOverrideError``).
    """
    override = add_override(day, kind, reason, recorded_by)
    return ClosureChanged(override, recompute_open_deadlines())


def remove_closure(override_id: int) -> ClosureChanged:
    """Remove a calendar entry (``calendar_services.remove_override``) and recompute running permits' due dates.

    Flushes. Raises ``OverrideNotFoundError`` for an unknown id.
    """
    override = remove_override(override_id)
    return ClosureChanged(override, recompute_open_deadlines())


def get_override(override_id: int) -> CalendarOverride | None:
    if not 0 < override_id <= MAX_ID:
        return None
    return db.session.get(CalendarOverride, override_id)


def override_on(day: date) -> CalendarOverride | None:
    """The calendar entry of ``day``, if any (one per date)."""
    return db.session.scalars(select(CalendarOverride).where(CalendarOverride.day == day)).one_or_none()


def year_in_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


# --- settings ----------------------------------------------------------------------------------------------


class SettingKind(enum.StrEnum):
    SHARE = "share"  # a decimal in (0, 1]
    BOOLEAN = "boolean"  # "true" or "false"
    AREA = "area"  # hectares, > 0 and <= 10 000
    TEXT = "text"  # anything non-empty of at most 255 characters


SETTING_KINDS = {
    AT_RISK_SETTING: SettingKind.SHARE,
    CUTI_BERSAMA_SETTING: SettingKind.BOOLEAN,
    MIN_AREA_SETTING: SettingKind.AREA,
}
DEADLINE_SETTINGS = frozenset({AT_RISK_SETTING, CUTI_BERSAMA_SETTING})


@dataclass(frozen=True)
class SettingSaved:
    """The saved row; ``changed`` says whether the value differs; ``deadlines_moved`` as in ``PermitTypeSaved``."""

    setting: Setting
    changed: bool
    deadlines_moved: int | None


def setting_kind(key: str) -> SettingKind:
    return SETTING_KINDS.get(key, SettingKind.TEXT)


def display_value(setting: Setting) -> str:
    """The stored value as an administrator reads it: Yes/No, a share with its percentage, hectares."""
    kind = setting_kind(setting.key)
    try:
        cleaned = clean_setting_value(setting.key, setting.value)
    except InvalidSettingValue:
        return setting.value  # shown as stored; the edit form says what is wrong with it
    if kind is SettingKind.BOOLEAN:
        return _("Yes") if cleaned == _TRUE else _("No")
    if kind is SettingKind.SHARE:
        return f"{number(Decimal(cleaned))} ({number(Decimal(cleaned) * 100)}%)"
    if kind is SettingKind.AREA:
        return hectares(Decimal(cleaned))
    return cleaned


def settings_query() -> Select:
    return select(Setting).order_by(Setting.key)


def get_setting(key: str) -> Setting | None:
    return db.session.get(Setting, key)


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidSettingValue(_l("Not a number. Type digits with a point, for example 0.75.")) from None
    if not number.is_finite():
        raise InvalidSettingValue(_l("Not a number. Type digits with a point, for example 0.75."))
    return number


def clean_setting_value(key: str, value: str) -> str:
    """The value as it will be stored, after checking it against the rule of ``key``.

    ``clock.at_risk_share``: a decimal more than 0 and at most 1 (written with a point);
    ``calendar.cuti_bersama_non_working``: ``true`` or ``false``; ``estate.min_area_ha``: hectares more than
    0 and at most 10 000; any other key: non-empty text of at most 255 characters. Raises
    ``InvalidSettingValue``.
    """
    text = (value or "").strip()
    kind = setting_kind(key)
    if not text:
        raise InvalidSettingValue(_l("This field is required."))
    if len(text) > MAX_SETTING_VALUE:
        raise InvalidSettingValue(_l("At most %(max)s characters.", max=MAX_SETTING_VALUE))
    if kind is SettingKind.BOOLEAN:
        if text.lower() not in (_TRUE, _FALSE):
            raise InvalidSettingValue(_l("Choose yes or no."))
        return text.lower()
    if kind is SettingKind.SHARE:
        share = _decimal(text)
        if not 0 < share <= 1:
            raise InvalidSettingValue(_l("A share more than 0 and at most 1 (for example 0.75 for 75%%)."))
        return format(share, "f")
    if kind is SettingKind.AREA:
        area = _decimal(text)
        if not 0 < area <= MAX_MIN_AREA_HA:
            raise InvalidSettingValue(_l("More than 0 and at most %(max)s.", max=LazyString(hectares, MAX_MIN_AREA_HA)))
        return format(area, "f")
    return text


def update_setting(setting: Setting, value: str) -> SettingSaved:
    """Store a new value for ``setting`` after ``clean_setting_value``; flushes.

    When the at-risk share or the cuti bersama setting changes, the calendar cache is dropped (again if the
    transaction is rolled back) and the dates of running permits are recomputed in the same transaction.
    Raises ``InvalidSettingValue`` before anything is changed.
    """
    cleaned = clean_setting_value(setting.key, value)
    if cleaned == setting.value:
        return SettingSaved(setting, changed=False, deadlines_moved=None)
    setting.value = cleaned
    db.session.flush()
    moved = None
    if setting.key in DEADLINE_SETTINGS:
        calendar_changed()
        moved = recompute_open_deadlines()
    return SettingSaved(setting, changed=True, deadlines_moved=moved)
