"""The agencies' templates (``agencies/_agency.html``: an agency's name and contact, as every page shows them) and
the ``agency_name`` template filter."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import get_locale

from permits.agencies.models import Agency

bp = Blueprint("agencies", __name__, url_prefix="/admin", template_folder="templates")


def agency_name(agency: Agency | None) -> str:
    """The ``agency_name`` template filter: the name in the interface language (every template, macros too)."""
    return agency.name(str(get_locale() or "id")) if agency is not None else ""
