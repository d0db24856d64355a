"""The investor portal: each estate's permits with whose move it is and the next step, the permit page with its
history and documents, and the answer to a return for revision (the investor's only move)."""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit, make_zone, minimal_pdf
from permits.documents.models import PermitDocument
from permits.models import Permit, PermitEvent, PermitStatus
from permits.workflow import advance_permit, permit_clock

NOW = "2026-03-02 10:00 +0700"  # a Monday
TODAY = date(2026, 3, 2)
RETURN_NOTE = "Lengkapi kajian hidrologi pada dokumen ANDAL"
INTERNAL = "CATATAN-INTERNAL-PETUGAS"
PDF = minimal_pdf()  # a real one: PDFs are read (and checked for active content) on upload
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


@pytest.fixture(autouse=True)
def folder(app: Flask) -> Iterator[Path]:
    path = Path(app.instance_path) / "documents"
    yield path
    if path.exists():
        for child in path.iterdir():
            child.unlink()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def document_rows() -> int:
    return db.session.scalar(select(func.count(PermitDocument.id))) or 0


def estate_with_amdal(investor, name: str, *, filed_on: date = date(2026, 1, 5)) -> tuple:
    """An estate whose NIB, KKPR and PERTEK are issued and whose AMDAL was filed on ``filed_on``."""
    estate = make_estate(investor=investor, name=name, notes=INTERNAL)
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(
            code,
            estate=estate,
            status=PermitStatus.ISSUED,
            submitted_on=date(2025, 6, 2),
            decided_on=date(2025, 7, 1),
            notes=INTERNAL,
        )
    amdal = make_permit("AMDAL", estate=estate, notes=INTERNAL)
    advance_permit(amdal, PermitStatus.SUBMITTED, actor="Petugas", on=filed_on, today=filed_on)
    return estate, amdal


def returned_amdal(investor, name: str = "Kawasan Industri Uji") -> Permit:
    """An AMDAL sent back for a substantive revision (perbaikan: 30 working days, PP 28/2025 Pasal 90)."""
    _estate, amdal = estate_with_amdal(investor, name)
    day = date(2026, 2, 2)
    advance_permit(amdal, PermitStatus.UNDER_REVIEW, actor="Petugas", on=day, today=TODAY)
    advance_permit(amdal, PermitStatus.REVISION, actor="Petugas", note=RETURN_NOTE, on=day, today=TODAY)
    db.session.commit()
    return amdal


