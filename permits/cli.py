"""Command-line commands of the permits package (and the demo scenario, which spans estates and permits)."""

from flask import Flask


def register(app: Flask) -> None:
    pass
