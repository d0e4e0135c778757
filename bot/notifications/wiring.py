"""Building the outbox sender of a process, once its channels exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.notifications.outbox import OutboxSender
from office.outbound import NoticeComposer

if TYPE_CHECKING:
    from bot.runtime import Runtime


def build_outbox(runtime: Runtime) -> OutboxSender:
    """Return the sender of `runtime`'s outbox, delivering through `runtime.channels`."""
    composer = NoticeComposer(texts=runtime.bot_texts, campaign=runtime.campaign)
    return OutboxSender(database=runtime.database, composer=composer, channels=runtime.channels)
