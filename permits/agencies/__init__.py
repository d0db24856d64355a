"""Agencies as records: who issues each permit (name, level, region, kind, contact) and the catalogue's rules that
resolve a new permit's agency, with the administrator's pages for both.

The models and services sit under the permit core: the core resolves a new permit's agency through them, and
they know nothing of the core (a rule names its permit type by the table only). The pages are on top, as any
sub-package's.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import permits.agencies.models  # noqa: F401 - the schema, for migrations and mappers
    from permits.agencies import views

    app.register_blueprint(views.bp)
    app.add_template_filter(views.agency_name, "agency_name")