def row(page: str, table_id: str, code: str) -> tuple[str, str]:
    """(who, text) of the permit row ``code`` in the table ``table_id``; text without tags, spaces collapsed."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S).group(0)
    match = re.search(rf'<tr class="portal-line who-(\w+)" data-type="{code}">(.*?)</tr>', table, re.S)
    return match.group(1), text_of(match.group(2))


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def answer(client: FlaskClient, permit: Permit, files: list[tuple[bytes, str]], note: str = "Kajian terlampir"):
    data = {
        "documents": [(io.BytesIO(content), name) for content, name in files],
        "note": note,
        "version": str(permit.version),
    }
    return client.post(f"/portal/permits/{permit.id}/answer", data=data, content_type="multipart/form-data")


# --- the home page -----------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_home_shows_whose_move_the_deadline_and_the_next_step_for_each_permit(login_as):
    investor = make_investor(legal_name="PT Jaya Uji", notes=INTERNAL)
    amdal = returned_amdal(investor, "Kawasan Satu")
    _other_estate, reviewed = estate_with_amdal(investor, "Kawasan Dua", filed_on=date(2026, 2, 2))
    _late_estate, late = estate_with_amdal(investor, "Kawasan Tiga", filed_on=date(2025, 9, 1))
    waiting_iuki = make_permit("IUKI", estate=reviewed.estate)
    db.session.commit()
    page = login_as("investor", investor=investor).get("/portal").get_data(as_text=True)

    clock = permit_clock(amdal, TODAY)
    due = f"{clock.investor_due_on.day} {clock.investor_due_on:%b} {clock.investor_due_on.year}"  # the one date format
    who, text = row(page, f"permits-{amdal.estate_id}", "AMDAL")
    left = clock.investor_limit - clock.investor_round_days_used
    assert who == "you" and f"Revise and resubmit: “{RETURN_NOTE}” by {due}." in text
    assert f"{left} working days left" in text and "Send the revision" in text
    assert row(page, f"permits-{amdal.estate_id}", "IUKI") == ("waiting", "IUKI Industrial estate business "
        "licence Not filed yet Nobody yet — File IUKI when AMDAL is issued. Where to file: Investment and One-Stop "
        "Service Office, Banten Province https://dpmptsp.bantenprov.go.id")  # fmt: skip
    slf = row(page, f"permits-{amdal.estate_id}", "SLF")[1]
    assert slf.endswith("File SLF when PBG is issued. Where to file: Public Works and Spatial Planning Office, "
        "Serang City Contact not yet recorded")  # fmt: skip
    assert row(page, f"permits-{amdal.estate_id}", "NIB")[0] == "nobody"
    assert "Done: issued on 1 Jul 2025." in row(page, f"permits-{amdal.estate_id}", "NIB")[1]

    reviewed_clock = permit_clock(reviewed, TODAY)
    who, text = row(page, f"permits-{reviewed.estate_id}", "AMDAL")
    name = reviewed.agency.name_en  # a PMDN's AMDAL in Kota Serang: the city's environment office
    assert who == "agency" and name == "Environment Office, Serang City" and name in text
    assert f"Nothing to do: {name} has {reviewed_clock.agency_days_left} working days left." in text
    who, text = row(page, f"permits-{waiting_iuki.estate_id}", "IUKI")
    assert who == "waiting" and "Waiting for AMDAL" in text

    late_clock = permit_clock(late, TODAY)
    who, text = row(page, f"permits-{late.estate_id}", "AMDAL")
    assert late_clock.days_overdue > 0 and f"is {late_clock.days_overdue} working days late." in text
    assert f"{late_clock.days_overdue} working days overdue" in text

    todo = text_of(re.search(r'id="your-moves".*?</section>', page, re.S).group(0))
    assert "1 permit is waiting for you" in todo and "AMDAL (Kawasan Satu)" in todo


@time_machine.travel(NOW, tick=False)
def test_home_shows_nothing_of_another_investor(login_as):
    mine = make_investor(legal_name="PT Milik Sendiri")
    returned_amdal(mine, "Kawasan Sendiri")
    returned_amdal(make_investor(legal_name="PT Orang Lain"), "Kawasan Orang Lain")
    page = login_as("investor", investor=mine).get("/portal").get_data(as_text=True)
    assert "Kawasan Sendiri" in page and "PT Milik Sendiri" in page
    assert "Kawasan Orang Lain" not in page and "PT Orang Lain" not in page
    assert page.count('data-type="AMDAL"') == 1


def test_an_investor_without_estates_is_told_so(login_as):
    page = login_as("investor", investor=make_investor()).get("/portal").get_data(as_text=True)
    assert 'id="no-estates"' in page


def test_only_investors_reach_the_portal(client, login_as, anon_client):
    assert client.get("/portal").status_code == 403
    assert login_as("governor").get("/portal").status_code == 403
    assert login_as("administrator").get("/portal").status_code == 403
    response = anon_client.get("/portal")
    assert response.status_code == 302 and "/login" in response.location


# --- the permit page, the estate page and the documents list ------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_permit_page_shows_history_with_event_notes_and_the_answer_form(login_as):
    investor = make_investor()
    amdal = returned_amdal(investor)
    page = login_as("investor", investor=investor).get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    timeline = re.search(r'id="timeline".*?</ol>', page, re.S).group(0)
    assert RETURN_NOTE in timeline and timeline.count("<li") == 3  # submitted, under review, revision
    assert 'id="answer-form"' in page and 'enctype="multipart/form-data"' in page
    assert re.search(r'<input[^>]*multiple[^>]*name="documents"|<input[^>]*name="documents"[^>]*multiple', page)
    assert RETURN_NOTE in text_of(re.search(r'id="next-step">(.*?)</p>', page, re.S).group(1))


@time_machine.travel(NOW, tick=False)
def test_officers_internal_notes_never_appear_on_portal_pages(login_as, client):
    investor = make_investor(notes=INTERNAL)
    amdal = returned_amdal(investor)
    make_zone(estate=amdal.estate, notes=INTERNAL)
    db.session.commit()
    client.post(
        f"/permits/{amdal.id}/documents",
        data={"doc-document": (io.BytesIO(PDF), "sk.pdf"), "doc-note": "Surat pengembalian"},
        content_type="multipart/form-data",
    )
    portal = login_as("investor", investor=investor)
    for url in ("/portal", f"/portal/estates/{amdal.estate_id}", f"/portal/permits/{amdal.id}", "/portal/documents"):
        response = portal.get(url)
        assert response.status_code == 200, url
        assert INTERNAL not in response.get_data(as_text=True), url
    assert "Surat pengembalian" in portal.get(f"/portal/permits/{amdal.id}").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_estate_page_and_documents_list_are_the_investors_own(login_as):
    investor = make_investor()
    amdal = returned_amdal(investor, "Kawasan Milik")
    make_zone(estate=amdal.estate, name="Blok A")
    db.session.commit()
    portal = login_as("investor", investor=investor)
    page = portal.get(f"/portal/estates/{amdal.estate_id}").get_data(as_text=True)
    assert "Kawasan Milik" in page and "Blok A" in page and 'data-type="AMDAL"' in page
    assert answer(portal, amdal, [(PDF, "revisi.pdf")]).status_code == 302
    listing = portal.get("/portal/documents").get_data(as_text=True)
    assert "revisi.pdf" in listing and "Kawasan Milik" in listing


@time_machine.travel(NOW, tick=False)
def test_another_investor_gets_404_on_estate_permit_answer_and_document(client, login_as, folder):
    amdal = returned_amdal(make_investor())
    client.post(
        f"/permits/{amdal.id}/documents",
        data={"doc-document": (io.BytesIO(PDF), "milik.pdf")},
        content_type="multipart/form-data",
    )
    document = db.session.scalars(select(PermitDocument)).one()
    stranger = login_as("investor", investor=make_investor())
    assert stranger.get(f"/portal/estates/{amdal.estate_id}").status_code == 404
    assert stranger.get(f"/portal/permits/{amdal.id}").status_code == 404
    assert answer(stranger, amdal, [(PDF, "sisip.pdf")]).status_code == 404
    response = stranger.get(f"/documents/{document.id}/download")
    response.close()
    assert response.status_code == 404
    assert document_rows() == 1 and len(files_in(folder)) == 1
    assert stranger.get("/portal/permits/999999").status_code == 404


# --- answering a return for revision -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_answer_stores_the_documents_and_moves_the_permit_back_to_the_agency(login_as, folder):
    investor = make_investor()
    amdal = returned_amdal(investor)
    portal = login_as("investor", investor=investor)
    response = answer(portal, amdal, [(PDF, "andal-revisi.pdf"), (PNG, "peta.png")], note="Kajian hidrologi terlampir")
    assert response.status_code == 302 and response.location.endswith(f"/portal/permits/{amdal.id}")
    db.session.expire_all()
    assert amdal.status is PermitStatus.UNDER_REVIEW and amdal.running_since == TODAY  # reassessed (Pasal 90)
    event = db.session.scalars(select(PermitEvent).order_by(PermitEvent.id.desc())).first()
    assert (event.from_status, event.to_status) == (PermitStatus.REVISION, PermitStatus.UNDER_REVIEW)
    assert event.note == "Kajian hidrologi terlampir" and event.actor == portal.user.name
    assert event.actor_id == portal.user.id  # the investor's own account made the move
    docs = db.session.scalars(select(PermitDocument).order_by(PermitDocument.original_name)).all()
    assert [(d.original_name, d.content_type) for d in docs] == [
        ("andal-revisi.pdf", "application/pdf"),
        ("peta.png", "image/png"),
    ]
    assert {d.uploaded_by_id for d in docs} == {portal.user.id} and {d.permit_id for d in docs} == {amdal.id}
    assert files_in(folder) == sorted(d.stored_name for d in docs)
    page = portal.get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    assert "Your revision was sent to" in page and 'id="answer-form"' not in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("files", "note", "message"),
    [
        ([(PDF, "baik.pdf"), (b"bukan pdf", "buruk.pdf")], "x", "is not a PDF, PNG or JPEG file"),
        ([(b"", "kosong.pdf")], "x", "is empty"),
        ([(PDF, "../../etc/passwd.pdf")], "x", "contains a folder path"),
        ([(PDF, "nama\u200e.pdf")], "x", "hidden control characters"),  # control bytes: a 400 earlier
        ([], "x", "Choose a file to upload."),
        ([(PDF, "baik.pdf")], "", "Write a short message"),
        ([(PDF, f"f{i}.pdf") for i in range(6)], "x", "Send at most 5 files at once."),
    ],
)
def test_a_refused_answer_stores_nothing_and_says_why_beside_the_field(login_as, folder, files, note, message):
    investor = make_investor()
    amdal = returned_amdal(investor)
    response = answer(login_as("investor", investor=investor), amdal, files, note=note)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in text_of(re.search(r'<form[^>]*id="answer-form".*?</form>', page, re.S).group(0))
    db.session.expire_all()
    assert amdal.status is PermitStatus.REVISION
    assert document_rows() == 0 and files_in(folder) == []


@time_machine.travel(NOW, tick=False)
def test_an_answer_to_a_permit_that_is_not_returned_is_refused(login_as, folder):
    investor = make_investor()
    _estate, amdal = estate_with_amdal(investor, "Kawasan Ditinjau")
    db.session.commit()
    portal = login_as("investor", investor=investor)
    response = answer(portal, amdal, [(PDF, "coba.pdf")])
    assert response.status_code == 409  # the page the investor answered from was out of date
    page = response.get_data(as_text=True)
    conflict = re.search(r'id="conflict">(.*?)</div>', page, re.S).group(1)
    assert "This permit is not waiting for a revision from you" in conflict
    assert f'href="/portal/permits/{amdal.id}">Reload the page</a>' in conflict and 'id="answer-form"' not in page
    db.session.expire_all()
    assert amdal.status is PermitStatus.SUBMITTED
    assert document_rows() == 0 and files_in(folder) == []


def test_an_answer_the_stage_machine_refuses_deletes_the_files_it_wrote(login_as, folder):
    """Returned on 2 March; an answer dated 27 February (before the return) is refused after the files were
    written: they must go too."""
    investor = make_investor()
    with time_machine.travel(NOW, tick=False):
        amdal = returned_amdal(investor)
        advance_permit(amdal, PermitStatus.UNDER_REVIEW, actor="Petugas", on=TODAY, today=TODAY)
        advance_permit(amdal, PermitStatus.REVISION, actor="Petugas", note="Lagi", on=TODAY, today=TODAY)
        db.session.commit()
    with time_machine.travel("2026-02-27 10:00 +0700", tick=False):
        portal = login_as("investor", investor=investor)
        response = answer(portal, amdal, [(PDF, "a.pdf"), (PNG, "b.png")])
    assert response.status_code == 302
    db.session.expire_all()
    assert amdal.status is PermitStatus.REVISION
    assert document_rows() == 0 and files_in(folder) == []


@time_machine.travel(NOW, tick=False)
def test_a_stale_version_is_refused_and_stores_nothing(login_as, folder):
    investor = make_investor()
    amdal = returned_amdal(investor)
    portal = login_as("investor", investor=investor)
    data = {"documents": [(io.BytesIO(PDF), "a.pdf")], "note": "x", "version": str(amdal.version - 1)}
    data["note"] = "Kajian hidrologi terlampir"
    response = portal.post(f"/portal/permits/{amdal.id}/answer", data=data, content_type="multipart/form-data")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    conflict = re.search(r'id="conflict">(.*?)</div>', page, re.S).group(1)
    assert "Nothing was sent: Someone else changed this permit" in conflict
    assert f'href="/portal/permits/{amdal.id}">Reload the page</a>' in conflict
    assert "Kajian hidrologi terlampir</textarea>" in page  # the investor's message is kept
    assert document_rows() == 0 and files_in(folder) == []


@time_machine.travel(NOW, tick=False)
def test_an_answer_far_over_the_size_limit_gets_a_clear_413_on_the_permit_page(app, login_as, folder, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1000)
    investor = make_investor()
    amdal = returned_amdal(investor)
    response = answer(login_as("investor", investor=investor), amdal, [(PDF + bytes(400_000), "besar.pdf")])
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'id="answer-form"' in page and "each document may be at most 1,000 bytes" in page
    assert document_rows() == 0 and files_in(folder) == []


# --- languages ---------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_portal_renders_in_both_languages(login_as):
    investor = make_investor()
    amdal = returned_amdal(investor)
    portal = login_as("investor", investor=investor)
    english = portal.get("/portal").get_data(as_text=True)
    assert 'lang="en"' in english and "Whose move" in english and "Revise and resubmit" in english
    portal.get("/language/id")
    for url in ("/portal", f"/portal/permits/{amdal.id}", f"/portal/estates/{amdal.estate_id}", "/portal/documents"):
        response = portal.get(url)
        assert response.status_code == 200, url
        assert 'lang="id"' in response.get_data(as_text=True), url
    indonesian = portal.get("/portal").get_data(as_text=True)
    assert "Posisi berkas" in indonesian and "Tenggat" in indonesian
    assert "Mar 2026" in indonesian or "Apr 2026" in indonesian  # dates in Indonesian (d MMM yyyy)


@time_machine.travel(NOW, tick=False)
def test_a_permit_recorded_after_the_fact_does_not_quote_pantaus_own_recording_note(login_as):
    from flask_babel import force_locale

    from permits.services import RECORDING_NOTE

    investor = make_investor()
    _estate, amdal = estate_with_amdal(investor, "Kawasan Tercatat")
    with force_locale("id"):
        note = str(RECORDING_NOTE)
    advance_permit(amdal, PermitStatus.UNDER_REVIEW, actor="Demo", note=note, on=date(2026, 2, 2), today=TODAY)
    advance_permit(amdal, PermitStatus.REVISION, actor="Demo", note=note, on=date(2026, 2, 2), today=TODAY)
    db.session.commit()
    page = login_as("investor", investor=investor).get("/portal").get_data(as_text=True)
    who, text = row(page, f"permits-{amdal.estate_id}", "AMDAL")
    assert who == "you" and "Revise and resubmit: what the agency asked for in its letter by" in text
    assert note.rstrip(".") not in text


def test_bad_page_numbers_and_ids_never_give_a_500(login_as):
    portal = login_as("investor", investor=make_investor())
    for url in ("/portal?page=abc", "/portal?page=99999999999", "/portal/documents?page=-1"):
        assert portal.get(url).status_code == 200, url
    for url in (
        "/portal/permits/abc",
        "/portal/estates/0",
        "/portal/permits/99999999999",
        "/portal/estates/4294967296",
    ):
        assert portal.get(url).status_code == 404, url
