"""Messages Twilio was answered for before their turn committed: parked, and never lost.

The chat is held by the test (as a replica killed mid-turn holds it until its lock expires),
so a message's turn cannot commit within ANSWER_WITHIN. The process that took it "dies" by
having its turns cancelled where they stand: nothing of theirs runs any more, as after SIGKILL.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.whatsapp import INBOUND_PATH
from bot.whatsapp.parking import MAX_ATTEMPTS
from storage.enums import Channel, MessageDirection
from storage.models import ChannelMessage, ParkedMessage
from storage.repositories.parked import park

from .conftest import BOT_NUMBER, PUBLIC_BASE_URL, message_sid, sign
from .scripted_flow import ScriptedFlow

PHONE = "+996555100001"
CHAT = f"whatsapp:{PHONE}"
LEASE = 0.5


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """Twilio answered after 0.2 s instead of 10; leases and sweeps in fractions of seconds."""
    monkeypatch.setattr("bot.whatsapp.channel.ANSWER_WITHIN", 0.2)
    monkeypatch.setattr("bot.whatsapp.parking.PARK_LEASE", LEASE)
    monkeypatch.setattr("bot.whatsapp.parking.RENEW_SECONDS", 0.1)
    monkeypatch.setattr("bot.whatsapp.parking.SWEEP_SECONDS", 0.2)
    monkeypatch.setattr("bot.whatsapp.parking.POLL_SECONDS", 0.05)


@pytest.fixture
def flow() -> ScriptedFlow:
    return ScriptedFlow()


@pytest.fixture
async def wa(start_whatsapp, flow):
    return await start_whatsapp(flow)


def chat_hold(state):
    """The chat's lock, as the turn runner takes it: held, no turn of the chat can run."""
    return state.lock(f"chat:{Channel.WHATSAPP}:{CHAT}", expires_after=30)


async def post(wa, body: str, sid: str) -> int:
    params = {"MessageSid": sid, "From": CHAT, "To": BOT_NUMBER, "Body": body, "NumMedia": "0"}
    headers = {"X-Twilio-Signature": sign(PUBLIC_BASE_URL + INBOUND_PATH, params)}
    response = await wa.client.post(INBOUND_PATH, data=params, headers=headers)
    await response.read()
    return response.status


async def die(wa) -> None:
    """The process is killed: its turns stop where they stand, nothing of them runs after."""
    tasks = list(wa.channel._tasks)
    for task in tasks:
        task.cancel()
    if tasks:
        # A turn must stop at once when cancelled: one that does not would run on after the
        # "kill" and hold the test until the chat's lock expires. Said here, with where it is.
        _done, pending = await asyncio.wait(tasks, timeout=5)
        assert not pending, f"turns not stopped by the kill: {[t.get_stack() for t in pending]}"
    assert not wa.channel._tasks, "a task was started after the kill"
    await wa.channel.stop()


async def parked_rows(database) -> list[ParkedMessage]:
    async with database.session() as session:
        return list(await session.scalars(select(ParkedMessage).order_by(ParkedMessage.id)))


async def inbound_rows(database, sid: str) -> list[ChannelMessage]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(ChannelMessage).where(
                    ChannelMessage.direction == MessageDirection.INBOUND,
                    ChannelMessage.provider_sid == sid,
                )
            )
        )


def texts(flow) -> list[str | None]:
    return [event.text for event in flow.of(PHONE)]


async def park_and_die(wa, state, body: str = "Салам") -> str:
    """Post `body` while its chat is held; Twilio is answered; the process dies before the turn."""
    sid = message_sid()
    async with chat_hold(state):
        assert await post(wa, body, sid) == 200  # answered while the chat is still held
        await die(wa)
    return sid


