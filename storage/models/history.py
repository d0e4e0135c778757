"""What happened to a registration, in order: submitted, decided, paid (the entry's history)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.officers import Officer


class RegistrationEvent(Base):
    """One step in a registration's life; officers' steps are also in the audit log.

    `details` holds reason codes, a payment's receipt number and the like; never a PIN,
    passport number or photo.
    """

    __tablename__ = "registration_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    # e.g. "submitted", "resubmitted", "approved", "rejected", "payment_confirmed", "registered"
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    actor: Mapped[Officer | None] = relationship(lazy="joined")
