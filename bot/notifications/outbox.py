"""The outbox sender: sends every stored message the system sends on its own, once, in order.

The notices are stored by the transaction that decided them (`flows.notifications`); after
the commit the publisher wakes this sender, which then, in rounds:

1. expands the stored notices: each becomes one `OutboxMessage` per recipient chat (its key
   unique per notice and chat), written in the transaction that deletes the notice;
2. claims the due messages that are the oldest pending one of their chat (a lease: see
   `storage.repositories.outbox`), and delivers each through its channel
   (`bot.channel.MessagingChannel.deliver`), chats side by side, each chat in order;
3. records the outcome right after the provider answered: sent; failed for good (with the
   reason, and the chat marked when it cannot be reached); or due again after the provider's
   `retry_after`, else after an exponential backoff capped at `MAX_BACKOFF`.

A notice's text is composed when it is sent (`office.outbound.NoticeComposer`), in the
recipient's language then and from the entry as it is then: the rows hold ids, never the
applicant's answers. A message with nothing to say any more (a review prompt for an entry
decided meanwhile, a chat that blocked the bot) is dropped. A message to a chat on a channel
this process does not run is stored as failed (`channel_off`): officers see who was not told.
A notice whose text cannot be composed (its data is broken: the composer raises) fails for good
with `not_composed`, when it is expanded (one failed row per chat it was for,
`office.outbound.notice_recipients`) or when it is sent; either way officers see who was not
told, and the chat's later messages go on.

Exactly once per message key: a message is marked sent in the transaction right after the
provider accepted it. A process killed between that acceptance and the mark leaves the row
pending; after the lease it is sent again. On WhatsApp that second send is refused by the
key's `channel_messages` reservation (Twilio is never asked twice); on Telegram, which has no
idempotency key, the message arrives twice: that window (the Bot API's answer to the UPDATE,
a few milliseconds) and a timed-out call are where Telegram is at least once.

Composing and delivering one message is cut off at `SEND_TIMEOUT`, well within the lease; a
sender that lost its lease all the same (a stalled process) records nothing: the sender that
claimed the row after it owns the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel import DeliveryResult, MessagingChannel, Outcome
from flows.notifications import AnnouncementNotice, Notice, notice_from_json
from flows.replies import Option, Reply
from office.announcements import record_delivery
from office.outbound import NoticeComposer, Outbound, notice_recipients
from storage.database import Database
from storage.enums import Channel
from storage.models.outbox import DROPPED, FAILED, PENDING, SENT, OutboxMessage
from storage.repositories.outbox import (
    add_message,
    claim_due,
    claim_notices,
    forget_notices,
    mark_unreachable,
    next_due,
    settle,
)

log = logging.getLogger(__name__)

BATCH = 50  # messages claimed per round: one per chat, sent side by side
LEASE = timedelta(seconds=120)  # longer than any one delivery (a prompt with its photos)
SEND_TIMEOUT = 60.0  # composing and delivering one message: given up (and retried) after
CHANNEL_OFF = "channel_off"  # the reason of a message to a channel this process does not run
NOT_COMPOSED = "not_composed"  # the reason of a notice whose text could not be composed
# What composing raises on broken data (an entry's answers of the wrong shape, a row gone):
# the notice can never be composed, so it fails at once instead of blocking its chat.
UNCOMPOSABLE = (LookupError, TypeError, ValueError, AttributeError)
POLL_SECONDS = 5.0  # other replicas' notices and retries falling due are found this often
BASE_BACKOFF = 2.0
MAX_BACKOFF = 300.0
MAX_ATTEMPTS = 30  # about two hours of a provider's outage at the capped backoff
STOP_GRACE = 10.0
MIN_WAIT = 0.05  # between rounds that found nothing: never a busy loop on the database


def reply_to_json(reply: Reply, language: str) -> dict[str, Any]:
    """Return `reply` as the JSON object a handed-over message keeps until it is sent."""
    return {
        "text": reply.text,
        "options": [[o.id, o.label, o.selected, o.finishes, o.fixed] for o in reply.options],
        "multi": reply.multi,
        "request_contact": reply.request_contact,
        "language": language,
    }


def reply_from_json(data: dict[str, Any]) -> Reply:
    """Return the reply a handed-over message keeps (see `reply_to_json`)."""
    options = tuple(Option(*fields) for fields in data.get("options") or [])
    return Reply(
        str(data["text"]),
        options,
        multi=bool(data.get("multi")),
        request_contact=bool(data.get("request_contact")),
    )


class OutboxSender:
    """Sends the outbox's messages through the process's channels (a `NoticePublisher`)."""

    def __init__(
        self,
        *,
        database: Database,
        composer: NoticeComposer,
        channels: Mapping[Channel, MessagingChannel] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_seconds: float = POLL_SECONDS,
        lease: timedelta = LEASE,
        backoff: float = BASE_BACKOFF,
        batch: int = BATCH,
    ) -> None:
        self.channels: Mapping[Channel, MessagingChannel] = {} if channels is None else channels
        self._database = database
        self._composer = composer
        self._clock = clock
        self._poll = poll_seconds
        self._lease = lease
        self.backoff = backoff  # the first wait after a 5xx or a network failure, doubling
        self.batch = batch  # messages claimed (and sent side by side) per round
        self._wake = asyncio.Event()
        self._round = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # --- the publisher's side -----------------------------------------------------------

    async def publish(self, notices: Sequence[Notice]) -> None:
        """Send the stored, committed `notices` now rather than at the next poll."""
        if notices:
            self.wake()

    def wake(self) -> None:
        self._wake.set()

    async def hand_over(
        self, channel: Channel, chat_id: str, replies: Sequence[Reply], *, key: str, language: str
    ) -> None:
        """Store a turn's replies its channel could not send (429/5xx to the end), in order.

        Also a later turn's replies while the chat still has such replies here: stored behind
        them, never sent ahead (`bot.reply_order`). Written in a short transaction of its own,
        after the turn's: the outbox then sends them with the chat's other stored messages, in
        order, honouring the provider's wait.
        """
        async with self._database.session() as session:
            for n, reply in enumerate(replies):
                await add_message(
                    session,
                    channel=channel,
                    chat_id=chat_id,
                    key=f"{key}:{n}:later",
                    reply=reply_to_json(reply, language),
                )
        self.wake()

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        """Send in the background until `stop` (what was due before a restart goes first)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run())

    async def stop(self, *, grace: float = STOP_GRACE) -> None:
        """Stop sending: the round in progress may finish within `grace` seconds.

        A round cut short leaves its messages leased; they are sent after the lease.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=grace)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.send_due()
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while
                log.error("outbox round failed: %s", type(exc).__name__)
                handled = 0
            if handled or self._stopping:
                continue
            self._wake.clear()
            wait = await self._until_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _until_due(self) -> float:
        try:
            async with self._database.session() as session:
                due = await next_due(session)
        except Exception:  # noqa: BLE001 - polled again below
            return self._poll
        if due is None:
            return self._poll
        return min(self._poll, max(MIN_WAIT, (due - self._clock()).total_seconds()))

    async def drain(self, *, within: float = 0.0) -> None:
        """Send every message due now; wait for retries due within `within` seconds too.

        Returns when nothing is pending, or the next pending message falls due later than
        `within` seconds from the call (tests, and a process stopping).
        """
        deadline = self._clock() + timedelta(seconds=within)
        while True:
            if await self.send_due():
                continue
            async with self._database.session() as session:
                due = await next_due(session)
            if due is None or due > deadline:
                return
            await asyncio.sleep(max(0.01, (due - self._clock()).total_seconds()))

    async def send_due(self) -> int:
        """Run one round: expand the stored notices, send the due messages; return how many."""
        async with self._round:
            expanded = await self._expand()
            now = self._clock()
            async with self._database.session() as session:
                rows = await claim_due(
                    session, now=now, lease_until=now + self._lease, limit=self.batch
                )
            await asyncio.gather(*(self._send(row) for row in rows))
            return expanded + len(rows)

    # --- the steps ----------------------------------------------------------------------

    async def _expand(self) -> int:
        async with self._database.session() as session:
            stored = await claim_notices(session, limit=BATCH)
            for row in stored:
                try:
                    notice = notice_from_json(row.notice)
                except UNCOMPOSABLE as exc:
                    # Unreadable: whom it was for is unknown. Kept, it would block every later one.
                    log.error("outbox notice %s dropped: %s", row.id, type(exc).__name__)
                    continue
                try:
                    messages = await self._composer.compose(session, notice)
                except UNCOMPOSABLE as exc:
                    log.error("outbox notice %s not composed: %s", row.id, type(exc).__name__)
                    await self._not_composed(session, row.notice, notice)
                    continue
                for message in messages:
                    # A chat on a channel this process does not run is stored as failed, so
                    # officers see who was not told (never dropped without a trace).
                    await add_message(
                        session,
                        channel=message.channel,
                        chat_id=message.chat_id,
                        key=message.key,
                        notice=row.notice,
                        failed=None if message.channel in self.channels else CHANNEL_OFF,
                    )
                if isinstance(notice, AnnouncementNotice) and not any(
                    m.channel in self.channels for m in messages
                ):
                    await record_delivery(session, notice, False)
            await forget_notices(session, [row.id for row in stored])
        return len(stored)

    async def _not_composed(
        self, session: AsyncSession, stored: dict[str, Any], notice: Notice
    ) -> None:
        """Record `notice` as failed on each chat it was for: officers see who was not told."""
        try:
            chats = await notice_recipients(session, notice)
        except UNCOMPOSABLE as exc:
            log.error("outbox notice: its recipients not found either: %s", type(exc).__name__)
            chats = []
        # Keys of their own: the composed keys need the data that could not be read.
        key = f"not_composed:{uuid.uuid4().hex}"
        for n, (channel, chat_id) in enumerate(chats):
            await add_message(
                session,
                channel=channel,
                chat_id=chat_id,
                key=f"{key}:{n}",
                notice=stored,
                failed=NOT_COMPOSED,
            )
        if isinstance(notice, AnnouncementNotice):
            await record_delivery(session, notice, False)

    async def _send(self, row: OutboxMessage) -> None:
        try:
            await self._send_one(row)
        except Exception as exc:  # noqa: BLE001 - one message must not stop the others
            log.error("outbox message %s: %s", row.id, type(exc).__name__)
            with contextlib.suppress(Exception):
                await self._record(row, DeliveryResult.retry(row.parts_sent, "error"))

    async def _send_one(self, row: OutboxMessage) -> None:
        channel = self.channels.get(row.channel)
        if channel is None:
            await self._record(row, DeliveryResult.failed(row.parts_sent, CHANNEL_OFF))
            return
        try:
            # Composing is inside the time limit too: the whole send ends well within the
            # lease, so no other sender claims the row while this one may still send it.
            result = await asyncio.wait_for(self._compose_and_deliver(row, channel), SEND_TIMEOUT)
        except TimeoutError:
            result = DeliveryResult.retry(row.parts_sent, "timeout")
        if result is None:
            async with self._database.session() as session:
                if await settle(
                    session, row.id, status=DROPPED, parts_sent=row.parts_sent, attempt=row.attempts
                ):
                    await self._announcement(session, row, sent=False)
            return
        await self._record(row, result)

    async def _compose_and_deliver(
        self, row: OutboxMessage, channel: MessagingChannel
    ) -> DeliveryResult | None:
        """Send `row` through `channel`; None when there is nothing to say any more."""
        try:
            message = await self._message(row)
        except UNCOMPOSABLE as exc:
            # Its data broke since it was expanded: it never will be composed. Failed at once,
            # so the chat's later messages are not held behind its retries.
            log.error("outbox message %s not composed: %s", row.id, type(exc).__name__)
            return DeliveryResult.failed(row.parts_sent, NOT_COMPOSED)
        if message is None:
            return None
        return await channel.deliver(message, parts_sent=row.parts_sent)

    async def _message(self, row: OutboxMessage) -> Outbound | None:
        """Return what to send for `row` now, or None when there is nothing to say any more."""
        if row.reply is not None:
            return Outbound(
                row.channel,
                row.chat_id,
                None,
                str(row.reply.get("language") or "ky"),
                reply_from_json(row.reply),
                row.key,
            )
        if row.notice is None:
            return None
        async with self._database.session() as session:
            messages = await self._composer.compose(session, notice_from_json(row.notice))
        for message in messages:
            if message.channel == row.channel and message.chat_id == row.chat_id:
                # The key of the row: composed later, the entry's version may have moved on.
                return Outbound(
                    message.channel,
                    message.chat_id,
                    message.phone,
                    message.language,
                    message.reply,
                    row.key,
                    message.photos,
                    message.detail_path,
                )
        return None

    async def _record(self, row: OutboxMessage, result: DeliveryResult) -> None:
        now = self._clock()
        async with self._database.session() as session:
            if result.outcome is Outcome.SENT:
                if await settle(
                    session,
                    row.id,
                    status=SENT,
                    parts_sent=result.parts_sent,
                    at=now,
                    attempt=row.attempts,
                ):
                    await self._announcement(session, row, sent=True)
                else:
                    self._lost_lease(row)
                return
            if result.outcome is Outcome.RETRY and row.attempts < MAX_ATTEMPTS:
                wait = result.retry_after
                if wait is None:
                    wait = min(self.backoff * 2 ** (row.attempts - 1), MAX_BACKOFF)
                log.info("outbox message %s waits %.0f s (%s)", row.id, wait, result.reason)
                if not await settle(
                    session,
                    row.id,
                    status=PENDING,
                    parts_sent=result.parts_sent,
                    not_before=now + timedelta(seconds=wait),
                    error=result.reason,
                    attempt=row.attempts,
                ):
                    self._lost_lease(row)
                return
            reason = result.reason if result.outcome is Outcome.FAILED else "gave_up"
            log.warning("outbox message %s failed: %s", row.id, reason)
            if not await settle(
                session,
                row.id,
                status=FAILED,
                parts_sent=result.parts_sent,
                error=reason,
                at=now,
                attempt=row.attempts,
            ):
                self._lost_lease(row)
                return
            if result.unreachable:
                await mark_unreachable(session, row.channel, row.chat_id, at=now)
            await self._announcement(session, row, sent=False)

    @staticmethod
    def _lost_lease(row: OutboxMessage) -> None:
        # Its lease ran out mid-send and another sender claimed it: that one records it.
        log.warning("outbox message %s: lease lost while sending; not recorded", row.id)

    @staticmethod
    async def _announcement(session: AsyncSession, row: OutboxMessage, *, sent: bool) -> None:
        # The announcement's page shows what became of each recipient's message.
        if row.notice is not None and row.notice.get("type") == AnnouncementNotice.__name__:
            notice = notice_from_json(row.notice)
            assert isinstance(notice, AnnouncementNotice)  # noqa: S101 - by its type tag
            await record_delivery(session, notice, sent)
