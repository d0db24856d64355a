"""Investors, their industrial estates, the estates' zones and the claims made about them."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import estates.models  # noqa: F401 - the schema, for migrations and mappers
    from estates import views

    app.register_blueprint(views.bp)
