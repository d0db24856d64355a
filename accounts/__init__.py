"""Accounts: users and roles, sign-in and sign-out, passwords, the audit log and their admin pages.

The user model stays in ``app.models`` so that every layer can name the person who acted; this package holds
what people do with accounts.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from accounts import auth, cli, views
    from app.input_policy import on_refusal

    app.register_blueprint(auth.bp)
    on_refusal("auth.login", auth.audit_refused_sign_in)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users)
