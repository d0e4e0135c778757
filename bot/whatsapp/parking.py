"""Parked WhatsApp messages: stored before Twilio is answered early, run again after a crash.

Twilio is answered once a message's turn has committed, but never later than `ANSWER_WITHIN`
(`bot.whatsapp.channel`): Twilio gives up on the webhook after 15 s. A message answered before
its commit is parked first (`storage.models.parked`), in a short transaction of its own; only
then is Twilio answered. The turn that applies it deletes the row in its own transaction.

A process killed before that commit leaves the row behind, leased to it. A live process renews
the leases of the messages it runs every `RENEW_SECONDS`, so a lease that ran out
(`PARK_LEASE`) names a dead process. Every process sweeps at start and every `SWEEP_SECONDS`:
for each chat with rows whose lease ran out it takes the chat's hold, claims them there and
runs them as turns again, through the channel's usual path (the runner, the replies;
`bot.whatsapp.parked_turns`). A later message of such a chat does the same under its own hold
before its own turn. A message
claimed more than `MAX_ATTEMPTS` times (each of its processes died while running it) is given
up: the applicant is asked to send it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.whatsapp.inbound import InboundMessage, MediaItem
from storage.database import Database
from storage.repositories.parked import (
    Parked,
    claim_expired,
    due_chats,
    leased_elsewhere,
    park,
    parked_chats,
    renew,
    unpark,
)

log = logging.getLogger(__name__)

# A process that has not renewed its lease for this long is taken for dead. Short: a later
# message of the chat waits (holding the chat) up to this long for a parked one of a process
# that may be dead, and the chat's hold itself expires after 45 s.
PARK_LEASE = 20.0
RENEW_SECONDS = 5.0  # well inside the lease: two renewals may be late
SWEEP_SECONDS = 15.0  # rows of dead processes are claimed this often (and at start)
MAX_ATTEMPTS = 3  # claims after the parking process: each was a process dying with it
BATCH = 50  # rows claimed per sweep
POLL_SECONDS = 1.0  # while a later message waits for a parked one leased elsewhere


def parked_message(parked: Parked) -> InboundMessage:
    """Return the inbound message a parked row was stored from."""
    return InboundMessage(
        message_sid=parked.message_sid,
        chat_id=parked.chat_id,
        phone=parked.phone,
        body=parked.body,
        media=tuple(MediaItem(url, kind) for url, kind in parked.media),
        is_location=parked.is_location,
    )


class Parking:
    """The parked messages of one process: stored, leased, renewed, claimed and removed."""

    def __init__(
        self,
        database: Database,
        *,
        owner: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self.owner = owner  # this process, as the rows' lease names it
        self._clock = clock
        self._running: set[str] = set()  # MessageSids leased here whose turn has not ended
        # Chats with parked messages, as the last sweep found them (None: not swept yet).
        # A message of another chat does not look for parked ones: no query on the hot path.
        self._chats: set[str] | None = None

    def _lease_until(self) -> datetime:
        return self._clock() + timedelta(seconds=PARK_LEASE)

    async def park(self, message: InboundMessage, *, received_at: datetime) -> None:
        """Store `message` as accepted and not yet applied, leased to this process.

        Raises when it could not be stored (Twilio must then not be answered 2xx).
        """
        async with self._database.session() as session:
            await park(
                session,
                message_sid=message.message_sid,
                chat_id=message.chat_id,
                phone=message.phone,
                body=message.body,
                media=[(item.url, item.content_type) for item in message.media],
                is_location=message.is_location,
                received_at=received_at,
                owner=self.owner,
                lease_until=self._lease_until(),
            )
        self._running.add(message.message_sid)
        if self._chats is not None:
            self._chats.add(message.chat_id)

    def removal(self, message_sid: str) -> Callable[[AsyncSession], Awaitable[None]]:
        """Return what deletes the parked row of `message_sid` in the turn's own transaction."""

        async def remove(session: AsyncSession) -> None:
            await unpark(session, message_sid)

        return remove

    async def remove(self, message_sid: str) -> bool:
        """Delete the parked row of `message_sid` now; False when the database refused."""
        try:
            async with self._database.session() as session:
                await unpark(session, message_sid)
        except Exception as exc:  # noqa: BLE001 - a later sweep claims it again
            log.warning(
                "WhatsApp parked message %s not removed: %s", message_sid, type(exc).__name__
            )
            return False
        return True

    def finished(self, message_sid: str) -> None:
        """Stop renewing the lease of `message_sid`: its turn ended here."""
        self._running.discard(message_sid)

    async def may_have(self, chat_id: str) -> bool:
        """Whether the chat may have parked messages (as of the last sweep, or this process's)."""
        if self._chats is None:
            async with self._database.session() as session:
                self._chats = await parked_chats(session)
        return chat_id in self._chats

    async def due_chats(self) -> list[str]:
        """Return the chats with parked messages of dead processes (and note every parked chat)."""
        async with self._database.session() as session:
            chats = await due_chats(session, now=self._clock(), limit=BATCH)
            self._chats = await parked_chats(session)
        return chats

    async def claim(self, chat_id: str, *, wait: bool) -> list[Parked]:
        """Lease to this process the chat's parked messages of dead processes, oldest first.

        Called holding the chat, so that they run before anything else of it. With `wait` (a
        later message of the chat holds it), a parked message leased by another process is
        waited for up to its lease: once it runs out, that process died, and the message is
        claimed here and goes first. A process still renewing it is alive and waits for this
        chat's hold itself: after the lease the later message goes first.
        """
        deadline = self._clock() + timedelta(seconds=PARK_LEASE + RENEW_SECONDS)
        while wait and self._clock() < deadline:
            async with self._database.session() as session:
                elsewhere = await leased_elsewhere(
                    session, chat_id, owner=self.owner, now=self._clock()
                )
            if not elsewhere:
                break
            await asyncio.sleep(POLL_SECONDS)
        now = self._clock()
        async with self._database.session() as session:
            claimed = await claim_expired(
                session,
                owner=self.owner,
                now=now,
                lease_until=now + timedelta(seconds=PARK_LEASE),
                limit=BATCH,
                chat_id=chat_id,
            )
        self._running.update(parked.message_sid for parked in claimed)
        return claimed

    async def renew(self) -> None:
        """Keep the leases of the messages this process is still running."""
        if self._running:
            async with self._database.session() as session:
                await renew(
                    session,
                    owner=self.owner,
                    message_sids=set(self._running),
                    lease_until=self._lease_until(),
                )


class Sweeper:
    """Renews this process's leases and hands the chats with rows of dead processes on.

    It claims nothing itself: `replay` takes the chat's hold and claims them there, as a
    later message of the chat does, so they run before anything else of the chat.
    """

    def __init__(self, parking: Parking, replay: Callable[[str], None]) -> None:
        self._parking = parking
        self._replay = replay
        self._task: asyncio.Task[None] | None = None
        self._sweeping = True

    async def sweep(self) -> int:
        """Hand each chat with parked messages of dead processes to `replay`; return how many."""
        chats = await self._parking.due_chats()
        for chat_id in chats:
            self._replay(chat_id)
        return len(chats)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    def stop_sweeping(self) -> None:
        """Take no more chats over; keep renewing this process's leases until `stop`."""
        self._sweeping = False

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        since_sweep = SWEEP_SECONDS  # at start
        while True:
            try:
                await self._parking.renew()
                if self._sweeping and since_sweep >= SWEEP_SECONDS:
                    since_sweep = 0.0
                    await self.sweep()
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while
                log.error("WhatsApp parked messages: sweep failed: %s", type(exc).__name__)
            await asyncio.sleep(RENEW_SECONDS)
            since_sweep += RENEW_SECONDS
