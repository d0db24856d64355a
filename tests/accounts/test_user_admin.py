"""Administrators manage accounts (create, edit, deactivate, reset a password) and read the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts.services import UserError, reset_password, update_user
from app.database import utcnow
from app.extensions import db
from app.models import AuditEvent, AuditLog, Role, User
from app.security import PasswordRejected, verify_password
from devtools.factories import make_investor, region
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "kopi-tubruk-pagi-hari"


@pytest.fixture
def admin(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    return login_as("administrator", email="admin@pantau.test")


@pytest.fixture
def officer(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    """A signed-in officer whose account the administrator changes."""
    return login_as("officer", email="petugas@pantau.test")


def counts() -> tuple[int, int]:
    """(accounts, audit rows): a refused save must change neither."""
    users = db.session.scalar(select(func.count()).select_from(User))
    rows = db.session.scalar(select(func.count()).select_from(AuditLog))
    return users, rows


def audit_rows(event: AuditEvent) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.event == event).order_by(AuditLog.id)))


def sign_in(app: Flask, email: str, password: str) -> tuple[FlaskClient, int]:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    return client, response.status_code


def html_of(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    return found.group(1).strip() if found else ""


def create_form(**changes: str) -> dict[str, str]:
    data = {
        "email": "baru@pantau.test",
        "name": "Petugas Baru",
        "role": "officer",
        "investor_id": "",
        "region_id": "",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    return data | changes


def edit_form(user: User, **changes: str) -> dict[str, str]:
    data = {
        "name": user.name,
        "role": user.role.value,
        "investor_id": str(user.investor_id or ""),
        "region_id": str(user.region_id or ""),
    }
    if user.active:
        data["active"] = "y"
    return data | changes


# --- who may come in ------------------------------------------------------------------------------------------

PAGES = ["/admin/users", "/admin/users/new", "/admin/audit"]


@pytest.mark.parametrize("role", ["officer", "governor", "investor"])
def test_only_administrators_reach_the_users_pages(login_as, role: str):
    other = login_as("officer", email="target@pantau.test").user
    investor = make_investor() if role == "investor" else None
    client = login_as(role, investor=investor)
    before = counts()
    for url in [*PAGES, f"/admin/users/{other.id}/edit", f"/admin/users/{other.id}/password"]:
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/users/new", data=create_form()).status_code == 403
    assert client.post(f"/admin/users/{other.id}/edit", data=edit_form(other, role="administrator")).status_code == 403
    db.session.expire_all()
    assert other.role is Role.OFFICER
    assert counts()[0] == before[0]
    assert len(audit_rows(AuditEvent.ACCESS_DENIED)) == 7  # every refusal is logged


def test_unknown_users_are_404(admin: FlaskClient):
    for url in ["/admin/users/999999/edit", "/admin/users/999999/password"]:
        assert admin.get(url).status_code == 404
    assert admin.get("/admin/users/abc/edit").status_code == 404


# --- the list -------------------------------------------------------------------------------------------------


def test_the_list_shows_role_investor_region_status_and_last_sign_in(admin: FlaskClient, login_as):
    company = make_investor(legal_name="PT Jaya Dinasti Indonesia")
    login_as("investor", investor=company, email="jdi@pantau.test")
    serang = login_as("officer", region="36.73", email="serang@pantau.test").user
    serang.last_login_at = utcnow()
    gone = login_as("governor", email="pensiun@pantau.test").user
    gone.active = False
    gone.locked_until = utcnow() - timedelta(minutes=1)  # a lock that has run out is not shown
    serang.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    html = html_of(admin.get("/admin/users"))
    table = re.search(r'<table[^>]*id="users".*?</table>', html, re.S).group(0)
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr[^>]*data-email="([^"]+)".*?</tr>', table, re.S)}
    assert set(rows) == {"admin@pantau.test", "jdi@pantau.test", "serang@pantau.test", "pensiun@pantau.test"}
    assert "PT Jaya Dinasti Indonesia" in rows["jdi@pantau.test"] and "Investor" in rows["jdi@pantau.test"]
    assert "Kota Serang" in rows["serang@pantau.test"] and "Never" not in rows["serang@pantau.test"]
    assert "Inactive" in rows["pensiun@pantau.test"] and "Never" in rows["pensiun@pantau.test"]
    assert "Locked after failed sign-ins" in rows["serang@pantau.test"]
    assert "Locked" not in rows["pensiun@pantau.test"]
    assert "Active" in rows["admin@pantau.test"] and "user-inactive" not in rows["admin@pantau.test"]
    assert "/password" not in rows["admin@pantau.test"]  # one's own password is changed on the account page


def test_the_list_filters_by_text_and_role_and_ignores_bad_values(admin: FlaskClient, login_as):
    login_as("officer", email="petugas.serang@pantau.test")
    login_as("governor", email="gubernur@pantau.test")
    emails = lambda html: set(re.findall(r'data-email="([^"]+)"', html))  # noqa: E731
    assert emails(html_of(admin.get("/admin/users?q=SERANG"))) == {"petugas.serang@pantau.test"}
    assert emails(html_of(admin.get("/admin/users?role=governor"))) == {"gubernur@pantau.test"}
    assert emails(html_of(admin.get("/admin/users?q=%25"))) == set()  # a wildcard typed is a character
    everybody = emails(html_of(admin.get("/admin/users?role=superuser&page=99999999999")))
    assert everybody == {"admin@pantau.test", "petugas.serang@pantau.test", "gubernur@pantau.test"}


# --- creating an account --------------------------------------------------------------------------------------


def test_an_administrator_creates_an_officer_of_one_region_who_can_sign_in(app: Flask, admin: FlaskClient):
    serang = region("36.73")
    response = admin.post("/admin/users/new", data=create_form(email=" Baru@Pantau.TEST ", region_id=str(serang.id)))
    assert response.status_code == 302 and response.location == "/admin/users"
    user = db.session.scalar(select(User).where(User.email == "baru@pantau.test"))
    assert (user.role, user.region_id, user.name, user.active) == (Role.OFFICER, serang.id, "Petugas Baru", True)
    (row,) = audit_rows(AuditEvent.USER_CREATED)
    assert (row.user_id, row.email) == (admin.user.id, "baru@pantau.test")
    assert sign_in(app, "baru@pantau.test", NEW_PASSWORD)[1] == 302


def test_an_investor_account_is_tied_to_its_investor(admin: FlaskClient):
    company = make_investor(legal_name="PT Jaya Dinasti Indonesia")
    db.session.commit()
    html = html_of(admin.get("/admin/users/new"))
    assert "PT Jaya Dinasti Indonesia" in html and "Kota Serang" in html  # the two selects
    response = admin.post("/admin/users/new", data=create_form(role="investor", investor_id=str(company.id)))
    assert response.status_code == 302
    assert db.session.scalar(select(User.investor_id).where(User.email == "baru@pantau.test")) == company.id


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "bukan-alamat"}, "email", "not a valid e-mail address"),
        ({"email": "admin@pantau.test"}, "email", "already exists"),
        ({"email": ""}, "email", "required"),
        ({"name": "   "}, "name", "required"),
        ({"password": "pendek", "confirm": "pendek"}, "password", "at least 10"),
        ({"password": "password1234", "confirm": "password1234"}, "password", "too common"),
        ({"password": "baru@pantau.test", "confirm": "baru@pantau.test"}, "password", "too common"),  # the e-mail
        ({"confirm": NEW_PASSWORD + "x"}, "confirm", "differ"),
        ({"role": ""}, "role", "required"),
        ({"role": "superuser"}, "role", "Choose one of the options"),
        ({"role": "investor"}, "investor_id", "Choose the investor"),
        ({"investor_id": "INVESTOR"}, "investor_id", "Only an investor account"),
        ({"investor_id": "999999"}, "investor_id", "Choose one of the options"),
        ({"investor_id": "1e9"}, "investor_id", "Choose one of the options"),
        ({"role": "governor", "region_id": "REGION"}, "region_id", "Only an officer"),
        ({"region_id": "99999999999999999999"}, "region_id", "Choose one of the options"),
    ],
)
def test_a_refused_account_shows_why_beside_the_field_and_writes_nothing(
    admin: FlaskClient, changes: dict[str, str], field: str, message: str
):
    company = make_investor()
    db.session.commit()
    values = {k: v.replace("INVESTOR", str(company.id)).replace("REGION", str(region().id)) for k, v in changes.items()}
    before = counts()
    response = admin.post("/admin/users/new", data=create_form(**values))
    assert response.status_code == 200
    html = html_of(response)
    assert "Nothing was saved" in html
    assert message in field_error(html, field), field_error(html, field)
    assert counts() == before
    assert NEW_PASSWORD not in html  # a password is never sent back


# --- editing, deactivating -------------------------------------------------------------------------------------


def test_an_administrator_changes_name_role_and_region_and_it_is_logged(admin: FlaskClient, officer: FlaskClient):
    target = officer.user
    serang = region("36.73")
    response = admin.post(
        f"/admin/users/{target.id}/edit", data=edit_form(target, name="Petugas Serang", region_id=str(serang.id))
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (target.name, target.region_id, target.active) == ("Petugas Serang", serang.id, True)
    (row,) = audit_rows(AuditEvent.USER_CREATED)
    assert row.user_id == admin.user.id and row.email == "petugas@pantau.test"
    assert row.detail == "changed name: Test officer -> Petugas Serang; region: none -> Kota Serang"
    assert officer.get("/estates").status_code == 200  # a change of scope does not sign the person out
    # saving the same values writes nothing more
    admin.post(f"/admin/users/{target.id}/edit", data=edit_form(target))
    assert len(audit_rows(AuditEvent.USER_CREATED)) == 1


def test_changing_an_officer_into_an_investor_needs_the_investor(admin: FlaskClient, officer: FlaskClient):
    target = officer.user
    company = make_investor()
    db.session.commit()
    html = html_of(admin.post(f"/admin/users/{target.id}/edit", data=edit_form(target, role="investor")))
    assert "Choose the investor" in field_error(html, "investor_id")
    db.session.expire_all()
    assert target.role is Role.OFFICER
    data = edit_form(target, role="investor", investor_id=str(company.id))
    assert admin.post(f"/admin/users/{target.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (target.role, target.investor_id) == (Role.INVESTOR, company.id)
    assert officer.get("/estates").status_code == 403  # the new role holds at once
    assert officer.get("/portal").status_code == 200


def test_deactivating_ends_the_sessions_and_stops_sign_in(app: Flask, admin: FlaskClient):
    user = User(email="keluar@pantau.test", name="Keluar", role=Role.OFFICER, password_hash="x")
    db.session.add(user)
    db.session.flush()
    reset_password(user, NEW_PASSWORD, actor_id=admin.user.id)
    db.session.commit()
    browser, status = sign_in(app, "keluar@pantau.test", NEW_PASSWORD)
    assert status == 302 and browser.get("/estates").status_code == 200
    data = edit_form(user)
    del data["active"]  # an unticked box is not sent
    response = admin.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.active is False
    assert browser.get("/estates").status_code == 302  # signed out
    again, status = sign_in(app, "keluar@pantau.test", NEW_PASSWORD)
    assert status == 200 and again.get("/estates").status_code == 302
    assert audit_rows(AuditEvent.LOGIN_FAILED)[-1].detail == "inactive account"
    assert [r.detail for r in audit_rows(AuditEvent.USER_CREATED)] == ["deactivated"]

    # reactivated: the password works again, the old session does not come back
    assert admin.post(f"/admin/users/{user.id}/edit", data=edit_form(user, active="y")).status_code == 302
    assert browser.get("/estates").status_code == 302
    assert sign_in(app, "keluar@pantau.test", NEW_PASSWORD)[1] == 302
    assert [r.detail for r in audit_rows(AuditEvent.USER_CREATED)] == ["deactivated", "reactivated"]


def test_an_administrator_cannot_demote_or_deactivate_themself(admin: FlaskClient):
    me = admin.user
    before = counts()
    demote = html_of(admin.post(f"/admin/users/{me.id}/edit", data=edit_form(me, role="officer")))
    assert "your own administrator role" in field_error(demote, "role")
    data = edit_form(me)
    del data["active"]
    leave = html_of(admin.post(f"/admin/users/{me.id}/edit", data=data))
    assert "deactivate your own account" in leave
    db.session.expire_all()
    assert (me.role, me.active) == (Role.ADMINISTRATOR, True)
    assert counts() == before
    assert admin.get("/admin/users").status_code == 200  # still signed in, still an administrator
    # the services refuse it too, whoever calls them
    for changes in ({"role": Role.OFFICER, "active": True}, {"role": Role.ADMINISTRATOR, "active": False}):
        with pytest.raises(UserError):
            update_user(me, name=me.name, investor_id=None, region_id=None, actor_id=me.id, **changes)
    db.session.rollback()


def test_another_administrator_may_demote_an_administrator(admin: FlaskClient, login_as):
    other = login_as("administrator", email="admin2@pantau.test").user
    assert admin.post(f"/admin/users/{other.id}/edit", data=edit_form(other, role="governor")).status_code == 302
    db.session.expire_all()
    assert other.role is Role.GOVERNOR


def test_the_update_service_keeps_the_rules_of_create_user(admin: FlaskClient, officer: FlaskClient):
    target, me = officer.user, admin.user
    company = make_investor()
    refused = [
        {"role": Role.INVESTOR, "investor_id": None, "region_id": None},
        {"role": Role.OFFICER, "investor_id": company.id, "region_id": None},
        {"role": Role.GOVERNOR, "investor_id": None, "region_id": region().id},
        {"role": Role.INVESTOR, "investor_id": 999_999, "region_id": None},
        {"role": Role.OFFICER, "investor_id": None, "region_id": 999_999},
        {"role": "superuser", "investor_id": None, "region_id": None},
    ]
    for changes in refused:
        with pytest.raises(UserError):
            update_user(target, name="x", active=True, actor_id=me.id, **changes)
    assert (target.role, target.name) == (Role.OFFICER, "Test officer")


# --- resetting a password -------------------------------------------------------------------------------------


def test_a_reset_password_ends_the_sessions_and_lifts_a_lock(app: Flask, admin: FlaskClient, officer: FlaskClient):
    target = officer.user
    with time_machine.travel(utcnow(), tick=False):
        assert officer.get("/estates").status_code == 200
        target.locked_until = utcnow() + timedelta(minutes=10)
        db.session.commit()
        response = admin.post(
            f"/admin/users/{target.id}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert response.status_code == 302
        db.session.expire_all()
        assert target.locked_until is None and verify_password(target.password_hash, NEW_PASSWORD)
        assert officer.get("/estates").status_code == 302  # the session ended
        assert sign_in(app, "petugas@pantau.test", TEST_PASSWORD)[1] == 200  # the old password no longer works
        assert sign_in(app, "petugas@pantau.test", NEW_PASSWORD)[1] == 302
    (row,) = audit_rows(AuditEvent.PASSWORD_CHANGED)
    assert (row.user_id, row.email, row.detail) == (admin.user.id, "petugas@pantau.test", "reset by an administrator")


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("pendek", "pendek", "password", "at least 10"),
        ("petugas@pantau.test", "petugas@pantau.test", "password", "too common"),  # the e-mail address
        (NEW_PASSWORD, "lain", "confirm", "differ"),
        ("", "", "password", "required"),
    ],
)
def test_a_refused_reset_changes_nothing(
    admin: FlaskClient, officer: FlaskClient, password: str, confirm: str, field: str, message: str
):
    target = officer.user
    before_hash, before = target.password_hash, counts()
    html = html_of(admin.post(f"/admin/users/{target.id}/password", data={"password": password, "confirm": confirm}))
    assert message in field_error(html, field)
    db.session.expire_all()
    assert target.password_hash == before_hash and counts() == before
    assert officer.get("/estates").status_code == 200


def test_an_administrator_changes_their_own_password_on_the_account_page(admin: FlaskClient):
    response = admin.get(f"/admin/users/{admin.user.id}/password")
    assert response.status_code == 302 and response.location == "/account/password"
    response = admin.post(f"/admin/users/{admin.user.id}/password", data={"password": NEW_PASSWORD})
    assert response.location == "/account/password"
    with pytest.raises(UserError):
        reset_password(admin.user, NEW_PASSWORD, actor_id=admin.user.id)
    with pytest.raises(PasswordRejected):
        reset_password(User(email="a@pantau.test", name="A", role=Role.OFFICER), "pendek", actor_id=admin.user.id)


# --- the audit log -------------------------------------------------------------------------------------------


def _log(event: AuditEvent, email: str, minutes_ago: int, **kw) -> AuditLog:
    row = AuditLog(event=event, email=email, at=utcnow() - timedelta(minutes=minutes_ago), **kw)
    db.session.add(row)
    return row


def _events_shown(html: str) -> list[str]:
    return re.findall(r'<tr class="audit-\w+" data-event="(\w+)"', html)


def test_the_audit_log_lists_newest_first_and_filters_by_kind_and_address(admin: FlaskClient):
    _log(AuditEvent.LOGIN_FAILED, "tamu@pantau.test", 30, detail="wrong password", ip="10.0.0.9")
    _log(AuditEvent.LOCKOUT, "tamu@pantau.test", 20)
    _log(AuditEvent.LOGIN, "petugas@pantau.test", 10)
    _log(AuditEvent.USER_CREATED, "baru@pantau.test", 5, user_id=admin.user.id, detail="role=officer")
    db.session.commit()
    html = html_of(admin.get("/admin/audit"))
    assert _events_shown(html) == ["user_created", "login", "lockout", "login_failed"]
    assert "10.0.0.9" in html and "wrong password" in html
    row = re.search(r'<tr class="audit-user_created".*?</tr>', html, re.S).group(0)
    assert "baru@pantau.test" in row and "admin@pantau.test" in row  # the account and who changed it

    assert _events_shown(html_of(admin.get("/admin/audit?event=lockout"))) == ["lockout"]
    assert _events_shown(html_of(admin.get("/admin/audit?email=TAMU@"))) == ["lockout", "login_failed"]
    by_admin = html_of(admin.get("/admin/audit?email=admin%40pantau"))  # rows by the administrator count too
    assert _events_shown(by_admin) == ["user_created"]
    both = html_of(admin.get("/admin/audit?event=login_failed&email=tamu"))
    assert _events_shown(both) == ["login_failed"]
    assert _events_shown(html_of(admin.get("/admin/audit?email=_"))) == []  # no wildcard
    # unknown values are ignored rather than a 500
    for query in ("event=nonsense", "event=", "page=abc", "page=-1", "email=" + "x" * 5000):
        response = admin.get(f"/admin/audit?{query}")
        assert response.status_code == 200, query
    assert len(_events_shown(html_of(admin.get("/admin/audit?event=nonsense")))) == 4


def test_the_audit_log_pages_older_and_newer_without_counting(app: Flask, admin: FlaskClient):
    size = app.config["PAGE_SIZE"]
    for minute in range(size + 3):
        _log(AuditEvent.LOGIN, f"user{minute}@pantau.test", minute)
    db.session.commit()
    first = html_of(admin.get("/admin/audit"))
    assert len(_events_shown(first)) == size and 'id="audit-newer"' not in first
    older = re.search(r'id="audit-older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = html_of(admin.get(older))
    assert len(_events_shown(second)) == 3 and 'id="audit-older"' not in second
    assert "user0@pantau.test" in first and "user0@pantau.test" not in second
    assert f"user{size + 2}@pantau.test" in second
    newer = re.search(r'id="audit-newer" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert _events_shown(html_of(admin.get(newer))) == _events_shown(first)
    for cursor in ("abc", "-1", "9" * 40, "20261301000000000000-1"):  # nonsense: the newest rows, never an error
        response = admin.get(f"/admin/audit?before={cursor}")
        assert response.status_code == 200 and len(_events_shown(html_of(response))) == size


def test_administrators_actions_appear_in_the_audit_log_by_name(admin: FlaskClient, officer: FlaskClient):
    target = officer.user
    admin.post("/admin/users/new", data=create_form())
    admin.post(f"/admin/users/{target.id}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    admin.post(f"/admin/users/{target.id}/edit", data=edit_form(target, name="Petugas Lama") | {"active": ""})
    html = html_of(admin.get("/admin/audit?email=pantau.test"))
    table = re.search(r'<table[^>]*id="audit-log".*?</table>', html, re.S).group(0)
    badges = re.findall(r'<span class="badge audit-badge[^"]*">([^<]+)</span>', table)
    assert badges == [
        "Account deactivated",
        "Account changed",
        "Password reset by an administrator",
        "Account created",
    ]
    details = [d.strip() for d in re.findall(r'<td class="small audit-detail">(.*?)</td>', table, re.S)]
    assert details == ["", "name: Test officer -&gt; Petugas Lama", "", "DPMPTSP officer"]
    assert _events_shown(html) == ["user_created", "user_created", "password_changed", "user_created"]
