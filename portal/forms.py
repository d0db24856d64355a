"""Upload forms: the investor's answer to a return for revision, and a document added by an officer.

The forms only collect: the files' type, size and name are checked by ``permits.documents.services`` (the same rules
for every caller), which says what is wrong in plain words; the view puts that message beside the field.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from permits.documents.services import MAX_FILES_PER_UPLOAD, NOTE_MAX_LENGTH
from permits.documents.uploads import Upload, file_size, max_document_bytes


def _uploads(files: list | None) -> list[Upload]:
    """The files the browser really sent (a file input left empty still sends a part with no name)."""
    return [Upload(f.filename, f.stream) for f in files or [] if f is not None and f.filename]


def _size_rule() -> str:
    return _("PDF, PNG or JPEG, at most %(max)s each.", max=file_size(max_document_bytes()))


class AnswerForm(FlaskForm):
    """The investor's revision: one or more documents and a message to the agency (both required)."""

    documents = MultipleFileField(_l("Revised documents"))
    note = TextAreaField(
        _l("Your message to the agency"),
        validators=[
            DataRequired(message=_l("Write a short message: what you changed, or what the documents are.")),
            Length(max=NOTE_MAX_LENGTH),
        ],
        description=_l("It goes into the permit's history with your documents, for the agency and DPMPTSP to read."),
        render_kw={"rows": 4},
    )
    version = HiddenField()
    submit = SubmitField(_l("Send the revision"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.documents.flags.required = True  # checked by the service, which says what is wrong with each file
        self.documents.description = " ".join(
            (_size_rule(), _("You can choose up to %(num)d files at once.", num=MAX_FILES_PER_UPLOAD))
        )

    def uploads(self) -> list[Upload]:
        return _uploads(self.documents.data)

    @property
    def expected_version(self) -> int | None:
        value = self.version.data or ""
        return int(value) if value.isdigit() else None


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
        self.document.description = _size_rule()

    def uploads(self) -> list[Upload]:
        return _uploads([self.document.data])
