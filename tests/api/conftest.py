"""API fixtures: ``token_for("officer")`` makes a user of that role (as ``login_as`` does) with a personal API
token, and sends requests with it (JSON in, JSON out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.tokens import create_token
from app.extensions import db
from app.models import User


@dataclass
class ApiCaller:
    app: Flask
    token: str
    user: User

    def _send(self, method: str, url: str, **kw):
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return self.app.test_client().open(url, method=method, headers=headers, **kw)

    def get(self, url: str, **kw):
        return self._send("GET", url, **kw)

    def post(self, url: str, json=None, **kw):
        return self._send("POST", url, json=json, **kw)

    def put(self, url: str, json=None, **kw):
        return self._send("PUT", url, json=json, **kw)

    def patch(self, url: str, json=None, **kw):
        return self._send("PATCH", url, json=json, **kw)


@pytest.fixture
def token_for(app: Flask, login_as: Callable[..., FlaskClient]) -> Callable[..., ApiCaller]:
    def make(role: str, *, investor=None, region: str | None = None) -> ApiCaller:
        user = login_as(role, investor=investor, region=region).user
        secret = create_token(user, f"system {role}").secret
        db.session.commit()
        return ApiCaller(app, secret, user)

    return make
