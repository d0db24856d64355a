"""Read the administrator-editable settings (the ``setting`` table) with a typed fallback."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.extensions import db
from app.fragments import cached
from app.models import Setting

log = logging.getLogger(__name__)


def setting_value(key: str) -> str | None:
    """The setting's text, kept per worker until the next committed write (``app.fragments``)."""
    return cached("setting", key, lambda: db.session.scalar(select(Setting.value).where(Setting.key == key)))


def decimal_setting(key: str, default: Decimal) -> Decimal:
    """The setting as a Decimal; a missing or unreadable row gives ``default`` and logs a warning."""
    raw = setting_value(key)
    try:
        return Decimal(raw) if raw is not None else default
    except InvalidOperation:
        log.warning("setting %s has an unreadable value %r; using %s", key, raw, default)
        return default
