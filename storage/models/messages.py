"""Messages exchanged with a messaging provider (Twilio WhatsApp), for delivery bookkeeping.

One row per provider message: inbound rows make a redelivered webhook a no-op even after a
restart; outbound rows are written *before* sending under an idempotency key, so a retry never
sends twice, and later carry the provider's status (failed and undelivered ones, with the error
code, are what officers look at). Bodies are never stored: replies carry passport numbers,
PINs and passwords.
"""

from __future__ import annotations

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamped
from storage.enums import Channel, MessageDirection


class ChannelMessage(Timestamped, Base):
    __tablename__ = "channel_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    direction: Mapped[MessageDirection] = mapped_column(
        Enum(MessageDirection, native_enum=False, length=8)
    )
    # Inbound: "in:<MessageSid>"; outbound: chosen by the sender per logical message.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    # What the message is for: "inbound", "reply", "credentials", "notification".
    purpose: Mapped[str] = mapped_column(String(32))
    template_sid: Mapped[str | None] = mapped_column(String(64))  # Content template, if any
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)  # MessageSid
    # Twilio's vocabulary (queued, sent, delivered, read, failed, undelivered, received) plus
    # ours: "reserved" (recorded, not yet accepted) and "unknown" (timed out: maybe sent).
    status: Mapped[str] = mapped_column(String(20), index=True)
    error_code: Mapped[int | None]  # Twilio error code, e.g. 63016 (outside the 24-hour window)
    attempts: Mapped[int] = mapped_column(default=0)
