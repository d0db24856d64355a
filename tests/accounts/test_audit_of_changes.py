"""Issue 12: the audit log records every change, download and export: who, when, what, before and after."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from devtools.factories import make_estate, make_permit, permit_type
from permits.documents.models import PermitDocument
from permits.models import Permit, PermitStatus
from permits.workflow import WIB
from tests.permits.admin.test_admin import current_rule, post_rule, post_setting, post_type
from tests.permits.documents.test_documents import PDF, folder  # noqa: F401 - folder: emptied after the test

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=WIB)


def lines(event: AuditEvent) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.event == event).order_by(AuditLog.id)))


def detail(line: AuditLog) -> dict:
    return json.loads(line.detail)


def test_settings_catalogue_and_rules_are_audited_with_before_and_after(login_as):
    admin = login_as("administrator")
    sla = current_rule("KKPR").sla_working_days
    assert post_setting(admin, "clock.at_risk_share", "80").status_code == 302
    assert post_type(admin, "AMDAL", name_en="Environmental approval (audited)").status_code == 302
    assert post_rule(admin, "KKPR", sla_working_days=str(sla + 5)).status_code == 302
    (setting,) = lines(AuditEvent.SETTING_CHANGED)
    assert (setting.user_id, detail(setting)["before"], detail(setting)["after"]) == (
        admin.user.id,
        {"value": "0.75"},
        {"value": "0.8"},
    )
    type_line, rule_line = lines(AuditEvent.CATALOGUE_CHANGED)
    assert type_line.user_id == rule_line.user_id == admin.user.id
    assert detail(type_line)["after"] == {"name_en": "Environmental approval (audited)"}
    assert "AMDAL" in detail(type_line)["what"]
    assert (detail(rule_line)["before"], detail(rule_line)["after"]) == (
        {"sla_working_days": sla},
        {"sla_working_days": sla + 5},
    )
    # saving a setting unchanged writes nothing
    assert post_setting(admin, "clock.at_risk_share", "80").status_code == 302
    assert len(lines(AuditEvent.SETTING_CHANGED)) == 1


@time_machine.travel(NOW, tick=False)
def test_permit_create_move_upload_download_and_export_are_audited(client):
    estate = make_estate()
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
    db.session.commit()
    data = {"permit_type": str(permit_type("KKPR").id), "status": "submitted", "submitted_on": "2026-02-02"}
    assert client.post(f"/estates/{estate.id}/permits/new", data=data).status_code == 302
    permit = db.session.scalars(select(Permit).where(Permit.permit_type_id == permit_type("KKPR").id)).one()
    (created,) = lines(AuditEvent.PERMIT_CREATED)
    assert created.user_id == client.user.id and detail(created)["after"]["status"] == "submitted"
    assert created.path == f"/estates/{estate.id}/permits/new"

    move = {"target": "declared_complete", "effective_on": "2026-02-03", "note": "", "version": str(permit.version)}
    assert client.post(f"/permits/{permit.id}/move", data=move).status_code == 302
    (moved,) = lines(AuditEvent.PERMIT_MOVED)
    assert moved.user_id == client.user.id
    assert detail(moved)["before"] == {"status": "submitted"}
    assert detail(moved)["after"] == {"status": "declared_complete"}
    assert detail(moved)["effective_on"] == "2026-02-03"

    upload = {"doc-document": (io.BytesIO(PDF), "pkkpr.pdf"), "doc-note": ""}
    response = client.post(f"/permits/{permit.id}/documents", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.scalars(select(PermitDocument)).one()
    (uploaded,) = lines(AuditEvent.DOCUMENT_UPLOADED)
    assert uploaded.user_id == client.user.id and detail(uploaded)["after"]["name"] == "pkkpr.pdf"
    download = client.get(f"/documents/{document.id}/download")
    download.get_data()
    download.close()
    (downloaded,) = lines(AuditEvent.DOCUMENT_DOWNLOADED)
    assert downloaded.user_id == client.user.id and str(document.id) in detail(downloaded)["what"]

    assert client.get("/stalls/agencies.csv?group=type").status_code == 200
    (exported,) = lines(AuditEvent.EXPORTED)
    assert exported.user_id == client.user.id and detail(exported)["filters"] == {"group": "type"}


def test_the_audit_page_filters_by_person_kind_and_date_and_exports_csv(login_as):
    admin = login_as("administrator")
    officer = login_as("officer", email="petugas.audit@pantau.test")
    with time_machine.travel(datetime(2026, 3, 2, 23, 30, tzinfo=WIB), tick=False):  # 16:30 UTC, 2 March WIB
        assert post_setting(admin, "clock.at_risk_share", "80").status_code == 302
    with time_machine.travel(datetime(2026, 3, 3, 0, 30, tzinfo=WIB), tick=False):  # 17:30 UTC of 2 March
        assert post_setting(admin, "clock.at_risk_share", "70").status_code == 302
        officer.get("/admin/users")  # refused: an access_denied line by the officer
    with time_machine.travel(datetime(2026, 3, 3, 1, 0, tzinfo=WIB), tick=False):
        check_the_page_and_the_csv(admin)


def check_the_page_and_the_csv(admin) -> None:
    def shown(query: str) -> list[str]:
        html = admin.get(f"/admin/audit?{query}").get_data(as_text=True)
        return re.findall(r'data-event="([a-z_]+)"', html)

    assert shown("event=setting_changed") == ["setting_changed", "setting_changed"]
    assert shown("event=setting_changed&since=2026-03-03") == ["setting_changed"]  # WIB days, not UTC
    assert shown("event=setting_changed&until=2026-03-02") == ["setting_changed"]
    assert shown("email=petugas.audit") == ["access_denied"]
    assert shown("since=not-a-date&event=setting_changed") == ["setting_changed", "setting_changed"]

    response = admin.get("/admin/audit.csv?event=setting_changed&since=2026-03-03")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(table) == 2 and '"0.7"' in table[1][4] and admin.user.email == table[1][3]
    (exported,) = lines(AuditEvent.EXPORTED)
    assert exported.user_id == admin.user.id and detail(exported)["what"] == "audit log"