async def test_a_message_answered_before_its_commit_is_applied_after_the_process_died(
    wa, flow, start_whatsapp, state, database
):
    sid = await park_and_die(wa, state)
    assert texts(flow) == []  # Twilio was answered, and will not post it again

    sent = asyncio.Event()

    async def noticed(sid: str) -> None:
        sent.set()

    wa.twilio.before_reply = noticed
    restarted = await start_whatsapp(flow)
    await restarted.channel.start()  # as `ortbot serve` does: it sweeps
    try:
        await asyncio.wait_for(sent.wait(), timeout=10)
        await restarted.channel.drain()
    finally:
        await restarted.channel.stop()

    assert texts(flow) == ["Салам"]
    assert wa.twilio.bodies_to(CHAT) == ["Жооп: Салам"]
    assert len(await inbound_rows(database, sid)) == 1
    assert await parked_rows(database) == []

    # Twilio posts the same MessageSid once more: not applied again, and the process that
    # answered it does not answer it twice.
    assert await post(restarted, "Салам", sid) == 200
    await restarted.channel.drain()
    assert texts(flow) == ["Салам"]
    assert len(await inbound_rows(database, sid)) == 1
    assert wa.twilio.bodies_to(CHAT) == ["Жооп: Салам"]


async def test_a_later_message_of_the_chat_waits_for_the_parked_one_of_a_dead_process(
    wa, flow, start_whatsapp, state, database
):
    await park_and_die(wa, state, "first")
    restarted = await start_whatsapp(flow)  # no sweep yet: the later message comes first

    assert await post(restarted, "second", message_sid()) == 200
    await restarted.channel.drain()

    assert texts(flow) == ["first", "second"]
    assert wa.twilio.bodies_to(CHAT) == ["Жооп: first", "Жооп: second"]
    assert await parked_rows(database) == []


async def test_a_parked_message_applied_by_its_own_process_is_not_run_again(
    wa, flow, state, database
):
    async with chat_hold(state):
        assert await post(wa, "Салам", message_sid()) == 200
        assert [row.chat_id for row in await parked_rows(database)] == [CHAT]
    await wa.channel.drain()
    assert await parked_rows(database) == []

    await asyncio.sleep(LEASE * 2)
    assert await wa.channel.sweep() == 0
    await wa.channel.drain()
    assert texts(flow) == ["Салам"]
    assert wa.twilio.bodies_to(CHAT) == ["Жооп: Салам"]


async def test_applied_and_no_longer_parked_commit_together(wa, flow, state, database):
    """The process dies right after the turn's commit: the parked row went with it."""

    async def died_after_the_commit(message_sid: str) -> bool:
        raise asyncio.CancelledError

    wa.channel._parking.remove = died_after_the_commit
    async with chat_hold(state):
        assert await post(wa, "Салам", message_sid()) == 200
    await asyncio.gather(*wa.channel._tasks, return_exceptions=True)

    assert texts(flow) == ["Салам"]
    assert await parked_rows(database) == []


async def test_a_message_that_cannot_be_parked_is_answered_503_and_taken_on_the_retry(
    wa, flow, state, database, monkeypatch
):
    async def database_down(*args, **kwargs):
        raise ConnectionError("database down")

    sid = message_sid()
    monkeypatch.setattr("bot.whatsapp.parking.park", database_down)
    async with chat_hold(state):
        assert await post(wa, "Салам", sid) == 503  # Twilio posts it again
    monkeypatch.undo()
    await wa.channel.drain()
    assert await post(wa, "Салам", sid) == 200
    await wa.channel.drain()

    assert texts(flow) == ["Салам"]  # the first turn ran on; the retry was not applied again
    assert await parked_rows(database) == []


async def test_a_parked_message_whose_turn_fails_is_removed_and_asked_again(wa, flow, state):
    steps = wa.channel._steps

    async def broken(message, state):
        raise ConnectionError("the media host is down")

    wa.channel._steps = broken
    async with chat_hold(state):
        assert await post(wa, "Салам", message_sid()) == 200
    await wa.channel.drain()
    wa.channel._steps = steps

    assert texts(flow) == []
    [apology] = wa.twilio.bodies_to(CHAT)
    assert "Извините" in apology and "Кечиресиз" in apology
    assert await wa.channel.sweep() == 0  # not run again after the applicant was asked


