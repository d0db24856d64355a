"""The layout's unread notifications read with the register's stamp on the pages that keep parts (issue 13, branch
``tph``): one statement less for them, the same count, and read again once the request has written."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from app.extensions import db
from app.fragments import read_along
from permits.notify.models import Notification, NotificationKind


def _notice(user, subject: str) -> None:
    db.session.add(
        Notification(
            recipient_id=user.id, kind=NotificationKind.NOTICE, period=date(2026, 11, 30), subject=subject, body="-"
        )
    )


def _statements(client, url: str) -> tuple[str, list[str]]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return html, seen


def test_a_page_that_keeps_parts_reads_the_unread_count_with_its_stamp(client):
    _notice(client.user, "Satu")
    _notice(client.user, "Dua")
    db.session.commit()
    client.get("/permits")
    html, seen = _statements(client, "/permits")
    assert 'notification-count">2<' in html
    assert any("data_version" in s and "notification" in s for s in seen)
    assert not any("notification" in s and "data_version" not in s for s in seen)  # no count of its own
    _notice(client.user, "Tiga")
    db.session.commit()
    assert 'notification-count">3<' in client.get("/permits").get_data(as_text=True)


def test_a_page_that_keeps_nothing_counts_as_before(client):
    _notice(client.user, "Satu")
    db.session.commit()
    html, seen = _statements(client, "/notifications")
    assert 'notification-count">1<' in html and not any("data_version" in s for s in seen)


def test_nothing_is_read_along_outside_a_request_or_after_a_write(app):
    assert read_along("unread-notifications") == (False, None)
    with app.test_request_context("/"):
        assert read_along("unread-notifications") == (False, None)  # the stamp was not read
