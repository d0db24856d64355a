"""Documents attached to permits: checked, stored, listed and opened for download, with access checks.

Rules:

- Only PDF, PNG and JPEG, recognised by their first bytes (``%PDF-``, ``\\x89PNG\\r\\n\\x1a\\n``, ``\\xff\\xd8\\xff``),
  never by the file name; the stored file's extension comes from the detected type.
- At most ``DOCUMENT_MAX_BYTES`` (config, default 20 MB) per file; an empty file is refused.
- The uploader's file name is kept, cleaned, only to name the download; a name holding a folder path or control
  characters is refused. Files live under ``<instance>/documents/`` with generated names, written to a temporary
  file and renamed into place, never under ``static/``.
- A refused upload stores nothing: every file of a batch is checked before any is kept, and a file written in a
  transaction that does not commit is deleted again (the session hooks at the end of this module).
- Who may see what: ``visible_permit`` and ``visible_document`` answer 404 outside the caller's ``Scope``, by the
  one rule of ``estates.queries.estates_visible_to`` (an investor its own estates, a region officer its region's).

Functions take plain arguments (``Upload`` is a file name and a binary stream, no request object); they flush,
never commit.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import BindParameter, Select, bindparam, event, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.audit import record_change
from app.errors import NotFound, found
from app.extensions import db
from app.models import AuditEvent
from app.row_pages import paginate_rows
from app.security import Scope
from app.statements import kept_statement
from app.urls import MAX_ID
from estates.queries import estates_visible_to
from permits.auditing import audit_move
from permits.documents.models import PermitDocument
from permits.documents.uploads import Upload, _receive_all, documents_dir
from permits.models import Permit
from permits.services import get_permit
from permits.stages import TransitionError, check_move, resume_target
from permits.workflow import Actor, ConcurrentEdit, advance_permit, rule_of

log = logging.getLogger(__name__)

MAX_FILES_PER_UPLOAD = 5  # files in one answer to a return for revision
NOTE_MAX_LENGTH = 4000
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")
_PENDING_FILES = "pantau.documents.uncommitted_files"  # key in Session.info


class NotAwaitingAnswer(TransitionError):
    """The permit is not returned for revision, so there is nothing for the investor to answer."""

    def __init__(self) -> None:
        super().__init__(
            _("This permit is not waiting for a revision from you (the page you sent it from was out of date).")
        )


# --- settings and paths ------------------------------------------------------------------------------------


def document_path(document: PermitDocument) -> Path:
    """The file of ``document``, built from its generated name only (checked again, never from user input)."""
    if not STORED_NAME.fullmatch(document.stored_name):
        raise ValueError(f"unexpected stored name for document {document.id}")
    return documents_dir() / document.stored_name


# --- storing -----------------------------------------------------------------------------------------------


def store_documents(
    permit: Permit,
    uploads: Sequence[Upload],
    *,
    uploaded_by_id: int,
    note: str | None = None,
    max_files: int = MAX_FILES_PER_UPLOAD,
) -> list[PermitDocument]:
    """Check ``uploads`` and attach them to ``permit``: files renamed into place, one row each. Flushes.

    Raises ``DocumentRejected`` (nothing stored) when any file is refused. The files written belong to the
    current transaction: if it is rolled back or closed without a commit, they are deleted again.
    Access is the caller's business: load the permit with ``visible_permit`` first.
    """
    note = (note or "").strip()[:NOTE_MAX_LENGTH] or None
    received = _receive_all(uploads, max_files)
    folder = documents_dir()
    documents: list[PermitDocument] = []
    kept: list[Path] = []
    try:
        for item in received:
            stored_name = f"{uuid.uuid4().hex}.{item.extension}"
            final = folder / stored_name
            os.replace(item.temp_path, final)
            kept.append(final)
            documents.append(
                PermitDocument(
                    permit=permit,
                    uploaded_by_id=uploaded_by_id,
                    original_name=item.original_name,
                    stored_name=stored_name,
                    content_type=item.content_type,
                    size_bytes=item.size_bytes,
                    sha256=item.sha256,
                    note=note,
                )
            )
        db.session.add_all(documents)
        db.session.flush()
    except BaseException:
        for path in kept:
            path.unlink(missing_ok=True)
        for item in received:
            item.temp_path.unlink(missing_ok=True)
        raise
    db.session.info.setdefault(_PENDING_FILES, []).extend(kept)
    for document in documents:
        record_change(
            AuditEvent.DOCUMENT_UPLOADED, uploaded_by_id, f"document {document.id} of permit {permit.id}",
            after={"name": document.original_name, "sha256": document.sha256, "size_bytes": document.size_bytes},
        )  # fmt: skip
    return documents


def answer_return(
    permit: Permit,
    uploads: Sequence[Upload],
    *,
    note: str,
    uploaded_by_id: int,
    actor: Actor,
    expected_version: int | None = None,
) -> list[PermitDocument]:
    """The investor's answer: store the documents and send the file back to the agency (a fixed file is checked
    again, a revised or resumed one reassessed: ``permits.stages.RESUMES_TO``).

    The only move an investor may make here: the permit must wait for the investor's fix, revision or
    resumption (``NotAwaitingAnswer`` otherwise) and the transition table must mark the move as the investor's. Raises
    ``DocumentRejected`` for a bad file and any ``TransitionError`` of ``advance_permit`` (``ConcurrentEdit``
    when ``expected_version`` is stale); then no document is kept (the files are deleted here, the rows go
    with the caller's rollback). Flushes, never commits.
    """
    target = resume_target(permit.status, rule_of(permit).clock_starts_at)
    if target is None:
        raise NotAwaitingAnswer()
    move = check_move(permit.status, target, note)
    if not move.investor_may:  # the table says who may make the move; keep the portal to it
        raise NotAwaitingAnswer()
    if expected_version is not None and expected_version != permit.version:
        raise ConcurrentEdit()
    documents = store_documents(permit, uploads, uploaded_by_id=uploaded_by_id, note=note)
    try:
        move = advance_permit(permit, target, actor=actor, note=note, expected_version=expected_version)
        audit_move(permit, move)
    except TransitionError:
        discard_files(documents)
        raise
    return documents


def discard_files(documents: Sequence[PermitDocument]) -> None:
    """Delete the files of documents that will not be kept (their rows go with the transaction's rollback)."""
    for document in documents:
        path = documents_dir() / document.stored_name
        path.unlink(missing_ok=True)


# --- access and reads --------------------------------------------------------------------------------------


def require_id(obj_id: int) -> int:
    """An id from a URL, or 404 when no row can have it (PostgreSQL would refuse one past INTEGER with a 500)."""
    if not 0 < obj_id <= MAX_ID:
        raise NotFound
    return obj_id


def visible_permit(scope: Scope, permit_id: int) -> Permit:
    """The permit with its estate (and investor) and type when ``scope`` may see it; 404 otherwise.

    The same rule and query as the officer's permit page (``permits.services.get_permit``).
    """
    return get_permit(require_id(permit_id), scope)


def visible_document(scope: Scope, document_id: int) -> PermitDocument:
    """The document when ``scope`` may see its permit's estate; 404 otherwise (also for another investor's)."""
    require_id(document_id)
    query = (
        select(PermitDocument)
        .join(PermitDocument.permit)
        .join(Permit.estate)
        .where(PermitDocument.id == document_id, estates_visible_to(scope))
        .options(contains_eager(PermitDocument.permit))
    )
    return found(db.session.scalars(query).one_or_none())


def open_document(scope: Scope, document_id: int) -> tuple[PermitDocument, Path]:
    """The document and its file, for a download; 404 when out of scope or when the file has gone missing."""
    document = visible_document(scope, document_id)
    path = document_path(document)
    if not path.is_file():
        log.error("file of document %s is missing: %s", document.id, document.stored_name)
        raise NotFound
    what = f"document {document.id} of permit {document.permit_id}"
    record_change(AuditEvent.DOCUMENT_DOWNLOADED, scope.user_id, what, name=document.original_name)
    return document, path


def permit_documents_query(permit_id: int | BindParameter) -> Select:
    """The permit's documents, newest first, with the uploader loaded (to paginate)."""
    return (
        select(PermitDocument)
        .where(PermitDocument.permit_id == permit_id)
        .options(joinedload(PermitDocument.uploaded_by))
        .order_by(PermitDocument.uploaded_at.desc(), PermitDocument.id.desc())
    )


def permit_documents_page(permit_id: int, name: str = "page", count: int | None = None) -> Pagination:
    """The page of the permit's documents (``permit_documents_query``) chosen by the ``name`` query argument, by
    statements built once (``app.statements``); counted only when they do not all fit on the first page (issue 13:
    the permit pages, officer's and investor's, show a permit's few documents). ``count``: their number when the
    caller read it (``Permit.document_count``); with none, nothing is read."""
    if count == 0:
        return paginate_rows(lambda _limit, _offset: (), 0, name=name)

    def load(limit: int, offset: int) -> Sequence[PermitDocument]:
        stmt = kept_statement("permit-documents", (), _documents_page_query)
        return db.session.scalars(stmt, {"permit_id": permit_id, "limit": limit, "offset": offset}).unique().all()

    pagination = paginate_rows(load, 0, name=name)
    if pagination.page == 1 and len(pagination.items) < pagination.per_page:
        pagination.total = len(pagination.items)  # every document is on this page: nothing to count
    else:
        count = kept_statement("permit-documents-count", (), _documents_count_query)
        pagination.total = db.session.scalar(count, {"permit_id": permit_id}) or 0
    return pagination


def _documents_page_query() -> Select:
    return permit_documents_query(bindparam("permit_id")).limit(bindparam("limit")).offset(bindparam("offset"))


def _documents_count_query() -> Select:
    return select(func.count(PermitDocument.id)).where(PermitDocument.permit_id == bindparam("permit_id"))


# --- files follow the transaction --------------------------------------------------------------------------


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    session.info.pop(_PENDING_FILES, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session: Session, transaction) -> None:
    """A transaction that ended without a commit (rollback, close) takes its new files with it."""
    if transaction.parent is not None:
        return  # a savepoint or subtransaction: the outer transaction decides
    for path in session.info.pop(_PENDING_FILES, ()):
        Path(path).unlink(missing_ok=True)
