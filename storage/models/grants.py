"""Access grants: an officer lets one phone register for one campaign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamped
from storage.enums import GrantKind
from storage.models.geography import District, School, search_default
from storage.models.officers import Officer


class AccessGrant(Timestamped, Base):
    __tablename__ = "access_grants"
    __table_args__ = (
        UniqueConstraint("campaign_year", "phone"),
        Index("ix_access_grants_scope", "campaign_year", "district_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_year: Mapped[int]
    kind: Mapped[GrantKind] = mapped_column(Enum(GrantKind, native_enum=False, length=16))
    phone: Mapped[str] = mapped_column(String(16))  # E.164: the applicant's login
    full_name: Mapped[str] = mapped_column(String(200))
    full_name_search: Mapped[str] = mapped_column(String(200), default=search_default("full_name"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    # The district that owns the grant: the school's, or the coordinator's for code 9999.
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    checks: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="RESTRICT"))
    # One-time access code: looked up by keyed hash, shown in exports from the encrypted copy.
    access_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_code_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    access_code_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The applicant wrote «STOP»: no reminder or announcement until they write «START».
    reminders_stopped_at: Mapped[datetime | None]

    school: Mapped[School] = relationship(lazy="joined")
    district: Mapped[District] = relationship(lazy="joined")
    granted_by: Mapped[Officer] = relationship(lazy="joined")
