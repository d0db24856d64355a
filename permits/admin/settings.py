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
