"""Uploaded photos of documents and of the face."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import DocumentKind


class Document(Base):
    """A stored file; `replaced_at` marks an upload superseded by a newer one of the same kind."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_registration_kind", "registration_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, native_enum=False, length=24))
    benefit_code: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))  # content address in the file store
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    check_results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    replaced_at: Mapped[datetime | None]
