"""Replies go out at once; the shared message rate holds only what the system sends itself."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.methods import SendMessage
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from fakes.telegram_api import FakeTelegramAPI

from bot.telegram import TelegramChannel
from bot.turns import TurnRunner
from config.settings import Settings
from core.texts import conversation_texts
from storage.credentials import SecretBox
from storage.database import Database
from storage.state import StateStore

from .conftest import Harness, RecordedSleep
from .scripted_flow import ScriptedFlow


class ClosedRate:
    """A message rate with no room left: every caller waits until the test opens it."""

    def __init__(self) -> None:
        self.waiting = 0
        self.opened = asyncio.Event()

    async def acquire(self) -> None:
        self.waiting += 1
        await self.opened.wait()


@pytest.fixture
async def channel_with_closed_rate(
    telegram_settings: Settings,
    fake_api: FakeTelegramAPI,
    database: Database,
    state: StateStore,
    secret_box: SecretBox,
):
    rate = ClosedRate()
    turns = TurnRunner(
        conversation=ScriptedFlow(), database=database, state=state, translator=conversation_texts()
    )
    settings = telegram_settings.model_copy(update={"public_base_url": "https://ort.example.kg"})
    sleep = RecordedSleep()
    channel = TelegramChannel.from_settings(
        settings,
        turns=turns,
        state=state,
        database=database,
        secret_box=secret_box,
        bucket=rate,
        sleep=sleep,
    )
    app = web.Application()
    channel.mount(app)
    client = TestClient(TestServer(app))
    await client.start_server()
    await channel.start()
    harness = Harness(fake_api, channel, "webhook", client, sleep)
    yield harness, rate
    rate.opened.set()
    await harness.close()


async def test_a_burst_of_replies_is_not_held_by_the_message_rate(
    channel_with_closed_rate: tuple[Harness, ClosedRate],
) -> None:
    harness, rate = channel_with_closed_rate
    users = [harness.user(language_code="ky") for _ in range(40)]

    # Forty people at once, with no room left in the message rate: each gets its answer.
    async with asyncio.timeout(20):
        await asyncio.gather(*(user.send_text("/start") for user in users))
    for user in users:
        [menu] = user.new_messages()
        assert menu.text == "Тилди тандаңыз / Выберите язык"
    assert rate.waiting == 0


async def test_what_the_system_sends_itself_still_waits_for_the_rate(
    channel_with_closed_rate: tuple[Harness, ClosedRate],
) -> None:
    harness, rate = channel_with_closed_rate
    notice = asyncio.create_task(
        harness.channel.sender.call(SendMessage(chat_id=42, text="Арыз кабыл алынды."), chat_id=42)
    )
    await asyncio.sleep(0.3)
    assert not notice.done()
    assert rate.waiting == 1
    assert harness.api.calls_of("sendMessage") == []

    rate.opened.set()
    assert await asyncio.wait_for(notice, 5) is not None
    [sent] = harness.api.calls_of("sendMessage")
    assert sent.params["text"] == "Арыз кабыл алынды."
