"""The applicant's registration: the draft answers and where it stands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamped
from storage.enums import Channel, RegistrationStatus
from storage.models.grants import AccessGrant


class Registration(Timestamped, Base):
    """One per grant. `answers` maps a form field name to its accepted, normalized value."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        ForeignKey("access_grants.id", ondelete="RESTRICT"), unique=True
    )
    campaign_year: Mapped[int] = mapped_column(index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=16),
        default=RegistrationStatus.DRAFT,
        index=True,
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(2), default="ky")
    channel: Mapped[Channel | None] = mapped_column(Enum(Channel, native_enum=False, length=16))
    # Reason codes (and free text under "other") of the latest rejection.
    rejection_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    rejection_comment: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    filled_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    # Optimistic concurrency: bumped on every write of the answers.
    version: Mapped[int] = mapped_column(default=1)

    grant: Mapped[AccessGrant] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
