"""A sender whose lease ran out while it was still sending records nothing over the next one.

The attempt count a claim returns is the lease's token: a late answer (sent, retry, failed)
from the first sender must not put back, fail or re-count a message the second sender owns.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.channel import DeliveryResult, MessagingChannel
from bot.notifications.outbox import OutboxSender
from flows.replies import Reply
from office.outbound import Outbound
from storage.database import Database
from storage.enums import Channel
from storage.models.outbox import FAILED, PENDING, SENT, OutboxMessage
from storage.repositories.outbox import add_message, claim_due, settle


async def test_a_claim_that_lost_its_lease_cannot_settle_the_message(database: Database):
    async with database.session() as s:
        await add_message(s, channel=Channel.TELEGRAM, chat_id="1", key="k")
    now = datetime.now(UTC) + timedelta(seconds=1)
    async with database.session() as s:
        [first] = await claim_due(s, now=now, lease_until=now + timedelta(seconds=5), limit=5)
    later = now + timedelta(seconds=10)  # the first lease is over: another sender claims it
    async with database.session() as s:
        [second] = await claim_due(s, now=later, lease_until=later + timedelta(minutes=2), limit=5)
    assert (first.attempts, second.attempts) == (1, 2)
    async with database.session() as s:
        retried = await settle(
            s, first.id, status=PENDING, parts_sent=0, not_before=now, attempt=first.attempts
        )
    assert not retried
    async with database.session() as s:
        assert await claim_due(s, now=later, lease_until=later, limit=5) == []  # still leased
        assert await settle(s, second.id, status=SENT, parts_sent=1, attempt=second.attempts)
    async with database.session() as s:
        late = await settle(
            s, first.id, status=FAILED, parts_sent=0, error="x", attempt=first.attempts
        )
        row = await s.scalar(select(OutboxMessage))
    assert not late and (row.status, row.error) == (SENT, None)


class SlowThenFastChannel(MessagingChannel):
    """Telegram as two replicas see it: the first send hangs, then answers 5xx; others go."""

    name = Channel.TELEGRAM

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.hanging = asyncio.Event()
        self.release = asyncio.Event()

    def mount(self, app) -> None:  # type: ignore[no-untyped-def]  # noqa: ANN001
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        self.delivered.append(message.reply.text)
        if len(self.delivered) == 1:
            self.hanging.set()
            await self.release.wait()
            return DeliveryResult.retry(parts_sent, "telegram:5xx")
        return DeliveryResult.sent(1)


async def test_a_late_retry_from_a_sender_whose_lease_ran_out_does_not_send_it_again(
    database: Database,
):
    channel = SlowThenFastChannel()

    def sender(lease: timedelta) -> OutboxSender:
        return OutboxSender(
            database=database,
            composer=None,  # type: ignore[arg-type]  # a handed-over reply needs no composing
            channels={Channel.TELEGRAM: channel},
            lease=lease,
            backoff=0.01,
        )

    first, second = sender(timedelta(milliseconds=300)), sender(timedelta(minutes=2))
    await first.hand_over(Channel.TELEGRAM, "7", [Reply("Салам")], key="reply:1", language="ky")
    stuck = asyncio.create_task(first.send_due())
    await channel.hanging.wait()
    await asyncio.sleep(0.4)  # the first sender's lease runs out while it still waits
    assert await second.send_due() == 1  # the second replica sends it
    channel.release.set()  # the first one's call now answers 5xx: it must not retry the row
    await stuck
    await first.drain(within=0.5)
    await second.drain(within=0.5)
    async with database.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert (row.status, row.attempts) == (SENT, 2)
    assert channel.delivered == ["Салам", "Салам"]  # the unknown first call and the sent one


class HangingOnceChannel(SlowThenFastChannel):
    """The first send never answers (the process is stopping); later ones go."""

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        self.delivered.append(message.reply.text)
        if len(self.delivered) == 1:
            self.hanging.set()
            await asyncio.Event().wait()
        return DeliveryResult.sent(1)


async def test_a_message_in_flight_at_shutdown_is_left_to_its_lease_and_sent_after_it(
    database: Database,
):
    channel = HangingOnceChannel()
    lease = timedelta(milliseconds=300)
    stopping = OutboxSender(
        database=database,
        composer=None,  # type: ignore[arg-type]  # a handed-over reply needs no composing
        channels={Channel.TELEGRAM: channel},
        lease=lease,
    )
    await stopping.hand_over(Channel.TELEGRAM, "7", [Reply("Салам")], key="reply:2", language="ru")
    stopping.start()
    await channel.hanging.wait()
    await stopping.stop(grace=0.05)  # the round is cut short mid-send
    async with database.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert (row.status, row.attempts) == (PENDING, 1)  # leased, not lost, not finished
    restarted = OutboxSender(
        database=database,
        composer=None,  # type: ignore[arg-type]
        channels={Channel.TELEGRAM: channel},
        lease=lease,
    )
    await restarted.drain(within=1.0)  # waits for the lease to end, then sends it
    async with database.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert (row.status, row.attempts, row.reply) == (SENT, 2, None)
    assert channel.delivered == ["Салам", "Салам"]
