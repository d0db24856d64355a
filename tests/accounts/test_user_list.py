"""Issue 12, "Lists": the administrator's list of accounts sorts by its column headers and downloads as CSV in
that order with its filters (audited, never a password hash); nobody else reaches the CSV."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from tests.listing import csv_table


def test_the_users_list_sorts_and_exports(login_as):
    admin = login_as("administrator", email="b.admin@pantau.test")
    login_as("officer", region="36.73", email="a.serang@pantau.test")
    login_as("governor", email="c.gubernur@pantau.test")

    def emails(query: str) -> list[str]:
        html = admin.get(f"/admin/users?{query}").get_data(as_text=True)
        return re.findall(r'<tr class="[^"]*" data-email="([^"]+)"', html)

    assert emails("") == ["a.serang@pantau.test", "b.admin@pantau.test", "c.gubernur@pantau.test"]
    assert emails("sort=-email") == ["c.gubernur@pantau.test", "b.admin@pantau.test", "a.serang@pantau.test"]
    assert emails("sort=role")[0] == "b.admin@pantau.test"  # "administrator" first
    assert emails("sort=bogus") == emails("")
    html = admin.get("/admin/users").get_data(as_text=True)
    assert 'aria-sort="ascending"><a class="sort-link active" data-sort="email"' in html

    table = csv_table(admin.get("/admin/users.csv?sort=-email&role=officer"))
    assert table[0][0] == "E-mail" and [row[0] for row in table[1:]] == ["a.serang@pantau.test"]
    assert table[1][3] == "Kota Serang" and "argon2" not in str(table)
    (line,) = db.session.scalars(select(AuditLog).where(AuditLog.event == AuditEvent.EXPORTED)).all()
    assert json.loads(line.detail) == {"filters": {"role": "officer", "sort": "-email"}, "what": "users"}


@pytest.mark.parametrize("role", ["officer", "governor"])
def test_only_administrators_download_the_users(role, login_as):
    assert login_as(role).get("/admin/users.csv").status_code == 403
