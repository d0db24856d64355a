"""The investor's portal: its own estates and permits, what blocks each, and its answers to returns.

Read services (``portal.services``) are apart from the views, so that a JSON API can reuse them.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from portal import views

    app.register_blueprint(views.bp)
