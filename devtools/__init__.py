"""Tools for developers: the demo scenario and the object factories that the tests and bench/ share."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from devtools import cli

    app.cli.add_command(cli.seed_demo_command)
    app.cli.add_command(cli.dev_cli)
