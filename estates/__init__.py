"""Investors, their industrial estates, the estates' zones and the claims made about them."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import estates.models  # noqa: F401 - the schema, for migrations and mappers
    from estates import tally, views

    app.register_blueprint(views.bp)
    tally.register()  # the estates' figures per kab/kota, capital status and status, kept by every flush
