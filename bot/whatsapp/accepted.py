"""A WhatsApp message this process took on, and how far its turn got.

Shared by the two ways a message is run: the inbound path (`bot.whatsapp.channel`) and the
parked messages run again (`bot.whatsapp.parked_turns`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.whatsapp.inbound import InboundMessage
from bot.whatsapp.parking import parked_message
from storage.repositories.parked import Parked


@dataclass
class Accepted:
    """A message this process took on, and how far it got."""

    message: InboundMessage
    applied: asyncio.Future[None]  # resolved once the turn committed (Twilio's answer waits)
    # Storing the parked row: set once Twilio is answered before the commit.
    parking: asyncio.Future[None] | None = None
    attempts: int = 0  # claims of its parked row after the process that parked it
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    task: asyncio.Task[None] | None = None
    turn_started: bool = False
    committed: bool = False
    answered: bool = False
    outcome: str = "handled"

    @classmethod
    def parked(cls, parked: Parked, loop: asyncio.AbstractEventLoop) -> Accepted:
        """Return a parked message to run again: Twilio was answered, its row is stored."""
        applied: asyncio.Future[None] = loop.create_future()
        applied.cancel()  # nobody waits: Twilio was answered
        stored: asyncio.Future[None] = loop.create_future()
        stored.set_result(None)
        return cls(parked_message(parked), applied, stored, attempts=parked.attempts)
