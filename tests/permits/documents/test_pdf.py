"""PDFs with active content (permits/documents/pdf.py): JavaScript, launch actions and embedded files are refused
with the reason, whether the officer uploads them or the investor answers with them; and nothing a signed-in user
receives may be stored by a browser or a proxy (``Cache-Control: no-store``)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject
from sqlalchemy import func, select

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit, minimal_pdf
from permits.documents import pdf, uploads
from permits.documents.models import PermitDocument
from permits.documents.views import REFUSAL_KEY
from permits.models import PermitStatus
from permits.workflow import advance_permit


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return writer


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    action.update({NameObject(f"/{key}"): TextStringObject(value) for key, value in entries.items()})
    return action


def with_document_javascript() -> bytes:
    """A document-level script: the catalogue's /Names tree holds a /JavaScript entry."""
    writer = _writer()
    scripts = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("halo"), writer._add_object(_action("/JavaScript", JS="app.alert(1)"))]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})
    return _written(writer)


def with_javascript_on_open() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action("/JavaScript", JS="app.alert(1)"))
    return _written(writer)


def with_javascript_in_a_link() -> bytes:
    """The script sits on a link annotation of the page, behind an indirect reference."""
    writer = _writer()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)]),
            NameObject("/A"): writer._add_object(_action("/JavaScript", JS="this.print()")),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def with_launch_action() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action("/Launch", F="cmd.exe"))
    return _written(writer)


