"""One commit point per request (app/transactions.py) and the answers of the error handlers (app/errors.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from app import create_app
from app.errors import NotFound, NotInScope, ReadOnlyScope
from app.extensions import db
from app.models import Setting
from app.transactions import UncommittedChanges, install_unit_of_work, refusal


class Refused(ValueError):
    pass


KEY = "test.unit_of_work"


def _count(url: str, key: str = KEY) -> int:
    """Rows with ``key`` as another connection sees them: only what was committed."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Setting).where(Setting.key == key))
    finally:
        engine.dispose()


def _add(key: str = KEY) -> None:
    db.session.add(Setting(key=key, value="1", description="test"))
    db.session.flush()


def _write():
    _add()
    return "written"


def _refused():
    with refusal(Refused) as outcome:
        _add()
        raise Refused("no")
    return f"refused: {outcome.error}", 422


def _crash():
    _add()
    raise RuntimeError("boom")


def _duplicate():
    _add("calendar.cuti_bersama_non_working")  # a key the reference data holds already
    return "never"


def _not_null():
    db.session.add(Setting(key="test.no_value", value=None, description="x"))
    db.session.flush()
    return "never"


def _raise(error: type[Exception]):
    def view():
        raise error

    view.__name__ = f"raise_{error.__name__}"
    return view


def _late_write(response):
    """An after_request hook that writes after the commit point: the defect the teardown check catches."""
    from flask import request

    if request.path == "/t/late-write":
        db.session.add(Setting(key="test.late", value="1", description="x"))
    return response


def _database_gone():
    """What a query raises while PostgreSQL restarts: SQLAlchemy found the connection dead and invalidated it."""
    raise OperationalError(
        "SELECT 1", {}, Exception("server closed the connection unexpectedly"), connection_invalidated=True
    )


def _database_error():
    """A database error that is no disconnect (SQLite's locked file): a defect, answered 500."""
    raise OperationalError("SELECT 1", {}, Exception("database is locked"))


ROUTES = [
    ("/t/write", _write, "POST"),
    ("/t/refused", _refused, "POST"),
    ("/t/crash", _crash, "POST"),
    ("/t/duplicate", _duplicate, "POST"),
    ("/t/not-null", _not_null, "POST"),
    ("/t/late-write", lambda: "ok", "POST"),
    ("/t/missing", _raise(NotFound), "GET"),
    ("/t/out-of-scope", _raise(NotInScope), "GET"),
    ("/t/read-only", _raise(ReadOnlyScope), "GET"),
    ("/t/database-gone", _database_gone, "GET"),
    ("/api/t/database-gone", _database_gone, "GET"),
    ("/t/database-error", _database_error, "GET"),
]


@pytest.fixture
def fresh(app: Flask, tmp_path, login_as) -> Iterator[tuple[Flask, FlaskClient]]:
    """An app of its own with test routes added before the unit of work wraps them, signed in as an officer."""
    application = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
        instance_path=str(tmp_path),
    )
    for rule, view, method in ROUTES:
        application.add_url_rule(rule, endpoint=rule, view_func=view, methods=[method])
    application.after_request(_late_write)
    install_unit_of_work(application)
    user_id = login_as("officer").user.get_id()
    with application.app_context():
        client = application.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
        yield application, client
        db.session.rollback()
        db.session.execute(Setting.__table__.delete().where(Setting.key.like("test.%")))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_view_that_writes_is_committed_once_by_the_request(fresh):
    application, client = fresh
    assert client.post("/t/write").status_code == 200
    assert _count(application.config["SQLALCHEMY_DATABASE_URI"]) == 1


def test_a_refused_service_call_leaves_nothing(fresh):
    application, client = fresh
    response = client.post("/t/refused")
    assert response.status_code == 422 and b"refused: no" in response.data
    assert _count(application.config["SQLALCHEMY_DATABASE_URI"]) == 0


def test_an_exception_rolls_the_request_back(fresh):
    application, client = fresh
    assert client.post("/t/crash").status_code == 500
    assert _count(application.config["SQLALCHEMY_DATABASE_URI"]) == 0


def test_a_duplicate_key_is_a_conflict_and_shows_no_sql(fresh):
    _application, client = fresh
    response = client.post("/t/duplicate")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "INSERT" not in html and "UNIQUE" not in html


def test_an_integrity_error_that_is_not_a_race_is_an_error_not_a_conflict(fresh, caplog):
    _application, client = fresh
    response = client.post("/t/not-null")
    assert response.status_code == 500
    assert "not a race" in caplog.text
    assert "INSERT" not in response.get_data(as_text=True)


def test_a_request_that_leaves_changes_uncommitted_fails_under_testing(fresh):
    application, client = fresh
    with pytest.raises(UncommittedChanges):
        client.post("/t/late-write")
    assert _count(application.config["SQLALCHEMY_DATABASE_URI"], "test.late") == 0


@pytest.mark.parametrize(("url", "status"), [("/t/missing", 404), ("/t/out-of-scope", 404), ("/t/read-only", 403)])
def test_domain_errors_answer_pages_for_browsers_and_problem_details_for_json(fresh, url, status):
    _application, client = fresh
    page = client.get(url, headers={"Accept": "text/html"})
    assert page.status_code == status and page.mimetype == "text/html"
    api = client.get(url, headers={"Accept": "application/json"})
    assert api.status_code == status and api.mimetype == "application/problem+json"
    body = api.get_json()
    assert body["status"] == status and body["title"] and body["detail"]


def test_a_lost_database_connection_answers_503_with_a_page_and_problem_details(fresh):
    _application, client = fresh
    page = client.get("/t/database-gone", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert page.headers["Retry-After"] == "5"
    html = page.get_data(as_text=True)
    assert "503" in html and "SELECT" not in html and "server closed" not in html
    api = client.get("/api/t/database-gone", headers={"Accept": "text/html"})
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    body = api.get_json()
    assert body["status"] == 503 and body["title"] and body["detail"] and "SELECT" not in body["detail"]
    # The next request is answered normally: the handler left the session usable.
    assert client.post("/t/write").status_code == 200


def test_the_503_page_is_translated(fresh):
    _application, client = fresh
    with client.session_transaction() as session:
        session["lang"] = "id"
    html = client.get("/t/database-gone", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Layanan sementara tidak tersedia" in html


def test_a_database_error_that_is_no_disconnect_stays_a_500(fresh):
    _application, client = fresh
    assert client.get("/t/database-error").status_code == 500


def test_only_connection_errors_count_as_disconnects():
    import psycopg
    from sqlalchemy.exc import DataError

    from app.errors import is_disconnect

    refused = psycopg.OperationalError("connection failed: Connection refused")
    assert is_disconnect(OperationalError("SELECT 1", {}, refused))
    nul = psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    assert not is_disconnect(DataError("SELECT 1", {}, nul))


def test_api_paths_answer_json_whatever_the_client_accepts(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_no_view_commits_or_rolls_back_by_hand():
    """The commit point is the request's: views and services leave commit and rollback to it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for package in ("accounts", "estates", "permits", "portal", "forecast")
        for path in (root / package).rglob("*.py")
        if path.name in {"views.py", "services.py", "auth.py"}
        and ("db.session.commit()" in path.read_text() or "db.session.rollback()" in path.read_text())
    ]
    assert offenders == []
