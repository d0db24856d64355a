"""The administrator's edits of the settings: each key's kind (a share, a switch, an area, text), its check,
and how it reads. A change of a setting that moves deadlines (the at-risk share, whether cuti bersama count)
recomputes the due dates of running permits in the same transaction. Functions flush, never commit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app.audit import record_change
from app.extensions import db
from app.formatting import hectares, number
from app.models import AuditEvent, Setting
from permits.admin.catalogue import AdminError
from permits.admin.closures import calendar_changed
from permits.calendar import CUTI_BERSAMA_SETTING
from permits.workflow import AT_RISK_SETTING, recompute_open_deadlines

MAX_SETTING_VALUE = 255
MIN_AREA_SETTING = "estate.min_area_ha"
MAX_MIN_AREA_HA = Decimal(10_000)
_TRUE, _FALSE = "true", "false"


class InvalidSettingValue(AdminError):
    """A setting's new value is not valid for its key."""

    def __init__(self, message: str) -> None:
        super().__init__({"value": message})


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
    "lkpm.deadline_next_working_day": SettingKind.BOOLEAN,
}

# What an administrator reads for each key, in the interface language: a plain name and what it does. The key
# itself is shown small, for support; the stored English description only for a key not named here.
SETTING_TEXTS: dict[str, tuple[LazyString, LazyString]] = {
    AT_RISK_SETTING: (
        _l("When a permit becomes at risk"),
        _l("A running permit is marked at risk once this share of its statutory working days has been used."),
    ),
    CUTI_BERSAMA_SETTING: (
        _l("Cuti bersama are days off"),
        _l("When on, collective leave days (cuti bersama) do not count as working days in any deadline."),
    ),
    MIN_AREA_SETTING: (
        _l("Smallest industrial estate"),
        _l("An estate smaller than this in one piece is marked for checking (it is not refused)."),
    ),
    "lkpm.deadline_day": (
        _l("Day of the month an LKPM report is due"),
        _l("Reports are due by this day of the month after the period; a missing one is flagged the day after."),
    ),
    "lkpm.deadline_next_working_day": (
        _l("LKPM deadline moves to the next working day"),
        _l("When on, a due day on a weekend, a holiday or a closure date moves to the next working day."),
    ),
    "lkpm.sanction_missed_periods": (
        _l("Missed reports before a sanction warning"),
        _l("Periods in a row without a report after which an investor is flagged at risk of a sanction."),
    ),
    "lkpm.first_period": (
        _l("First LKPM period followed"),
        _l("Missing reports are looked for from this period on."),
    ),
    "help.dpmptsp_phone": (
        _l("DPMPTSP Banten phone for late files"),
        _l("Shown to an investor whose file is past its deadline. A placeholder until you confirm it."),
    ),
    "help.dpmptsp_email": (
        _l("DPMPTSP Banten e-mail for late files"),
        _l("Shown to an investor whose file is past its deadline. A placeholder until you confirm it."),
    ),
    "help.dpmptsp_address": (
        _l("DPMPTSP Banten address for late files"),
        _l("Shown to an investor whose file is past its deadline. A placeholder until you confirm it."),
    ),
    "help.complaint_name": (
        _l("Complaint channel"),
        _l("The public-service complaint channel an investor is pointed to when a file is late."),
    ),
    "help.complaint_url": (
        _l("Complaint channel address"),
        _l("Shown as text and as a link to an investor whose file is late."),
    ),
    "help.complaint_sms": (
        _l("Complaint channel SMS number"),
        _l("Shown to an investor whose file is late."),
    ),
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


def setting_label(key: str) -> str:
    """The plain name of ``key`` in the interface language (the key itself when it has none)."""
    texts = SETTING_TEXTS.get(key)
    return str(texts[0]) if texts else key


def setting_help(key: str) -> str | None:
    """What ``key`` does, in the interface language; None when only the stored (English) description says it."""
    texts = SETTING_TEXTS.get(key)
    return str(texts[1]) if texts else None


def percent(share: Decimal) -> str:
    """A share as a percentage: ``75%``, ``12,5%``."""
    return f"{number(share * 100)}%"


def display_value(setting: Setting) -> str:
    """The stored value as an administrator reads it: On/Off, a percentage, hectares."""
    kind = setting_kind(setting.key)
    try:
        cleaned = clean_setting_value(setting.key, setting.value)
    except InvalidSettingValue:
        return setting.value  # shown as stored; the edit form says what is wrong with it
    if kind is SettingKind.BOOLEAN:
        return _("On") if cleaned == _TRUE else _("Off")
    if kind is SettingKind.SHARE:
        return percent(Decimal(cleaned))
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


def update_setting(setting: Setting, value: str, actor_id: int | None = None) -> SettingSaved:
    """Store a new value for ``setting`` after ``clean_setting_value``; flushes.

    When the at-risk share or the cuti bersama setting changes, the calendar cache is dropped (again if the
    transaction is rolled back) and the dates of running permits are recomputed in the same transaction.
    Raises ``InvalidSettingValue`` before anything is changed.
    """
    cleaned = clean_setting_value(setting.key, value)
    if cleaned == setting.value:
        return SettingSaved(setting, changed=False, deadlines_moved=None)
    record_change(
        AuditEvent.SETTING_CHANGED, actor_id, f"setting {setting.key}", {"value": setting.value}, {"value": cleaned}
    )
    setting.value = cleaned
    db.session.flush()
    moved = None
    if setting.key in DEADLINE_SETTINGS:
        calendar_changed()
        moved = recompute_open_deadlines()
    return SettingSaved(setting, changed=True, deadlines_moved=moved)
