"""WhatsApp notices go at WHATSAPP_NOTICE_RATE, evenly spaced; replies never wait for it."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.notifications.pacing import notice_rate_limit
from bot.whatsapp import INBOUND_PATH
from bot.whatsapp.webhooks import WHATSAPP_CHANNEL
from flows.notifications import take_notices
from office.announcements import send_announcement
from storage.enums import Channel
from storage.models import AnnouncementRecipient
from tests.factories import make_grant

from .conftest import ACCOUNT_SID, AUTH_TOKEN, local

RATE = 4


@pytest.fixture
def both_channels(both_channels):  # type: ignore[no-untyped-def]
    return both_channels.model_copy(update={"whatsapp_notice_rate": RATE})


class FakeTime:
    """Wall and monotonic clock at once; it moves only when someone sleeps."""

    def __init__(self) -> None:
        # A random second: the shared count lives in Redis, which other test runs use too.
        self.now = 1_800_000_000.25 + random.randrange(10**6) * 100  # noqa: S311

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay
        await asyncio.sleep(0)


async def announce(runtime, database, campus, channels):  # type: ignore[no-untyped-def]
    async with database.session() as s:
        await send_announcement(
            s,
            actor=campus.world.teacher_a,
            campaign=runtime.campaign,
            statuses={"not_started"},
            text_ky="Эртең мектепте жыйналыш болот.",
            text_ru="Завтра в школе собрание.",
            channels=channels,
            now=local(3, 1),
        )
        notices = take_notices(s)
    await runtime.outbox.publish(notices)


async def test_a_burst_of_announcements_on_whatsapp_goes_at_the_configured_rate(
    runtime, database, campus, secret_box, fake_twilio
):
    delivery = runtime.channels[Channel.WHATSAPP].outbound
    assert delivery.limit.rate == RATE  # WHATSAPP_NOTICE_RATE reached the channel
    clock = FakeTime()
    limit = notice_rate_limit(
        runtime.state,
        rate=RATE,
        shared=runtime.shared_state,
        clock=clock,
        monotonic=clock,
        sleep=clock.sleep,
    )
    let_through: list[float] = []

    class Noted:
        """The limit, noting when it let each message go (the sends run side by side)."""

        async def acquire(self) -> None:
            await limit.acquire()
            let_through.append(clock())

    delivery.limit = Noted()
    # One message at a time: the fake clock moves for every sleeper, so sends side by side
    # would read it after the others had moved it (the limit, not the clock, is under test).
    runtime.outbox.batch = 1
    world = campus.world
    async with database.session() as s:
        for n in range(12):  # never wrote to the bot: reached on WhatsApp at the granted phone
            await make_grant(
                s,
                school=world.school_a,
                granted_by=world.teacher_a,
                secret_box=secret_box,
                phone_number=f"+9967002000{n:02d}",
                full_name=f"Абитуриент {n}",
            )
    await announce(runtime, database, campus, {Channel.WHATSAPP})
    await runtime.outbox.drain()
    async with database.session() as s:
        recipients = await s.scalar(select(func.count()).select_from(AnnouncementRecipient))
    assert len(fake_twilio.messages) == len(let_through) == recipients >= 13
    sent_at = let_through
    assert max(Counter(int(t) for t in sent_at).values()) <= RATE
    gaps = [b - a for a, b in zip(sent_at, sent_at[1:], strict=False)]
    assert min(gaps) >= 1 / RATE - 1e-6  # evenly spaced, not a second's worth at once
    assert sent_at[-1] - sent_at[0] >= (len(sent_at) - 1) / RATE - 1e-6


class Closed:
    """A rate limit that lets nothing through until opened."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.reached = asyncio.Event()
        self.waiting = 0

    async def acquire(self) -> None:
        self.waiting += 1
        self.reached.set()
        await self.opened.wait()


async def test_a_reply_to_the_applicants_own_message_does_not_wait_for_the_notice_rate(
    served, database, campus, fake_twilio
):
    runtime, app = served
    gate = Closed()
    runtime.channels[Channel.WHATSAPP].outbound.limit = gate
    await announce(runtime, database, campus, {Channel.WHATSAPP})
    sending = asyncio.create_task(runtime.outbox.drain())
    await asyncio.wait_for(gate.reached.wait(), timeout=10)  # A's notice waits at the gate
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        d = f"whatsapp:{campus['D'].phone}"
        sid = f"SM{uuid.uuid4().hex}"  # random: Redis remembers the SIDs it has seen
        params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": d}
        params |= {"To": "whatsapp:+996700000001", "Body": "/status", "NumMedia": "0"}
        url = str(client.make_url(INBOUND_PATH))
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
        response = await client.post(
            INBOUND_PATH, data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status == 200
        await asyncio.wait_for(app[WHATSAPP_CHANNEL].drain(), timeout=10)
        assert fake_twilio.bodies_to(d)  # D's reply went out while the notice still waits
        to_a = [m for m in fake_twilio.messages if m["To"].endswith(campus["A"].phone)]
        assert gate.waiting == 1 and to_a == []
    finally:
        gate.opened.set()
        await sending
        await client.close()
    assert [m for m in fake_twilio.messages if m["To"].endswith(campus["A"].phone)]
