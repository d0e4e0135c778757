"""The audit log: every officer action, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.enums import AuditFlag
from storage.models.officers import Officer


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))  # e.g. "grant.create", "officer.reset"
    flag: Mapped[AuditFlag] = mapped_column(Enum(AuditFlag, native_enum=False, length=8))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(32))
    object_repr: Mapped[str] = mapped_column(String(200))
    # [{"field": ..., "before": ..., "after": ...}]; secrets are never written here.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The district the object belongs to, so district coordinators can read their own log.
    district_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)

    actor: Mapped[Officer | None] = relationship(lazy="joined")
