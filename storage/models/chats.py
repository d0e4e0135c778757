"""Chats on a messaging channel linked to an applicant's grant or an officer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamped
from storage.enums import Channel


class LinkedChat(Timestamped, Base):
    __tablename__ = "linked_chats"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    chat_id: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(16), index=True)  # verified, E.164
    grant_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_grants.id", ondelete="SET NULL"), index=True
    )
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(2))
    blocked_at: Mapped[datetime | None]  # the user blocked the bot: sending fails