def with_embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("lampiran.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def with_escaped_name() -> bytes:
    """``/J#61vaScript`` is ``/JavaScript`` to a reader, but not to a byte search."""
    data = with_javascript_on_open().replace(b"/JavaScript", b"/J#61vaScript")
    assert b"/JavaScript" not in data
    return data


def in_an_object_stream() -> bytes:
    """A PDF 1.5 cross-reference stream whose objects, the script among them, are compressed in an object stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ]
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(f"{n + 1} {offset}".encode() for n, offset in enumerate(offsets)) + b"\n"
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += (
        f"5 0 obj\n<< /Type /ObjStm /N 4 /First {len(header)} /Filter /FlateDecode /Length {len(packed)} >>\nstream\n"
    ).encode()
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00\x00\x00\x00\xff\xff"] + [b"\x02" + (5).to_bytes(4, "big") + n.to_bytes(1, "big") for n in range(4)]
    rows.append(b"\x01" + stream_at.to_bytes(4, "big") + b"\x00")
    rows.append(b"\x01" + xref_at.to_bytes(4, "big") + b"\x00")
    table = zlib.compress(b"".join(rows))
    out += (
        f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length {len(table)} >>\nstream\n"
    ).encode()
    out += table + b"\nendstream\nendobj\n" + f"startxref\n{xref_at}\n%%EOF\n".encode()
    data = bytes(out)
    assert b"JavaScript" not in data  # invisible to a byte search
    return data


def with_a_password() -> bytes:
    writer = _writer()
    writer.encrypt(user_password="rahasia-sekali", owner_password="pemilik", algorithm="AES-128")
    return _written(writer)


def with_owner_password_only() -> bytes:
    """Printing or copying restricted, but anybody may open it: checked and accepted."""
    writer = _writer()
    writer.encrypt(user_password="", owner_password="pemilik", algorithm="AES-128")
    return _written(writer)


HOSTILE: list[tuple[Callable[[], bytes], pdf.Finding, str]] = [
    (with_document_javascript, pdf.Finding.JAVASCRIPT, "contains JavaScript"),
    (with_javascript_on_open, pdf.Finding.JAVASCRIPT, "contains JavaScript"),
    (with_javascript_in_a_link, pdf.Finding.JAVASCRIPT, "contains JavaScript"),
    (with_escaped_name, pdf.Finding.JAVASCRIPT, "contains JavaScript"),
    (in_an_object_stream, pdf.Finding.JAVASCRIPT, "contains JavaScript"),
    (with_launch_action, pdf.Finding.LAUNCH, "starts another program"),
    (with_embedded_file, pdf.Finding.EMBEDDED_FILE, "has other files embedded in it"),
    (with_a_password, pdf.Finding.ENCRYPTED, "is protected by a password"),
    (lambda: b"%PDF-1.7\n%%EOF\n", pdf.Finding.UNREADABLE, "could not be read as a PDF"),
]


@pytest.fixture(autouse=True)
def folder(app: Flask) -> Iterator[Path]:
    path = Path(app.instance_path) / "documents"
    yield path
    if path.exists():
        for child in path.iterdir():
            child.unlink()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _rows() -> int:
    return db.session.scalar(select(func.count(PermitDocument.id))) or 0


@pytest.mark.parametrize(("build", "finding", "_message"), HOSTILE, ids=[h[0].__name__ for h in HOSTILE])
def test_the_inspection_finds_active_content(tmp_path, build, finding, _message):
    path = tmp_path / "x.pdf"
    path.write_bytes(build())
    assert pdf.inspect_pdf(path) is finding


@pytest.mark.parametrize("build", [minimal_pdf, lambda: minimal_pdf(pages=30), with_owner_password_only])
def test_ordinary_pdfs_pass(tmp_path, build):
    path = tmp_path / "x.pdf"
    path.write_bytes(build())
    assert pdf.inspect_pdf(path) is None


@pytest.mark.parametrize(("build", "_finding", "message"), HOSTILE, ids=[h[0].__name__ for h in HOSTILE])
def test_an_officers_upload_with_active_content_is_refused_with_the_reason(client, folder, build, _finding, message):
    permit = make_permit("KKPR")
    db.session.commit()
    data = {"doc-document": (io.BytesIO(build()), "SK KKPR.pdf"), "doc-note": ""}
    response = client.post(f"/permits/{permit.id}/documents", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with client.session_transaction() as session:
        reason = session[REFUSAL_KEY]["reason"]
    assert reason.startswith("Nothing was uploaded: “SK KKPR.pdf”") and message in reason
    assert _rows() == 0 and _files(folder) == []


def test_an_investors_answer_with_javascript_is_refused_and_stores_nothing(login_as, folder):
    investor = make_investor()
    estate = make_estate(investor=investor)
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(
            code, estate=estate, status=PermitStatus.ISSUED, submitted_on=date(2025, 6, 2), decided_on=date(2025, 7, 1)
        )
    amdal = make_permit("AMDAL", estate=estate)
    advance_permit(amdal, PermitStatus.SUBMITTED, actor="Petugas", on=date(2026, 1, 5), today=date(2026, 3, 2))
    advance_permit(
        amdal, PermitStatus.RETURNED, actor="Petugas", note="Lengkapi", on=date(2026, 2, 2), today=date(2026, 3, 2)
    )
    db.session.commit()
    files = [(io.BytesIO(minimal_pdf()), "bersih.pdf"), (io.BytesIO(with_javascript_on_open()), "revisi.pdf")]
    data = {"documents": files, "note": "Kajian terlampir", "version": str(amdal.version)}
    portal = login_as("investor", investor=investor)
    response = portal.post(f"/portal/permits/{amdal.id}/answer", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "“revisi.pdf” contains JavaScript" in response.text
    db.session.expire_all()
    assert amdal.status is PermitStatus.RETURNED and _rows() == 0 and _files(folder) == []


def test_a_clean_pdf_is_stored(client, folder):
    permit = make_permit("KKPR")
    db.session.commit()
    (document,) = uploads._receive_all([uploads.Upload("sk.pdf", io.BytesIO(minimal_pdf()))], max_files=1)
    assert document.content_type == "application/pdf"
    document.temp_path.unlink()
    data = {"doc-document": (io.BytesIO(minimal_pdf()), "sk.pdf"), "doc-note": ""}
    assert (
        client.post(f"/permits/{permit.id}/documents", data=data, content_type="multipart/form-data").status_code == 302
    )
    assert _rows() == 1 and len(_files(folder)) == 1


# --- nothing private is cached ------------------------------------------------------------------------------


def test_every_response_to_a_signed_in_user_is_no_store(client, anon_client, folder):
    permit = make_permit("KKPR")
    db.session.commit()
    upload = {"doc-document": (io.BytesIO(minimal_pdf()), "sk.pdf"), "doc-note": ""}
    client.post(f"/permits/{permit.id}/documents", data=upload, content_type="multipart/form-data")
    document_id = db.session.scalar(select(PermitDocument.id))
    for url in (
        "/",
        "/estates",
        f"/permits/{permit.id}",
        "/stalls/agencies.csv",
        f"/permits/{permit.id}/evidence.json",
        f"/documents/{document_id}/download",
        "/estates/999999",  # an error page too
        "/healthz",
    ):
        response = client.get(url)
        response.close()
        assert "no-store" in response.headers.get("Cache-Control", ""), (url, response.status_code)
    assert "no-store" not in anon_client.get("/login").headers.get("Cache-Control", "")
    static = client.get("/static/css/pantau.css")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
