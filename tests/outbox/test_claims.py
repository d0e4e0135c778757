"""Claiming the outbox's messages: at most the batch, the oldest pending one of each chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.enums import Channel
from storage.models.outbox import SENT
from storage.repositories.outbox import add_message, claim_due, next_due, settle


async def test_a_claim_takes_at_most_the_batch_and_one_message_per_chat(database: Database):
    async with database.session() as s:
        for chat in range(5):
            for n in range(2):
                await add_message(
                    s, channel=Channel.TELEGRAM, chat_id=str(chat), key=f"k:{chat}:{n}"
                )
        assert not await add_message(s, channel=Channel.TELEGRAM, chat_id="0", key="k:0:0")
    now = datetime.now(UTC) + timedelta(seconds=1)
    lease = now + timedelta(minutes=2)
    async with database.session() as s:
        first = await claim_due(s, now=now, lease_until=lease, limit=3)
    assert [r.key for r in first] == ["k:0:0", "k:1:0", "k:2:0"]
    async with database.session() as s:
        second = await claim_due(s, now=now, lease_until=lease, limit=10)
    # Chats 0-2 wait for their leased first message; 3 and 4 give their first.
    assert [r.key for r in second] == ["k:3:0", "k:4:0"]
    async with database.session() as s:
        await settle(s, first[0].id, status=SENT, parts_sent=1)
    async with database.session() as s:
        third = await claim_due(s, now=now, lease_until=lease, limit=10)
    assert [r.key for r in third] == ["k:0:1"]  # chat 0's second, now that its first is sent
    later = lease + timedelta(seconds=1)
    async with database.session() as s:
        after_lease = await claim_due(
            s, now=later, lease_until=later + timedelta(minutes=2), limit=10
        )
    assert [r.key for r in after_lease] == ["k:0:1", "k:1:0", "k:2:0", "k:3:0", "k:4:0"]
    assert {r.attempts for r in after_lease} == {2}


async def test_the_next_due_time_is_that_of_a_chat_s_first_pending_message(database: Database):
    now = datetime.now(UTC)
    async with database.session() as s:
        await add_message(
            s,
            channel=Channel.WHATSAPP,
            chat_id="whatsapp:+996700000001",
            key="first",
            not_before=now + timedelta(seconds=60),  # waiting for Twilio's Retry-After
        )
        await add_message(s, channel=Channel.WHATSAPP, chat_id="whatsapp:+996700000001", key="2nd")
    async with database.session() as s:
        due = await next_due(s)
    # The second is due by its own time, but waits behind the first: the sender sleeps on.
    assert due is not None and due >= now + timedelta(seconds=59)


async def test_pending_messages_count_in_the_backlog_metric(database: Database):
    from bot.metrics.scrape import outbox_backlog

    async with database.session() as s:
        await add_message(s, channel=Channel.TELEGRAM, chat_id="1", key="a")
        await add_message(s, channel=Channel.TELEGRAM, chat_id="2", key="b")
    later = datetime.now(UTC) + timedelta(minutes=10)
    async with database.session() as s:
        backlog = {b.channel: b for b in await outbox_backlog(s, now=later)}
    assert backlog["telegram"].depth == 2 and backlog["telegram"].oldest_age_seconds >= 590
    assert backlog["whatsapp"].depth == 0


async def test_concurrent_claims_never_take_the_same_message(database: Database):
    """Replicas claiming side by side share the work: each message goes to one of them."""
    import asyncio

    async with database.session() as s:
        for chat in range(40):
            await add_message(s, channel=Channel.TELEGRAM, chat_id=str(chat), key=f"c:{chat}")
    now = datetime.now(UTC) + timedelta(seconds=1)

    async def replica() -> list[int]:
        taken: list[int] = []
        while True:  # until a claim finds nothing (rows another replica holds are skipped)
            async with database.session() as s:
                rows = await claim_due(s, now=now, lease_until=now + timedelta(minutes=2), limit=3)
            if not rows:
                return taken
            taken += [r.id for r in rows]

    claims = await asyncio.gather(*(replica() for _ in range(4)))
    every = [i for taken in claims for i in taken]
    assert len(every) == len(set(every)) == 40  # every message taken, by one replica
