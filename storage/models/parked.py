"""WhatsApp messages Twilio was told were received before their turn committed ("parked").

Twilio waits 15 s for the webhook's answer and does not post a message again once it was
answered 2xx. A turn that cannot commit in time (its chat still held by a replica that died,
a slow media download) is therefore stored here first, then answered: a row is a message
accepted and not yet applied. The turn that applies it deletes the row in its own
transaction; a process that dies first leaves the row, and the sweeper of a live process
(`bot.whatsapp.parking`) runs the message once the row's lease has run out.

The row holds what the turn needs to rebuild the message: the phone and the text, like the
draft they end up in. They are never logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ParkedMessage(Base):
    """One WhatsApp message accepted (Twilio answered 2xx) and not yet applied."""

    __tablename__ = "parked_messages"
    __table_args__ = (
        # A turn's question: the parked messages of its chat, oldest first.
        Index("ix_parked_messages_chat", "chat_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the order they were parked in
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    chat_id: Mapped[str] = mapped_column(String(64))  # "whatsapp:+996…"
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    body: Mapped[str] = mapped_column(Text)
    media: Mapped[list[Any]] = mapped_column(JSON)  # [[url, content type], …]
    is_location: Mapped[bool] = mapped_column(default=False)
    # When the process received it (its clock): parked messages run again in this order.
    received_at: Mapped[datetime]
    parked_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The process running the message, and until when: a process renews the leases of the
    # messages it runs; a lease that ran out is one whose process died. Set from Python in
    # UTC (SQLite keeps no time zone): compared with the sweeper's clock.
    lease_owner: Mapped[str] = mapped_column(String(32))
    lease_until: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC), index=True)
    attempts: Mapped[int] = mapped_column(default=0)  # runs begun after the process parking it
