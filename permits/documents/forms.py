"""The upload forms: a document added to a permit by an officer, and the helpers the investor's answer shares.

The forms only collect: the files' type, size and name are checked by ``permits.documents.uploads`` (the same
rules for every caller), which says what is wrong in plain words; the view puts that message beside the field.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from permits.documents.uploads import Upload, file_size, max_document_bytes


def uploads_of(files: list | None) -> list[Upload]:
    """The files the browser really sent (a file input left empty still sends a part with no name)."""
    return [Upload(f.filename, f.stream) for f in files or [] if f is not None and f.filename]


def size_rule() -> str:
    return _("PDF, PNG or JPEG, at most %(max)s each.", max=file_size(max_document_bytes()))


class DocumentForm(FlaskForm):
    """One document added to a permit by an officer or an administrator (prefixed: it shares the permit page)."""

    document = FileField(_l("Document"))
    note = StringField(
        _l("What is it?"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example: AMDAL decree, letter of the agency. The investor can see this and the file."),
    )
    submit = SubmitField(_l("Upload"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "doc")
        super().__init__(*args, **kwargs)
        self.document.flags.required = True
        self.document.description = size_rule()

    def uploads(self) -> list[Upload]:
        return uploads_of([self.document.data])
