"""The permit page reads the permit's number of documents with the permit (``Permit.document_count``, issue 13):
a permit without documents, most of them, costs no statement of the documents panel; with documents, the panel
reads and shows them as before."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from app.extensions import db
from app.security import SYSTEM_SCOPE
from permits import page_reads
from permits.models import Permit
from tests.permits.documents.test_documents import (
    PDF,
    folder,  # noqa: F401 - autouse: the stored files removed
    upload,
)
from tests.permits.documents.test_documents import permit_of as _permit
from tests.statements import counting


def _documents_read(statements: list[str]) -> list[str]:
    """The statements whose own table is the documents' (not the permit's, whose count reads it in a subquery)."""
    return [s for s in statements if re.match(r"\s*SELECT\s+(count\()?permit_document", s)]


def test_a_permit_without_documents_costs_no_statement_of_the_panel(client: FlaskClient):
    permit = _permit()
    with counting() as statements:
        html = client.get(f"/permits/{permit.id}").text
    assert 'id="no-documents"' in html and 'id="document-form"' in html
    assert _documents_read(statements) == []
    db.session.expire_all()
    assert page_reads.permit_for_page(permit.id, SYSTEM_SCOPE).document_count == 0
    db.session.expire_all()
    assert db.session.get(Permit, permit.id).document_count is None  # read only when asked for


def test_a_permit_with_documents_shows_them_and_its_count(client: FlaskClient):
    permit, other = _permit(), _permit()
    for n in range(2):
        assert upload(client, permit, PDF, f"surat-{n}.pdf").status_code == 302
    db.session.expire_all()
    assert page_reads.permit_for_page(permit.id, SYSTEM_SCOPE).document_count == 2
    assert page_reads.permit_for_page(other.id, SYSTEM_SCOPE).document_count == 0
    db.session.expire_all()
    with counting() as statements:
        html = client.get(f"/permits/{permit.id}").text
    assert html.count("document-link") == 2 and "surat-0.pdf" in html and "surat-1.pdf" in html
    assert len(_documents_read(statements)) == 1  # the page of documents; no count: they fit on it
    assert 'id="no-documents"' in client.get(f"/permits/{other.id}").text
