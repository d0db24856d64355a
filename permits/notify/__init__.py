"""Notifications: the daily and weekly digests of the flags, kept in the app and mailed by the outbox."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import permits.notify.models  # noqa: F401 - the schema, for migrations and mappers
    from app.scheduler import every_minutes, register_job
    from estates.services import on_stop_order
    from permits import jobs
    from permits.hooks import on_move
    from permits.notify import views
    from permits.notify.notices import notify_move, notify_stop_order

    app.register_blueprint(views.bp)
    on_move(notify_move)  # the moves with a short clock are told at once
    on_stop_order(notify_stop_order)
    if app.config.get("MAIL_SERVER"):  # without SMTP the messages stay in the app: nothing to send
        register_job(app, "send-outbox", jobs.send_outbox, every_minutes("OUTBOX_INTERVAL_MINUTES"))
