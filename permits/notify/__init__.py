"""Notifications: the daily and weekly digests of the flags, kept in the app and mailed by the outbox."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import permits.notify.models  # noqa: F401 - the schema, for migrations and mappers
    from app.scheduler import every_minutes, register_job
    from permits import jobs
    from permits.notify import views

    app.register_blueprint(views.bp)
    if app.config.get("MAIL_SERVER"):  # without SMTP the messages stay in the app: nothing to send
        register_job(app, "send-outbox", jobs.send_outbox, every_minutes("OUTBOX_INTERVAL_MINUTES"))
