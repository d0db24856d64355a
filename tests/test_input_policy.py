"""The input policy at the edge (app/input_policy.py) and strict integers (app/numbers.strict_int): a control
character anywhere a stranger can type answers 400 before any query, and numbers machines write are read strictly.

The NUL byte is the case that matters on PostgreSQL, which refuses it in text (a 500 before this policy); SQLite
stores it silently, so these tests run in both phases of ``make test``.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.input_policy import printable, text_area_names
from app.models import AuditEvent, AuditLog, Role, User
from app.numbers import strict_int
from devtools.factories import make_estate, make_permit, minimal_pdf, permit_type
from permits.documents.models import PermitDocument
from permits.models import Permit
from tests.conftest import TEST_PASSWORD

REFUSED = "contains invisible control characters"


def _refused(response) -> bool:
    return response.status_code == 400 and REFUSED in response.get_data(as_text=True)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- query strings, paths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("officer", "/estates?q=%00"),
        ("officer", "/permits?authority=%00"),
        ("administrator", "/admin/audit?email=%00"),
        ("officer", "/stalls?agency=a%00b"),
        ("officer", "/investors?q=%1b%5b2J"),  # an escape sequence
        ("officer", "/estates?q=x%0Ay"),  # a line break has no place in a query either
        ("officer", "/estates?q%00=x"),  # nor in a key
        ("officer", "/estates?q=%C2%85"),  # C1 control (NEL)
        ("administrator", "/admin/settings/a%00b/edit"),  # a string in the path reaches a query too
    ],
)
def test_a_control_character_in_a_query_or_path_is_a_400(login_as, role, url):
    response = login_as(role).get(url)
    assert _refused(response), (url, response.status_code)


def test_the_refusal_speaks_json_to_json_clients(client):
    response = client.get("/estates?q=%00", headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert REFUSED in response.get_json()["detail"]


def test_ordinary_text_passes(client):
    for url in ("/estates?q=Cikande", "/estates?q=Kawasan%20%E2%80%9CModern%E2%80%9D", "/permits?authority=DLH%20Prov"):
        assert client.get(url).status_code == 200, url


# --- the sign-in form --------------------------------------------------------------------------------------


def test_a_nul_byte_in_the_sign_in_form_is_a_400_and_the_failed_attempt_is_audited(anon_client, password_hash):
    db.session.add(User(email="ab@pantau.test", name="A B", role=Role.OFFICER, password_hash=password_hash))
    db.session.commit()
    response = anon_client.post("/login", data={"email": "a\x00b@pantau.test", "password": TEST_PASSWORD})
    assert _refused(response) and "“email”" in response.get_data(as_text=True)
    row = db.session.scalars(select(AuditLog).where(AuditLog.event == AuditEvent.LOGIN_FAILED)).one()
    assert row.email == "a\ufffdb@pantau.test" and row.user_id is None and "control characters" in row.detail
    assert anon_client.get("/estates").status_code == 302  # not signed in


# --- forms: text areas may hold line breaks, nothing may hold other controls -----------------------------


def _edit(client, permit: Permit, **fields):
    data = {"reference_number": "", "issuing_authority": "", "notes": "", "version": str(permit.version), **fields}
    return client.post(f"/permits/{permit.id}/edit", data=data)


def test_tabs_and_line_breaks_are_kept_in_a_text_area(client):
    permit = make_permit("KKPR")
    db.session.commit()
    response = _edit(client, permit, notes="baris satu\r\n\tbaris dua")
    assert response.status_code == 302
    db.session.refresh(permit)
    assert permit.notes == "baris satu\r\n\tbaris dua"


@pytest.mark.parametrize(
    "fields",
    [
        {"notes": "catatan\x00"},  # NUL in a text area
        {"notes": "bel\x07"},
        {"reference_number": "SK\n12"},  # a line break in a one-line field
        {"reference_number": "SK\t12"},
        {"issuing_authority": "DLH\x7f"},
    ],
)
def test_control_characters_in_a_form_are_a_400_and_nothing_is_saved(client, fields):
    permit = make_permit("KKPR", notes="lama")
    db.session.commit()
    version = permit.version
    assert _refused(_edit(client, permit, **fields))
    db.session.expire_all()
    assert (permit.notes, permit.reference_number, permit.version) == ("lama", None, version)


def test_the_text_areas_are_found_on_the_forms():
    names = text_area_names()
    assert {"notes", "note", "stop_order_reason", "legal_basis"} <= names
    assert "reference_number" not in names and "email" not in names


def test_uploaded_file_names_with_control_characters_are_a_400_and_nothing_is_stored(app, client, login_as):
    permit = make_permit("KKPR")
    db.session.commit()
    folder = Path(app.instance_path) / "documents"
    before = sorted(folder.iterdir()) if folder.exists() else []
    for name in ("scan\x07.pdf", "sk\x00.pdf", "\x1b[31mmerah.pdf", "nel\u0085.pdf"):
        data = {"doc-document": (io.BytesIO(minimal_pdf()), name), "doc-note": ""}
        response = client.post(f"/permits/{permit.id}/documents", data=data, content_type="multipart/form-data")
        assert _refused(response) and "the file sent as" in response.get_data(as_text=True), name
    assert _count(PermitDocument) == 0
    assert (sorted(folder.iterdir()) if folder.exists() else []) == before


# --- integers: ids, choices, pages ------------------------------------------------------------------------


def test_a_permit_type_past_integer_is_a_form_error_not_a_500(client):
    estate = make_estate()
    db.session.commit()
    for value in ("2147483648", "9" * 5000, "-1", "²", "\u0661"):  # the last: ARABIC-INDIC DIGIT ONE
        data = {"permit_type": value, "status": "not_started", "recorded_by": "Petugas Uji"}
        response = client.post(f"/estates/{estate.id}/permits/new", data=data)
        assert response.status_code == 200, value
        assert "Choose a permit type." in response.get_data(as_text=True), value
    assert _count(Permit) == 0
    data = {"permit_type": str(permit_type("NIB").id), "status": "not_started", "recorded_by": "Petugas Uji"}
    assert client.post(f"/estates/{estate.id}/permits/new", data=data).status_code == 302


def test_ids_in_urls_are_ascii_digits_within_integer(client):
    permit = make_permit("KKPR")
    db.session.commit()
    digits = str(permit.id)
    assert client.get(f"/permits/{digits}").status_code == 200
    arabic_indic = "".join(chr(0x660 + int(d)) for d in digits)  # int() reads these as the same id
    for segment in (quote(arabic_indic), digits.zfill(20), "2147483648", "9" * 5000, "-" + digits, quote("²")):
        assert client.get(f"/permits/{segment}").status_code == 404, segment


def test_page_numbers_are_read_strictly(client):
    for page in ("%C2%B2", "%D9%A3", "-1", "1e3", "9" * 5000):
        assert client.get(f"/estates?page={page}").status_code == 200, page


def test_strict_int():
    assert [strict_int(t, maximum=100) for t in ("0", "07", " 42 ", "100", 5)] == [0, 7, 42, 100, 5]
    refused = ("", " ", "101", "-1", "+1", "1_0", "1.0", "²", "\u0661\u0662", "1 2", "9" * 5000, None, True, -3, 1.5)
    assert [strict_int(t, maximum=100) for t in refused] == [None] * len(refused)


def test_printable_replaces_every_control_character():
    assert printable("a\x00b\x1b[2J\u0085c\td") == "a\ufffdb\ufffd[2J\ufffdc\ufffdd"
