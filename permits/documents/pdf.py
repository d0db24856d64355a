"""Active content in uploaded PDFs: JavaScript, launch actions and embedded files are refused, with the reason.

The PDF is read with pypdf and every object reachable from its trailer is looked at (dictionaries and arrays, never
the page contents), so what a byte search would miss is found too: objects inside compressed object streams, names
written with escapes (``/J#61vaScript``), actions on a link or a form field rather than on opening the file. What
is refused:

- JavaScript: a ``/JS`` or ``/JavaScript`` entry anywhere, or an action of type ``/JavaScript``;
- launch actions (``/Launch``), which start another program or open another file;
- embedded files: a ``/EmbeddedFiles`` name tree, an ``/EF`` file specification, an ``/EmbeddedFile`` stream, a
  file attachment annotation, rich media, or a go-to-embedded action (``/GoToE``).

A PDF that cannot be inspected is refused as well, since it cannot be vouched for: one pypdf cannot read, one
protected by a password to open it (one that only restricts printing or copying opens with the empty password and
is checked), and one with more than ``MAX_OBJECTS`` objects. Nothing here touches the database.
"""

from __future__ import annotations

import enum
import warnings
from pathlib import Path

from flask_babel import gettext as _
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

MAX_OBJECTS = 500_000  # objects visited at most; a scanned 300-page decree has a few thousand


class Finding(enum.StrEnum):
    JAVASCRIPT = "javascript"
    LAUNCH = "launch"
    EMBEDDED_FILE = "embedded file"
    ENCRYPTED = "encrypted"
    UNREADABLE = "unreadable"


_JAVASCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})
_EMBEDDING_KEYS = frozenset({"/EmbeddedFiles", "/EF"})
_ACTIONS = {"/JavaScript": Finding.JAVASCRIPT, "/Launch": Finding.LAUNCH, "/GoToE": Finding.EMBEDDED_FILE}
_EMBEDDING_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia"})


def _name(obj: DictionaryObject, key: str) -> str:
    value = obj.get(key)  # the raw value: an indirect reference is followed here
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return value if isinstance(value, NameObject) else ""


def _in_dictionary(obj: DictionaryObject) -> Finding | None:
    keys = set(obj.keys())
    if keys & _JAVASCRIPT_KEYS:
        return Finding.JAVASCRIPT
    if keys & _EMBEDDING_KEYS:
        return Finding.EMBEDDED_FILE
    action = _ACTIONS.get(_name(obj, "/S"))
    if action is not None:
        return action
    if _name(obj, "/Type") in _EMBEDDING_TYPES or _name(obj, "/Subtype") in _EMBEDDING_TYPES:
        return Finding.EMBEDDED_FILE
    return None


def _walk(reader: PdfReader) -> Finding | None:
    """The first active content among the objects reachable from the trailer, depth first."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            return Finding.UNREADABLE
        if isinstance(obj, DictionaryObject):  # a stream's dictionary too (its data is never decoded here)
            if finding := _in_dictionary(obj):
                return finding
            stack.extend(value for key, value in obj.items() if key != "/Parent")  # pages point back up
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def inspect_pdf(path: Path) -> Finding | None:
    """What makes the PDF at ``path`` unacceptable, or None when it holds no active content."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about repairable defects; they are not reasons to refuse
        try:
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return Finding.ENCRYPTED
            return _walk(reader)
        except Exception:  # noqa: BLE001 - whatever pypdf cannot read, nobody can vouch for
            return Finding.UNREADABLE


def refusal_message(finding: Finding, shown_name: str) -> str:
    """Why a PDF is refused and what to do, for the uploader."""
    reprint = _("Print it to a new PDF (for example with “Save as PDF” or “Microsoft Print to PDF”) and upload that.")
    if finding is Finding.JAVASCRIPT:
        reason = _("“%(name)s” contains JavaScript (a program that runs when the PDF is opened).", name=shown_name)
    elif finding is Finding.LAUNCH:
        reason = _("“%(name)s” contains an action that starts another program or opens another file.", name=shown_name)
    elif finding is Finding.EMBEDDED_FILE:
        reason = _("“%(name)s” has other files embedded in it (attachments).", name=shown_name)
        reprint = _("Upload each document as a file of its own, and this one printed to a new PDF without them.")
    elif finding is Finding.ENCRYPTED:
        reason = _("“%(name)s” is protected by a password, so it could not be checked.", name=shown_name)
    else:
        reason = _("“%(name)s” could not be read as a PDF, so it could not be checked.", name=shown_name)
    return " ".join((reason, _("Pantau does not accept such documents."), reprint))
