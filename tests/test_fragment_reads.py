"""What the kept parts of pages read (``app.fragments``): writes to the tables of ``ignored_tables()`` (the
scheduler's bookkeeping, the audit log) leave every worker's parts as they are, which is right only while no part
reads them. Every page of every role is walked with the parts forgotten, and every statement run while a part is
computed is checked."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import event, func, select, update

from app import fragments
from app.extensions import db
from app.models import AuditEvent, AuditLog, DataVersion
from devtools.factories import make_permit
from devtools.synth import Sizes, synthesize
from devtools.synth.pages import accounts, pages, sample, signed_in
from estates.models import Estate
from forecast.services import refresh_forecast
from permits.stalls.scan import scan_stalled

AS_OF = date(2026, 11, 16)


def _version() -> int:
    db.session.remove()
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1))


def test_no_kept_part_reads_a_table_whose_writes_leave_the_parts_alone(app):
    synthesize(Sizes(investors=4, estates=30, zones=60, permits=300, events=2400, audit=30), 1, AS_OF)
    scan_stalled(AS_OF)
    db.session.commit()
    refresh_forecast(actor="test")
    db.session.commit()
    s = sample()
    clients = {role: signed_in(app, user) for role, user in accounts(s).items()}
    in_parts: list[tuple[str, str]] = []
    page_name = [""]

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if fragments.computing():
            in_parts.append((page_name[0], statement))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for page in pages(s):
            with app.test_request_context():
                url = page.url()
            page_name[0] = f"{page.role} {page.name}"
            fragments.clear()
            db.session.remove()
            assert clients[page.role].get(url).status_code == 200, page
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert {name for name, _ in in_parts} >= {"officer permits list", "officer dashboard", "investor portal"}
    ignored = re.compile(r"\b(" + "|".join(sorted(fragments.ignored_tables())) + r")\b", re.I)
    readers = sorted({name for name, statement in in_parts if ignored.search(statement)})
    assert readers == [], f"pages whose kept parts read {sorted(fragments.ignored_tables())}: {readers}"


def test_an_audited_export_keeps_the_parts_and_a_write_elsewhere_does_not(login_as):
    officer = login_as("officer")
    make_permit("KKPR")
    db.session.commit()
    exports, before = _exports(), _version()
    assert officer.get("/permits.csv").status_code == 200
    assert _exports() == exports + 1  # the export wrote its audit row
    assert _version() == before  # and every kept part stays
    with db.engine.begin() as conn:
        conn.execute(update(Estate).values(name="Kawasan Berganti Nama"))
    assert _version() == before + 1


def _exports() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.event == AuditEvent.EXPORTED))
