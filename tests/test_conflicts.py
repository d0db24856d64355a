"""The version stamp of the forms that change a versioned record (app/conflicts.py): a missing or malformed one is
refused with a message, never read as "no check"; a stale one answers 409 (the page tests check that part:
tests/permits/test_move_pages.py, tests/permits/test_permit_pages.py, tests/portal/test_portal.py)."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit, minimal_pdf
from permits.documents.models import PermitDocument
from permits.models import PermitEvent, PermitStatus
from permits.workflow import advance_permit

NOW = "2026-03-02 10:00 +0700"
TODAY = date(2026, 3, 2)
REFUSED = "The form came without its version stamp, or the stamp was altered"
# Each would once have saved without the check (``abc``, ``-1``, missing) or answered 500 (``²``, 5,000 digits).
BAD_VERSIONS = ["abc", "-1", "²", "9" * 5000, "1.0", " ", "0", None]


def _post(client, url: str, data: dict, version: str | None, **kwargs):
    if version is not None:
        data = {**data, "version": version}
    return client.post(url, data=data, **kwargs)


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_the_permit_edit_refuses_a_bad_version_stamp(client, version):
    permit = make_permit("KKPR", notes="lama")
    db.session.commit()
    data = {"reference_number": "SK-1", "issuing_authority": "", "notes": "baru"}
    response = _post(client, f"/permits/{permit.id}/edit", data, version)
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    assert (permit.notes, permit.reference_number) == ("lama", None)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_a_move_refuses_a_bad_version_stamp(client, version):
    estate = make_estate()
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    db.session.commit()
    data = {"target": "submitted", "effective_on": TODAY.isoformat(), "note": "", "recorded_by": "Saya"}
    response = _post(client, f"/permits/{permit.id}/move", data, version)
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    assert permit.status is PermitStatus.NOT_STARTED
    assert db.session.scalar(select(func.count()).select_from(PermitEvent)) == 0


def _returned_amdal(investor):
    estate = make_estate(investor=investor)
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(
            code, estate=estate, status=PermitStatus.ISSUED, submitted_on=date(2025, 6, 2), decided_on=date(2025, 7, 1)
        )
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, PermitStatus.SUBMITTED, actor="Petugas", on=date(2026, 1, 5), today=TODAY)
    advance_permit(amdal, PermitStatus.RETURNED, actor="Petugas", note="Lengkapi", on=date(2026, 2, 2), today=TODAY)
    db.session.commit()
    return amdal


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_the_investors_answer_refuses_a_bad_version_stamp(login_as, version):
    investor = make_investor()
    amdal = _returned_amdal(investor)
    portal = login_as("investor", investor=investor)
    data = {"documents": [(io.BytesIO(minimal_pdf()), "revisi.pdf")], "note": "Kajian terlampir"}
    response = _post(portal, f"/portal/permits/{amdal.id}/answer", data, version, content_type="multipart/form-data")
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    assert amdal.status is PermitStatus.RETURNED
    assert db.session.scalar(select(func.count()).select_from(PermitDocument)) == 0


@time_machine.travel(NOW, tick=False)
def test_the_right_version_stamp_goes_through(client, login_as):
    investor = make_investor()
    amdal = _returned_amdal(investor)
    portal = login_as("investor", investor=investor)
    data = {"documents": [(io.BytesIO(minimal_pdf()), "revisi.pdf")], "note": "Kajian terlampir"}
    version = f" {amdal.version} "  # blanks around the digits are harmless
    response = _post(portal, f"/portal/permits/{amdal.id}/answer", data, version, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert amdal.status is PermitStatus.SUBMITTED
