"""Permit documents: checked by content, stored under instance/ with generated names, served only to those who
may see the permit, and a refused file stores nothing (no row, no file)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.errors import NotFound
from app.extensions import db
from app.models import User
from app.security import Scope
from devtools.factories import make_estate, make_investor, make_permit, minimal_pdf, region
from permits.documents import services as documents
from permits.documents import uploads
from permits.documents.models import PermitDocument
from permits.documents.views import REFUSAL_KEY
from permits.models import Permit

PDF = minimal_pdf()  # a real one: PDFs are read (and checked for active content) on upload
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(12)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture(autouse=True)
def folder(app: Flask) -> Iterator[Path]:
    """The documents folder of the test instance, emptied after each test."""
    path = Path(app.instance_path) / "documents"
    yield path
    if path.exists():
        for child in path.iterdir():
            child.unlink()


def files_in(folder: Path) -> list[str]:
    """Every file in the folder, temporary ones included (a refused upload must leave none)."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def rows() -> int:
    return db.session.scalar(select(func.count(PermitDocument.id))) or 0


def refusal(client: FlaskClient) -> str:
    """Why the last upload was refused, as kept for the permit page the officer is sent back to."""
    with client.session_transaction() as session:
        kept = session.get(REFUSAL_KEY) or {}
    return kept.get("reason", "")


def permit_of(investor=None, bps_code: str = "36.73") -> Permit:
    estate = make_estate(investor=investor or make_investor(), region=region(bps_code))
    permit = make_permit("KKPR", estate=estate)
    db.session.commit()
    return permit


def download(client: FlaskClient, document_id: int):
    """GET the download and close the response (it holds the file open)."""
    response = client.get(f"/documents/{document_id}/download")
    response.get_data()
    response.close()
    return response


def upload(client: FlaskClient, permit: Permit, content: bytes, name: str, note: str = ""):
    data = {"doc-document": (io.BytesIO(content), name), "doc-note": note}
    return client.post(f"/permits/{permit.id}/documents", data=data, content_type="multipart/form-data")


# --- officers upload, everybody in scope downloads ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type", "download_name"),
    [
        (PDF, "SK KKPR.pdf", "application/pdf", "SK KKPR.pdf"),
        (PNG, "peta-lokasi.PNG", "image/png", "peta-lokasi.PNG"),
        (JPEG, "foto lapangan.jpeg", "image/jpeg", "foto lapangan.jpeg"),
        (PNG, "scan.pdf", "image/png", "scan.pdf.png"),  # the content decides, and the download says so
    ],
)
def test_a_good_file_is_stored_and_downloadable_by_the_officer_and_the_owner(
    client, login_as, folder, content, name, content_type, download_name
):
    investor = make_investor()
    permit = permit_of(investor)
    response = upload(client, permit, content, name, note="Surat dari dinas")
    assert response.status_code == 302 and response.location.endswith(f"/permits/{permit.id}#documents")
    document = db.session.scalars(select(PermitDocument)).one()
    assert (document.original_name, document.content_type, document.size_bytes) == (name, content_type, len(content))
    assert document.uploaded_by_id == client.user.id and document.note == "Surat dari dinas"
    assert re.fullmatch(r"[0-9a-f]{32}\.(pdf|png|jpg)", document.stored_name)
    assert files_in(folder) == [document.stored_name]
    assert (folder / document.stored_name).read_bytes() == content
    owner = login_as("investor", investor=investor)
    for who in (client, owner):
        response = download(who, document.id)
        assert response.status_code == 200
        assert response.data == content
        assert response.mimetype == content_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and download_name in disposition
        assert "no-store" in response.headers["Cache-Control"]


