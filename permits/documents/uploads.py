"""Receiving uploaded files: the type detected from the content (PDF, PNG, JPEG), the size limit, a PDF without
active content (permits/documents/pdf.py), a clean file name for the download, and the file written under a
generated name. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from permits.documents.pdf import inspect_pdf, refusal_message

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200
CHUNK = 64 * 1024
# (first bytes, content type, extension of the stored file)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


HEAD_BYTES = max(len(magic) for magic, _type, _ext in SIGNATURES)


class DocumentRejected(ValueError):
    """The upload was refused; ``str()`` says why in plain words. Nothing was stored."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the services see it: the name the browser sent and a binary stream."""

    filename: str | None
    stream: BinaryIO


@dataclass(frozen=True)
class _Received:
    """A checked upload, written to a temporary file in the documents folder and not yet kept."""

    original_name: str
    temp_path: Path
    content_type: str
    extension: str
    size_bytes: int
    sha256: str


def max_document_bytes() -> int:
    """The largest document accepted, in bytes (config ``DOCUMENT_MAX_BYTES``, default 20 MB)."""
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def documents_dir() -> Path:
    """``<instance>/documents``, created on first use (never under ``static/``: files are served by a view)."""
    folder = Path(current_app.instance_path) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_size(num_bytes: int) -> str:
    """A size in the interface language: ``850 bytes``, ``120 KB``, ``20 MB``, ``1,5 MB``."""
    if num_bytes < 1024:
        return _("%(num)s bytes", num=format_decimal(num_bytes))
    if num_bytes < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(round(num_bytes / 1024, 1), format="#,##0.#"))
    return _("%(num)s MB", num=format_decimal(round(num_bytes / (1024 * 1024), 1), format="#,##0.#"))


def detect_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for a file starting with ``head``, or None when it is not PDF, PNG or JPEG."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def _shown(name: str) -> str:
    """The name as it may be quoted back in a message: control characters dropped, not too long."""
    visible = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return visible if len(visible) <= 80 else visible[:77] + "..."


def clean_filename(raw: str | None) -> str:
    """The uploader's file name, cleaned for display and the download (never for a path).

    Refused (``DocumentRejected``): a name holding a folder path (``/`` or ``\\``) or a control or invisible
    formatting character (which can disguise the real extension). Leading dots and spaces are dropped and a
    long name is shortened, keeping its extension.
    """
    name = unicodedata.normalize("NFC", raw or "").strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise DocumentRejected(
            _(
                "The file name contains hidden control characters. Rename the file (letters, digits, spaces) "
                "and try again."
            )
        )
    if "/" in name or "\\" in name:
        raise DocumentRejected(
            _(
                "The file name “%(name)s” contains a folder path (/ or \\). Rename the file and try again.",
                name=_shown(name),
            )
        )
    name = name.lstrip(". ")
    if not name:
        raise DocumentRejected(_("The file has no name. Rename the file and try again."))
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot and stem else ""
        name = name[: MAX_NAME_LENGTH - len(ext) - 1].rstrip() + ("." + ext if ext else "")
    return name


def _read_head(stream: BinaryIO) -> bytes:
    head = b""
    while len(head) < HEAD_BYTES:
        chunk = stream.read(HEAD_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    return head


def _receive(upload: Upload, folder: Path, max_bytes: int) -> _Received:
    """Check one upload and copy it to a temporary file in ``folder``; raise ``DocumentRejected`` (no file left)."""
    name = clean_filename(upload.filename)
    shown = _shown(name)
    head = _read_head(upload.stream)
    if not head:
        raise DocumentRejected(_("“%(name)s” is empty (0 bytes). Choose the file again.", name=shown))
    detected = detect_type(head)
    if detected is None:
        raise DocumentRejected(
            _(
                "“%(name)s” is not a PDF, PNG or JPEG file (whatever its name says). Save or scan the document "
                "as PDF, or as a PNG or JPEG picture, and try again.",
                name=shown,
            )
        )
    too_large = DocumentRejected(
        _(
            "“%(name)s” is larger than %(max)s. Make the file smaller (for example, scan at a lower resolution) "
            "or split it into parts.",
            name=shown,
            max=file_size(max_bytes),
        )
    )
    digest = hashlib.sha256(head)
    size = len(head)
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(head)
            while size <= max_bytes and (chunk := upload.stream.read(CHUNK)):
                size += len(chunk)
                digest.update(chunk)
                out.write(chunk)
            if size > max_bytes:
                raise too_large
            out.flush()
            os.fsync(out.fileno())
        if detected[0] == "application/pdf" and (finding := inspect_pdf(temp_path)) is not None:
            raise DocumentRejected(refusal_message(finding, shown))
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    content_type, extension = detected
    return _Received(name, temp_path, content_type, extension, size, digest.hexdigest())


def _receive_all(uploads: Sequence[Upload], max_files: int) -> list[_Received]:
    """Check every upload before keeping any; on the first refusal remove the temporary files and raise."""
    if not uploads:
        raise DocumentRejected(_("Choose a file to upload."))
    if len(uploads) > max_files:
        raise DocumentRejected(_("Send at most %(num)d files at once.", num=max_files))
    folder, max_bytes = documents_dir(), max_document_bytes()
    received: list[_Received] = []
    try:
        for upload in uploads:
            received.append(_receive(upload, folder, max_bytes))
    except BaseException:
        for item in received:
            item.temp_path.unlink(missing_ok=True)
        raise
    return received
