"""The province's published realisation totals, kept by release, beside the sum of the LKPM reports in Pantau."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import realisation.province.models  # noqa: F401 - the schema, for migrations and mappers
    from realisation.province import views

    app.register_blueprint(views.bp)
