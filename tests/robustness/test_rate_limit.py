"""The bot's message rate is counted across replicas: together they stay within ~30/s."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import SecretStr

from bot.telegram.ratelimit import SharedRateLimit, TokenBucket
from bot.whatsapp.channel import WhatsAppChannel
from config.settings import Settings
from storage.enums import Channel
from storage.state import StateStore
from storage.state.redis import RedisStateStore
from tests.conftest import TEST_REDIS_URL


class FakeTime:
    """A wall clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.25

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay


async def test_two_replicas_together_send_no_more_than_the_rate_in_any_second(
    state: StateStore,
) -> None:
    clock = FakeTime()
    replicas = [
        SharedRateLimit(
            state,
            key="test:rate",
            rate=5,
            local=TokenBucket(rate=5, capacity=5, clock=clock, sleep=clock.sleep),
            clock=clock,
            sleep=clock.sleep,
        )
        for _ in range(2)
    ]
    sent_at: list[int] = []
    for _ in range(12):  # each replica wants to send 12 messages, as fast as it can
        for replica in replicas:
            await replica.acquire()
            sent_at.append(int(clock()))
    per_second = Counter(sent_at)
    assert sum(per_second.values()) == 24
    assert max(per_second.values()) == 5  # the shared limit, not 2 × 5


@pytest.mark.parametrize("redis", [True, False], ids=["REDIS_URL", "no REDIS_URL"])
async def test_the_process_built_from_settings_shares_its_rate_exactly_when_redis_is_set(
    settings: Settings, campaign, redis: bool
) -> None:  # type: ignore[no-untyped-def]
    """As `ortbot serve` builds it: with REDIS_URL the replicas count against one rate."""
    from bot.app import create_app
    from bot.runtime import Runtime

    # Nothing is sent here: a Redis URL nobody answers is enough when TEST_REDIS_URL is unset.
    redis_url = (TEST_REDIS_URL or "redis://redis.invalid:6379/0") if redis else None
    configured = settings.model_copy(
        update={
            "redis_url": redis_url,
            "telegram_bot_token": SecretStr("123456:test-token"),
            "twilio_account_sid": "AC" + "0" * 32,
            "twilio_auth_token": SecretStr("twilio-token"),
            "twilio_whatsapp_from": "whatsapp:+996312000000",
            "public_base_url": "https://ort.example.kg",
        }
    )
    runtime = Runtime.from_settings(configured, campaign=campaign)
    try:
        create_app(runtime)
        telegram, whatsapp = runtime.telegram, runtime.channels.get(Channel.WHATSAPP)
        assert telegram is not None and telegram.outbound is not None
        assert isinstance(whatsapp, WhatsAppChannel) and whatsapp.outbound is not None
        assert isinstance(runtime.state, RedisStateStore) is redis
        # The bot's own rate (the sender's) and the notices' pace on each channel (what the
        # outbox's deliveries wait on).
        limits = (telegram.sender._bucket, telegram.outbound.limit, whatsapp.outbound.limit)
        for limit in limits:
            assert isinstance(limit, SharedRateLimit) is redis
            assert isinstance(limit, TokenBucket) is not redis
            if redis:
                assert limit._state is runtime.state  # counted where the replicas count
        # Replies to the applicant's own message wait on no limit at all.
        assert telegram.replies._bucket is None
    finally:
        await runtime.close()


async def test_a_flood_of_updates_is_handled_a_bounded_number_at_a_time() -> None:
    """Under a flood, updates wait their turn before taking any lock (none expires mid-turn)."""
    import asyncio

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.telegram.webhook import SECRET_HEADER, WebhookReceiver

    release, all_in = asyncio.Event(), asyncio.Event()
    running, most, arrived = 0, 0, 0

    async def feed(update: dict) -> bool:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        return True

    @web.middleware
    async def count(request: web.Request, handler):  # noqa: ANN001, ANN202
        nonlocal arrived
        arrived += 1
        if arrived == 10:
            all_in.set()
        return await handler(request)

    receiver = WebhookReceiver(secret="s", feed=feed, max_concurrent=3)
    app = web.Application(middlewares=[count])
    receiver.register(app)
    headers = {SECRET_HEADER: "s"}
    async with TestClient(TestServer(app)) as client:
        posts = [
            asyncio.create_task(
                client.post("/webhooks/telegram", json={"update_id": n}, headers=headers)
            )
            for n in range(1, 11)
        ]
        await all_in.wait()
        for _ in range(20):  # every accepted update gets the chance to start
            await asyncio.sleep(0)
        assert (running, most) == (3, 3)
        release.set()
        statuses = [(await post).status for post in posts]
    assert statuses == [200] * 10 and most == 3
