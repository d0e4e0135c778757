"""Officer accounts of the web and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamped
from storage.enums import Role
from storage.models.geography import District, School, search_default


class Officer(Timestamped, Base):
    """A person who logs into the web: central admin, district or school coordinator."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    phone: Mapped[str] = mapped_column(String(16), unique=True)  # E.164, the login
    full_name: Mapped[str] = mapped_column(String(200))
    full_name_search: Mapped[str] = mapped_column(String(200), default=search_default("full_name"))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="RESTRICT"), index=True
    )
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    # The initial password, encrypted with SECRET_KEY, kept only until the owner changes it,
    # so that the export can show it to whoever hands it over.
    initial_password_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(2), default="ky")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    password_changed_at: Mapped[datetime | None]

    district: Mapped[District | None] = relationship(lazy="joined")
    school: Mapped[School | None] = relationship(lazy="joined")


class WebSession(Base):
    """A logged-in browser; the cookie holds only the random token, never the officer id."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
