"""The Telegram channel wired to the fake Bot API, through polling or the webhook route."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from fakes.telegram_api import FakeTelegramAPI
from fakes.telegram_user import TelegramUser
from pydantic import SecretStr

from bot.telegram import WEBHOOK_PATH, TelegramChannel
from bot.telegram.ratelimit import TokenBucket
from bot.turns import TurnRunner
from config.settings import Settings
from core.texts import conversation_texts
from flows.conversation import Conversation
from storage.credentials import SecretBox
from storage.database import Database
from storage.state import StateStore
from storage.state.redis import RedisStateStore

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
TOKEN = "700000001:TEST-token-for-the-fake-bot-api"
_user_ids = itertools.count(5550001)


class RecordedSleep:
    """Stands in for asyncio.sleep: records the delays asked for, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@dataclass
class Harness:
    """A running channel, how updates reach it, and the fake API it talks to."""

    api: FakeTelegramAPI
    channel: TelegramChannel
    mode: str
    client: TestClient | None
    sleep: RecordedSleep
    runtime: Any = None  # the whole app's Runtime, when started through `start_app`

    async def deliver(self, update: dict[str, Any]) -> None:
        if self.mode == "polling":
            await self.api.push_update(update)
            await self.api.wait_confirmed(update["update_id"])
        else:
            assert self.client is not None
            response = await self.client.post(
                WEBHOOK_PATH,
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": self.channel.secret},
            )
            assert response.status == 200
        await self.channel.wait_idle()

    def user(self, **kwargs: Any) -> TelegramUser:
        kwargs.setdefault("user_id", next(_user_ids))
        return TelegramUser(self.api, self.deliver, **kwargs)

    closed: bool = False

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        await self.channel.stop()
        if self.client is not None:
            await self.client.close()
        if self.runtime is not None:
            await self.runtime.close()


StartChannel = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegramAPI]:
    api = FakeTelegramAPI(token=TOKEN)
    await api.start()
    yield api
    await api.close()


@pytest.fixture
def telegram_settings(settings: Settings, fake_api: FakeTelegramAPI) -> Settings:
    return settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": fake_api.base_url}
    )


@pytest.fixture
async def start_channel(
    telegram_settings: Settings,
    fake_api: FakeTelegramAPI,
    database: Database,
    state: StateStore,
    secret_box: SecretBox,
) -> AsyncIterator[StartChannel]:
    """Start a channel for `flow` in `mode` ("polling" or "webhook"); stopped after the test."""
    harnesses: list[Harness] = []

    async def start(flow: Conversation, mode: str = "polling", **options: Any) -> Harness:
        sleep = RecordedSleep()
        turns = TurnRunner(
            conversation=flow,
            database=options.get("database", database),
            state=options.get("state", state),
            translator=conversation_texts(),
        )
        settings = telegram_settings
        if mode == "webhook":
            settings = settings.model_copy(update={"public_base_url": "https://ort.example.kg"})
        channel = TelegramChannel.from_settings(
            settings,
            turns=turns,
            state=options.pop("state", state),
            database=options.pop("database", database),
            secret_box=secret_box,
            bucket=TokenBucket(rate=1000, capacity=1000, sleep=sleep),
            sleep=sleep,
            polling_timeout=1,
            **options,
        )
        client = None
        if mode == "webhook":
            app = web.Application()
            channel.mount(app)
            client = TestClient(TestServer(app))
            await client.start_server()
        await channel.start()
        harness = Harness(fake_api, channel, mode, client, sleep)
        harnesses.append(harness)
        return harness

    yield start
    for harness in harnesses:
        await harness.close()


@pytest.fixture
async def start_app(
    telegram_settings: Settings, fake_api: FakeTelegramAPI, campaign
) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    """Start the whole app as `ortbot serve` wires it (Runtime + create_app), Telegram on.

    Each call is a fresh "process" on the same database and files: in-process state starts
    empty, while Redis (TEST_REDIS_URL) keeps its keys, as after a real restart.
    """
    from bot.app import create_app
    from bot.runtime import Runtime

    prefix = f"test:tg:{uuid.uuid4().hex}:"
    harnesses: list[Harness] = []
    runtimes: list[Runtime] = []

    async def start(mode: str = "webhook") -> Harness:
        settings = telegram_settings.model_copy(update={"redis_url": None})
        if mode == "webhook":
            settings = settings.model_copy(update={"public_base_url": "https://ort.example.kg"})
        runtime = Runtime.from_settings(settings, campaign=campaign)
        if TEST_REDIS_URL:
            runtime.state = RedisStateStore.from_url(TEST_REDIS_URL, prefix=prefix)
        app = create_app(runtime)
        client = TestClient(TestServer(app))
        await client.start_server()
        assert runtime.telegram is not None
        await runtime.telegram.start()
        harness = Harness(fake_api, runtime.telegram, mode, client, RecordedSleep(), runtime)
        harnesses.append(harness)
        runtimes.append(runtime)
        return harness

    yield start
    for harness in harnesses:
        await harness.close()
    if TEST_REDIS_URL:
        cleaner = RedisStateStore.from_url(TEST_REDIS_URL, prefix=prefix)
        await cleaner.flush()
        await cleaner.close()