async def test_a_message_whose_processes_kept_dying_is_given_up_and_asked_again(
    wa, flow, database, caplog
):
    sid = message_sid()
    photo = wa.twilio.add_media(b"\xff\xd8\xff" + b"x" * 500, "image/jpeg", message_sid=sid)
    async with database.session() as session:
        await park(
            session,
            message_sid=sid,
            chat_id=CHAT,
            phone=PHONE,
            body="AN1234567",
            media=[(photo, "image/jpeg")],
            is_location=False,
            received_at=datetime.now(UTC),
            owner="dead",
            lease_until=datetime.now(UTC),
        )
        await session.flush()
    async with database.session() as session:
        row = await session.scalar(select(ParkedMessage))
        row.attempts = MAX_ATTEMPTS

    with caplog.at_level(logging.INFO):
        assert await wa.channel.sweep() == 1
        await wa.channel.drain()

    assert texts(flow) == []
    [apology] = wa.twilio.bodies_to(CHAT)
    assert "Извините" in apology
    assert await parked_rows(database) == []
    assert f"{sid} given up" in caplog.text
    assert not wa.twilio.media_exists(photo)  # its photo does not stay at Twilio
    assert PHONE not in caplog.text and "AN1234567" not in caplog.text


async def test_parked_messages_of_a_chat_are_run_again_in_the_order_they_came(
    wa, flow, start_whatsapp, state, database
):
    async with chat_hold(state):
        assert await post(wa, "first", message_sid()) == 200
        assert await post(wa, "second", message_sid()) == 200
        await die(wa)
    await asyncio.sleep(LEASE)  # the dead process's lease runs out

    restarted = await start_whatsapp(flow)
    assert await restarted.channel.sweep() == 1  # one chat
    await restarted.channel.drain()

    assert texts(flow) == ["first", "second"]
    assert wa.twilio.bodies_to(CHAT) == ["Жооп: first", "Жооп: second"]
    assert await parked_rows(database) == []


async def test_a_replica_being_stopped_keeps_its_parked_messages_until_they_are_done(
    wa, flow, state, database
):
    await wa.channel.start()  # as `ortbot serve` does: the sweeper renews this process's leases
    async with chat_hold(state):
        assert await post(wa, "Салам", message_sid()) == 200  # parked: its chat is held
        stopping = asyncio.create_task(wa.channel.stop())
        await asyncio.sleep(LEASE * 3)
        # Still leased to this process: another replica's sweep would not take it over.
        assert not await wa.channel._parking.due_chats()
    await stopping
    assert texts(flow) == ["Салам"]
    assert await parked_rows(database) == []


async def test_a_message_whose_chat_was_lost_before_its_turn_is_left_for_the_next_holder(
    wa, flow, start_whatsapp, state, database
):
    from redis.exceptions import LockNotOwnedError

    await park_and_die(wa, state, "first")
    restarted = await start_whatsapp(flow)
    locks = restarted.channel.turns.locks
    renew = locks.renew

    async def lost(key):  # noqa: ANN001 - the chat's lock expired while this process waited
        raise LockNotOwnedError("the chat's lock expired while it was held")

    locks.renew = lost
    async with chat_hold(state):
        assert await post(restarted, "second", message_sid()) == 200  # parked: the chat is held
    await restarted.channel.drain()
    assert texts(flow) == []  # a holder that lost the chat ran nothing
    assert wa.twilio.bodies_to(CHAT) == []  # and asked nobody to send anything again

    locks.renew = renew
    await asyncio.sleep(LEASE * 2)  # the leases of the holder that lost the chat lapse
    assert await restarted.channel.sweep() == 1
    await restarted.channel.drain()
    assert texts(flow) == ["first", "second"]
    assert await parked_rows(database) == []
