"""An administrator's corrections of the working-day calendar (closure dates and working-day overrides).

Services flush, never commit: the caller commits once. Every change drops this process's calendar cache at once
(and again if the transaction is rolled back); other processes see it within ``CACHE_TTL_SECONDS``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import record_change
from app.extensions import db
from app.formatting import day as format_day
from app.models import AuditEvent, User
from app.urls import MAX_ID
from permits.calendar import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarRangeError,
    cuti_bersama_days,
    cuti_bersama_non_working,
    invalidate_calendar_cache,
    national_holidays,
    non_working_days,
)
from permits.models import CalendarOverride, CalendarOverrideKind
from permits.workflow import recompute_open_deadlines


class CalendarOverrideError(ValueError):
    """A calendar override refused. ``str(error)`` is the message for the administrator, translated lazily
    (when shown, in the request's language)."""


class DuplicateOverrideError(CalendarOverrideError):
    """The date already has an override (remove it first)."""

    def __init__(self, day: date) -> None:
        super().__init__(_l("%(day)s already has a calendar entry.", day=LazyString(format_day, day)))
        self.day = day


class OverrideNotFoundError(CalendarOverrideError, LookupError):
    """No override has this id (a view answers 404)."""


def add_override(day: date, kind: CalendarOverrideKind | str, reason: str, created_by: str) -> CalendarOverride:
    """Make ``day`` non-working (``closed``) or working (``working``) whatever the holidays package says.

    Flushes the new row and drops the calendar cache. Raises ``CalendarOverrideError`` for an unknown kind, an
    empty reason or author, or a year outside the calendar; ``DuplicateOverrideError`` when the date already has
    an entry (if a concurrent insert wins the race, the flush fails and the session must be rolled back).
    """
    try:
        kind = CalendarOverrideKind(kind)
    except ValueError:
        raise CalendarOverrideError(_l("Unknown kind of calendar entry: %(kind)s.", kind=kind)) from None
    reason, created_by = (reason or "").strip(), (created_by or "").strip()
    if not reason:
        raise CalendarOverrideError(_l("Give the reason (the decree or the notice) for this calendar entry."))
    if not created_by:
        raise CalendarOverrideError(_l("A calendar entry needs the name of who made it."))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CalendarOverrideError(_l("The calendar covers %(first)s to %(last)s.", first=MIN_YEAR, last=MAX_YEAR))
    if db.session.scalar(select(CalendarOverride.id).where(CalendarOverride.day == day)) is not None:
        raise DuplicateOverrideError(day)
    override = CalendarOverride(day=day, kind=kind, reason=reason, created_by=created_by)
    db.session.add(override)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise DuplicateOverrideError(day) from exc
    finally:
        calendar_changed()
    return override


def remove_override(override_id: int) -> CalendarOverride:
    """Delete an override, so the date follows the holidays package again; returns the deleted row.

    Flushes and drops the calendar cache. Raises ``OverrideNotFoundError`` for an unknown id.
    """
    override = db.session.get(CalendarOverride, override_id)
    if override is None:
        raise OverrideNotFoundError(_l("No calendar entry with this id."))
    db.session.delete(override)
    db.session.flush()
    calendar_changed()
    return override


def list_overrides(year: int) -> list[CalendarOverride]:
    """The overrides of ``year`` in date order (at most one per day, so never more than 366).

    Raises ``CalendarRangeError`` for a year outside the calendar.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarRangeError(f"the working-day calendar covers {MIN_YEAR} to {MAX_YEAR}, not {year}")
    query = (
        select(CalendarOverride)
        .where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
        .order_by(CalendarOverride.day)
    )
    return list(db.session.scalars(query))


def calendar_changed() -> None:
    """Drop the cache now, and again if this transaction is rolled back (the cache may have seen its rows).

    Call it after any change the calendar reads: an override, or the cuti bersama setting.
    """
    invalidate_calendar_cache()
    session = db.session()
    if not event.contains(session, "after_rollback", _invalidate_after_rollback):
        event.listen(session, "after_rollback", _invalidate_after_rollback)


def _invalidate_after_rollback(session: Session) -> None:
    invalidate_calendar_cache()


# --- the read side of the administration pages ---------------------------------------------------------------


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


def year_summary(year: int) -> YearSummary:
    """How many working days ``year`` has on this site's calendar (overrides and the setting applied)."""
    total = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    return YearSummary(year, total - len(non_working_days(year)), cuti_bersama_non_working=cuti_bersama_non_working())


@dataclass(frozen=True)
class ClosureChanged:
    """The entry added or removed, and how many running permits got a new due date."""

    override: CalendarOverride
    deadlines_moved: int


def add_closure(day: date, kind: CalendarOverrideKind | str, reason: str, actor: User | str) -> ClosureChanged:
    """Add a calendar entry (``add_override``, recorded by ``actor``'s name), recompute running permits' due
    dates and audit the change.

    Flushes. Raises what ``add_override`` raises (``CalendarOverrideError``, ``DuplicateOverrideError``).
    """
    override = add_override(day, kind, reason, actor.name if isinstance(actor, User) else actor)
    moved = recompute_open_deadlines()
    record_change(AuditEvent.CLOSURE_CHANGED, actor, f"closure {day.isoformat()}", None, _values(override))
    return ClosureChanged(override, moved)


def remove_closure(override_id: int, actor: User | None = None) -> ClosureChanged:
    """Remove a calendar entry (``remove_override``), recompute running permits' due dates and audit it.

    Flushes. Raises ``OverrideNotFoundError`` for an unknown id.
    """
    override = remove_override(override_id)
    before = _values(override)
    moved = recompute_open_deadlines()
    record_change(AuditEvent.CLOSURE_CHANGED, actor, f"closure {override.day.isoformat()}", before, None)
    return ClosureChanged(override, moved)


def _values(override: CalendarOverride) -> dict:
    return {"day": override.day.isoformat(), "kind": str(override.kind), "reason": override.reason}


def get_override(override_id: int) -> CalendarOverride | None:
    if not 0 < override_id <= MAX_ID:
        return None
    return db.session.get(CalendarOverride, override_id)


def override_on(day: date) -> CalendarOverride | None:
    """The calendar entry of ``day``, if any (one per date)."""
    return db.session.scalars(select(CalendarOverride).where(CalendarOverride.day == day)).one_or_none()


def year_in_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR
