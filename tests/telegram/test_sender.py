"""The outbound sender and its rate limit, against the fake Bot API."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageText, SendMessage
from fakes.telegram_api import FakeTelegramAPI

from bot.telegram.ratelimit import TokenBucket
from bot.telegram.sender import TelegramSender
from bot.telegram.session import build_session

from .conftest import TOKEN, RecordedSleep


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


async def test_token_bucket_lets_a_burst_through_then_spaces_calls() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=30, capacity=10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        await bucket.acquire()
    assert clock.slept == []
    for _ in range(30):
        await bucket.acquire()
    # Past the burst, 30 calls take one second: the rate Telegram accepts per bot.
    assert clock.now == pytest.approx(1.0)


@pytest.fixture
async def sender(fake_api: FakeTelegramAPI):
    bot = Bot(TOKEN, session=build_session(fake_api.base_url))
    sleep = RecordedSleep()
    yield TelegramSender(bot, bucket=TokenBucket(rate=1000, capacity=1000), sleep=sleep)
    await bot.session.close()


async def test_retry_after_is_bounded(sender: TelegramSender, fake_api: FakeTelegramAPI) -> None:
    for _ in range(10):
        fake_api.fail_next("sendMessage", status=429, retry_after=1)
    assert await sender.call(SendMessage(chat_id=1, text="салам"), chat_id=1) is None
    assert len(fake_api.calls_of("sendMessage")) == 5  # then it gives up, logged


async def test_a_very_long_flood_wait_is_not_sat_through(
    sender: TelegramSender, fake_api: FakeTelegramAPI
) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=3600)
    assert await sender.call(SendMessage(chat_id=1, text="салам"), chat_id=1) is None
    assert sender._sleep.delays == []


async def test_a_dropped_send_is_not_repeated_but_an_edit_is(
    sender: TelegramSender, fake_api: FakeTelegramAPI
) -> None:
    # A send whose answer was lost may have been delivered: repeating it could double it.
    fake_api.fail_next("sendMessage", status=0)
    assert await sender.call(SendMessage(chat_id=1, text="бир"), chat_id=1) is None
    assert len(fake_api.calls_of("sendMessage")) == 1

    sent = await sender.call(SendMessage(chat_id=1, text="эки"), chat_id=1)
    fake_api.fail_next("editMessageText", status=0)
    edit = EditMessageText(chat_id=1, message_id=sent.message_id, text="үч")
    assert await sender.call(edit, chat_id=1) is not None
    assert fake_api.messages[sent.message_id].text == "үч"