def test_the_stored_name_and_extension_come_from_the_content_never_the_name(client, folder):
    permit = permit_of()
    upload(client, permit, JPEG, "gambar.exe")
    document = db.session.scalars(select(PermitDocument)).one()
    assert document.stored_name.endswith(".jpg") and "gambar" not in document.stored_name
    assert document.download_name == "gambar.exe.jpg"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"This is plain text, not a PDF at all.\n", "laporan.pdf", "is not a PDF, PNG or JPEG file"),
        (b"<html><script>alert(1)</script></html>", "page.png", "is not a PDF, PNG or JPEG file"),
        (b"GIF89a\x01\x00\x01\x00", "anim.gif", "is not a PDF, PNG or JPEG file"),
        (b"", "kosong.pdf", "is empty"),
        (PDF, "../../etc/passwd.pdf", "contains a folder path"),
        (PDF, "scan\u2028.pdf", "hidden control characters"),  # a line separator (control bytes: a 400 earlier)
        (PDF, "laporan\u202efdp.exe", "hidden control characters"),  # right-to-left override disguises .exe
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(client, folder, content, name, message):
    permit = permit_of()
    response = upload(client, permit, content, name)
    assert response.status_code == 302
    text = refusal(client)
    assert text.startswith("Nothing was uploaded:") and message in text
    assert rows() == 0 and files_in(folder) == []


