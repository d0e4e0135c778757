"""Announcements officers send to the applicants of their scope, and who each went to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import Channel


class Announcement(Base):
    """One announcement: its texts, whom it was for, and who sent it."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_year: Mapped[int] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    # The author's patch when sending (None: everyone), so coordinators see their own.
    district_id: Mapped[int | None] = mapped_column(index=True)
    school_id: Mapped[int | None]
    statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    text_ky: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AnnouncementRecipient(Base):
    """One applicant an announcement went to; `status` is what became of the message."""

    __tablename__ = "announcement_recipients"
    __table_args__ = (UniqueConstraint("announcement_id", "grant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    grant_id: Mapped[int] = mapped_column(ForeignKey("access_grants.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    # "queued", then "sent" (the channel took it) or "failed" (it refused it). Whether a
    # WhatsApp message was then delivered is Twilio's status callback on its outbox row.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # The idempotency key of the message (`AnnouncementNotice.key`): on WhatsApp, the
    # `channel_messages.idempotency_key` whose status callbacks tell delivered or failed.
    message_key: Mapped[str | None] = mapped_column(String(128), index=True)
