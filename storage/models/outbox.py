"""The outbox: every message the system sends on its own, stored before it is sent.

Two steps, each one row:

- `OutboxNotice`: a notice (`flows.notifications`), written in the very transaction that
  decided it, so a rolled-back decision tells nobody and a committed one is always told. It
  holds the notice's ids only, never a text.
- `OutboxMessage`: one message for one chat, written when the sender expands a notice into its
  recipients. It is what is claimed, retried and marked sent or failed, one chat in order.
  A notice's message holds the notice again (its text is composed when it is sent, in the
  recipient's language then); a turn reply handed over after a failed send holds the reply
  itself, cleared once it is sent or given up.

A chat with a handed-over reply still kept (`reply IS NOT NULL`: not yet sent, failed or
dropped) has its later turn replies handed over too, behind it (`bot.reply_order`): the turn
reads that fact in its one statement (`storage.repositories.turn_rows`), through the partial
index `ix_outbox_messages_handed_over`, which holds only such rows (usually none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import Channel

PENDING = "pending"
SENT = "sent"
FAILED = "failed"  # permanently: the reason is in `error`
DROPPED = "dropped"  # nothing to say any more when its turn came (an entry decided meanwhile)


class OutboxNotice(Base):
    """A notice committed and not yet expanded into the messages of its recipients."""

    __tablename__ = "outbox_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OutboxMessage(Base):
    """One message to one chat, sent by the outbox sender."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The sender's question: the oldest pending message of each chat.
        Index("ix_outbox_messages_status_chat", "status", "channel", "chat_id", "id"),
        # The turn's question: does this chat have a handed-over reply not yet done?
        Index(
            "ix_outbox_messages_handed_over",
            "channel",
            "chat_id",
            postgresql_where=text("reply IS NOT NULL"),
            sqlite_where=text("reply IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    chat_id: Mapped[str] = mapped_column(String(64))
    # Unique per logical message and chat: a notice expanded twice makes no second message,
    # and WhatsApp's channel_messages reservation uses it as Twilio's idempotency key.
    key: Mapped[str] = mapped_column(String(128), unique=True)
    notice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A handed-over turn reply. None is stored as SQL NULL (not JSON 'null'): the partial
    # index above and the turn's EXISTS test `reply IS NOT NULL`.
    reply: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    parts_sent: Mapped[int] = mapped_column(default=0)  # photos already sent before the text
    # Not sent before this time: a retry's wait, or the lease of the sender that claimed it.
    # Set from Python in UTC (SQLite keeps no time zone): compared with the sender's clock.
    not_before: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC), index=True)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[datetime | None]