def test_no_file_chosen_is_refused(client, folder):
    permit = permit_of()
    response = client.post(
        f"/permits/{permit.id}/documents",
        data={"doc-document": (io.BytesIO(b""), ""), "doc-note": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "Choose a file" in refusal(client)
    assert rows() == 0 and files_in(folder) == []


def test_the_size_limit_is_a_setting_and_holds_on_both_sides(app, client, folder, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1000)
    permit = permit_of()
    at_limit = PDF + b"0" * (1000 - len(PDF))
    over = at_limit + b"0"
    response = upload(client, permit, over, "besar.pdf")
    assert response.status_code == 302
    text = refusal(client)
    assert "is larger than 1,000 bytes" in text or "is larger than 1000 bytes" in text
    assert rows() == 0 and files_in(folder) == []
    assert upload(client, permit, at_limit, "pas.pdf").status_code == 302
    assert rows() == 1 and len(files_in(folder)) == 1


def test_a_request_far_over_the_limit_gets_a_clear_413(app, client, folder, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1000)
    permit = permit_of()
    response = upload(client, permit, PDF + b"0" * 400_000, "raksasa.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The upload is too large" in html and "at most 1,000 bytes" in html
    assert rows() == 0 and files_in(folder) == []


# --- who may upload and download --------------------------------------------------------------------------


def test_the_governor_downloads_but_may_not_upload(client, login_as, folder):
    permit = permit_of()
    upload(client, permit, PDF, "sk.pdf")
    document = db.session.scalars(select(PermitDocument)).one()
    governor = login_as("governor")
    assert download(governor, document.id).status_code == 200
    assert upload(governor, permit, PDF, "lain.pdf").status_code == 403
    assert rows() == 1 and len(files_in(folder)) == 1


def test_an_administrator_may_upload(login_as, folder):
    permit = permit_of()
    assert upload(login_as("administrator"), permit, PDF, "sk.pdf").status_code == 302
    assert rows() == 1


def test_another_investor_gets_404_on_a_document(client, login_as):
    permit = permit_of()
    upload(client, permit, PDF, "sk.pdf")
    document = db.session.scalars(select(PermitDocument)).one()
    stranger = login_as("investor", investor=make_investor())
    assert download(stranger, document.id).status_code == 404
    assert upload(stranger, permit, PDF, "x.pdf").status_code == 403  # investors never use the officers' form


def test_a_region_officer_sees_only_documents_of_estates_in_the_region(client, login_as, folder):
    serang = permit_of(bps_code="36.73")
    tangerang = permit_of(bps_code="36.03")
    upload(client, serang, PDF, "serang.pdf")
    upload(client, tangerang, PDF, "tangerang.pdf")
    docs = {d.original_name: d.id for d in db.session.scalars(select(PermitDocument))}
    officer = login_as("officer", region="36.73")
    assert download(officer, docs["serang.pdf"]).status_code == 200
    assert download(officer, docs["tangerang.pdf"]).status_code == 404
    assert upload(officer, tangerang, PDF, "nope.pdf").status_code == 404
    assert upload(officer, serang, PDF, "ok.pdf").status_code == 302
    assert rows() == 3


def test_unknown_or_malformed_ids_are_404(client):
    assert download(client, 999999).status_code == 404
    assert client.get("/documents/abc/download").status_code == 404
    assert download(client, 2**40).status_code == 404  # past INTEGER: PostgreSQL must not see it
    assert client.post(f"/permits/{2**40}/documents", data={}).status_code == 404
    assert client.post("/permits/999999/documents", data={}).status_code == 404


def test_a_missing_file_is_a_404_not_a_500(client, folder):
    permit = permit_of()
    upload(client, permit, PDF, "sk.pdf")
    document = db.session.scalars(select(PermitDocument)).one()
    (folder / document.stored_name).unlink()
    assert download(client, document.id).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, anon_client):
    permit = permit_of()
    upload(client, permit, PDF, "sk.pdf")
    document = db.session.scalars(select(PermitDocument)).one()
    response = download(anon_client, document.id)
    assert response.status_code == 302 and "/login" in response.location


# --- the services ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("SK KKPR.pdf", "SK KKPR.pdf"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ("Izin Lingkungan — naïve.pdf", "Izin Lingkungan — naïve.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_clean_filename_keeps_a_readable_name(raw, clean):
    assert uploads.clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["../x.pdf", "a/b.pdf", "C:\\x.pdf", "x\x00.pdf", "x\r.pdf", "\u200bx.pdf", "...", ""])
def test_clean_filename_refuses_paths_controls_and_empty_names(raw):
    with pytest.raises(uploads.DocumentRejected):
        uploads.clean_filename(raw)


def test_detect_type_reads_the_first_bytes():
    assert uploads.detect_type(PDF[:8]) == ("application/pdf", "pdf")
    assert uploads.detect_type(PNG[:8]) == ("image/png", "png")
    assert uploads.detect_type(JPEG[:8]) == ("image/jpeg", "jpg")
    assert uploads.detect_type(b"%PDF") is None  # one byte short of the signature
    assert uploads.detect_type(b"\x89PNG\r\n\x1a") is None
    assert uploads.detect_type(b"\xff\xd8") is None


def _user() -> User:
    from app.models import Role

    user = User(email="svc@pantau.test", name="Svc", role=Role.OFFICER, password_hash="x")
    db.session.add(user)
    db.session.flush()
    return user


def test_files_of_a_rolled_back_transaction_are_deleted_and_committed_ones_kept(folder):
    permit = permit_of()
    user = _user()
    upload_ = uploads.Upload("a.pdf", io.BytesIO(PDF))
    (document,) = documents.store_documents(permit, [upload_], uploaded_by_id=user.id)
    assert files_in(folder) == [document.stored_name]
    db.session.rollback()
    assert files_in(folder) == [] and rows() == 0
    user = _user()
    (document,) = documents.store_documents(permit, [uploads.Upload("b.pdf", io.BytesIO(PDF))], uploaded_by_id=user.id)
    stored_name = document.stored_name
    db.session.commit()
    db.session.close()
    assert files_in(folder) == [stored_name] and rows() == 1


def test_one_bad_file_in_a_batch_stores_none_of_them(folder):
    permit = permit_of()
    user = _user()
    batch = [uploads.Upload("a.pdf", io.BytesIO(PDF)), uploads.Upload("b.pdf", io.BytesIO(b"text"))]
    with pytest.raises(uploads.DocumentRejected):
        documents.store_documents(permit, batch, uploaded_by_id=user.id)
    assert files_in(folder) == [] and rows() == 0


def test_visible_permit_follows_the_scope():
    from app.models import Role

    investor = make_investor()
    permit = permit_of(investor, bps_code="36.03")
    visible = [
        Scope(role=Role.ADMINISTRATOR),
        Scope(role=Role.GOVERNOR),
        Scope(role=Role.OFFICER),
        Scope(role=Role.OFFICER, region_id=region("36.03").id),
        Scope(role=Role.INVESTOR, investor_id=investor.id),
    ]
    hidden = [
        Scope(role=Role.OFFICER, region_id=region("36.73").id),
        Scope(role=Role.INVESTOR, investor_id=make_investor().id),
        Scope(role=Role.INVESTOR, investor_id=None),
    ]
    for scope in visible:
        assert documents.visible_permit(scope, permit.id).id == permit.id
    for scope in hidden:
        with pytest.raises(NotFound):
            documents.visible_permit(scope, permit.id)


# --- the partial on the officer's permit page ---------------------------------------------------------------


def _render_partial(app: Flask, user: User, permit: Permit, refused: dict | None = None, query: str = "") -> str:
    from flask import render_template_string, session
    from flask_login import login_user

    with app.test_request_context(f"/permits/{permit.id}{query}"):
        login_user(user)
        if refused:
            session[REFUSAL_KEY] = refused
        html = render_template_string('{% include "permits/_documents.html" %}', permit=permit)
        assert REFUSAL_KEY not in session or not refused or refused["permit_id"] != permit.id  # shown once
        return html


def test_the_partial_lists_documents_with_download_links_and_offers_upload_to_editors_only(app, client, login_as):
    permit = permit_of()
    upload(client, permit, PDF, "sk-kkpr.pdf", note="Surat keputusan")
    document = db.session.scalars(select(PermitDocument)).one()
    officer_html = _render_partial(app, client.user, permit)
    assert f'href="/documents/{document.id}/download"' in officer_html
    assert "sk-kkpr.pdf" in officer_html and "Surat keputusan" in officer_html
    assert 'id="document-form"' in officer_html and 'enctype="multipart/form-data"' in officer_html
    governor_html = _render_partial(app, login_as("governor").user, permit)
    assert f'href="/documents/{document.id}/download"' in governor_html
    assert 'id="document-form"' not in governor_html


def test_the_partial_says_when_there_is_no_document(app, client):
    assert 'id="no-documents"' in _render_partial(app, client.user, permit_of())


def test_the_partial_shows_why_the_last_upload_was_refused_beside_the_file_field_once(app, client):
    permit = permit_of()
    other = permit_of()
    reason = {"permit_id": permit.id, "reason": "Nothing was uploaded: “x.pdf” is empty (0 bytes)."}
    assert "is empty" not in _render_partial(app, client.user, other)  # the fields without error, kept
    html = _render_partial(app, client.user, permit, refused=reason)
    field = re.search(r'id="doc-document-error">(.*?)</div>', html, re.S)
    assert field and "is empty (0 bytes)" in html_unescape(field.group(1))
    assert "is empty" not in _render_partial(app, client.user, other, refused=reason)  # another permit's page
    assert "is empty" not in _render_partial(app, client.user, permit)


def test_the_partial_counts_the_documents_only_past_a_full_first_page(app, client, folder, monkeypatch):
    """Issue 13: a first page that is not full holds every document, so the panel reads no count; past it, the
    count is read and the pages and the total are as before."""
    from tests.statements import counting

    permit = permit_of()
    for n in range(3):
        upload(client, permit, PDF, f"surat-{n}.pdf")
    assert db.session.scalar(select(func.count(PermitDocument.id))) == 3

    def total(html: str) -> str:
        found = re.search(r'id="documents-heading">.*?<span class="badge[^"]*">(\d+)</span>', html, re.S)
        assert found
        return found.group(1)

    with counting() as statements:
        html = _render_partial(app, client.user, permit)
    assert total(html) == "3" and html.count("document-link") == 3 and 'class="pagination' not in html
    assert not [s for s in statements if "count(permit_document" in s.lower()]  # (the stamp counts notifications)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    with counting() as statements:
        first = _render_partial(app, client.user, permit)
    assert total(first) == "3" and first.count("document-link") == 2 and "1 / 2" in first
    assert [s for s in statements if "count(permit_document" in s.lower()]
    second = _render_partial(app, client.user, permit, query="?documents_page=2")
    assert total(second) == "3" and second.count("document-link") == 1 and "2 / 2" in second
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    assert total(_render_partial(app, client.user, permit)) == "3"  # a full first page: counted, the same total
    assert total(_render_partial(app, client.user, permit_of())) == "0"


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
