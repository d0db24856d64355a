"""The files attached to a permit (``PermitDocument``); written only through ``permits.documents.services``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db
from app.models import User
from permits.models import Permit


class PermitDocument(db.Model):
    """A file attached to a permit by an officer, an administrator or the investor that owns the permit.

    The file lives under ``instance/documents/`` as ``stored_name`` (generated: a random hex name and the
    extension of the type detected from the content); ``original_name`` is the uploader's file name, cleaned,
    kept only to name the download and never used as a path. Written only through ``permits.documents.services``.
    """

    __tablename__ = "permit_document"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg')", name="content_type_allowed"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permit.id", ondelete="RESTRICT"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)

    permit: Mapped[Permit] = relationship()
    uploaded_by: Mapped[User] = relationship()

    @property
    def extension(self) -> str:
        """The extension of the detected type (``pdf``, ``png``, ``jpg``), from the generated name."""
        return self.stored_name.rsplit(".", 1)[-1]

    @property
    def download_name(self) -> str:
        """The original name, with the detected type's extension when the original had another one."""
        stem, dot, ext = self.original_name.rpartition(".")
        known = {"pdf": ("pdf",), "png": ("png",), "jpg": ("jpg", "jpeg", "jpe")}[self.extension]
        if dot and stem and ext.lower() in known:
            return self.original_name
        return f"{self.original_name}.{self.extension}"

    def __repr__(self) -> str:
        return f"<PermitDocument {self.id} permit={self.permit_id} {self.content_type}>"
