"""The investor's answer to a return for revision: documents and a message (checked by
``permits.documents.uploads``, like every upload)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.conflicts import VersionField
from permits.documents.forms import size_rule, uploads_of
from permits.documents.services import MAX_FILES_PER_UPLOAD, NOTE_MAX_LENGTH
from permits.documents.uploads import Upload


class AnswerForm(FlaskForm):
    """The investor's revision: one or more documents and a message to the agency (both required)."""

    # Its own id: the page has a "documents" section too (ids must be unique).
    documents = MultipleFileField(_l("Revised documents"), id="answer-documents")
    note = TextAreaField(
        _l("Your message to the agency"),
        validators=[
            DataRequired(message=_l("Write a short message: what you changed, or what the documents are.")),
            Length(max=NOTE_MAX_LENGTH),
        ],
        description=_l("It goes into the permit's history with your documents, for the agency and DPMPTSP to read."),
        render_kw={"rows": 4},
    )
    version = VersionField()
    submit = SubmitField(_l("Send the revision"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.documents.flags.required = True  # checked by the service, which says what is wrong with each file
        self.documents.description = " ".join(
            (size_rule(), _("You can choose up to %(num)d files at once.", num=MAX_FILES_PER_UPLOAD))
        )

    def uploads(self) -> list[Upload]:
        return uploads_of(self.documents.data)

    @property
    def expected_version(self) -> int:
        return self.version.data
