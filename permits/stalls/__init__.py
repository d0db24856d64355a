"""Stalled approvals: the flags of the morning scan, the stalled list, the evidence page and the agency figures."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import permits.stalls.models  # noqa: F401 - the schema, for migrations and mappers
    from permits.dashboard import register_work_item
    from permits.hooks import on_move
    from permits.stalls import views
    from permits.stalls.scan import resolve_on_move
    from permits.stalls.stats import flagged_work_item

    app.register_blueprint(views.bp)
    on_move(resolve_on_move)  # flags follow the permit at once
    register_work_item(flagged_work_item)
