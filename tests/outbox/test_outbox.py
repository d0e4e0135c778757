"""The outbox: the system's own messages arrive once each, in order per chat, whatever fails.

Announcements are the notices here (two in a row give each recipient two messages whose
order can be checked); the Bot API and Twilio fakes answer 429 and 5xx for a while.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import create_app
from bot.runtime import Runtime
from flows.notifications import take_notices
from office.announcements import AUDIENCES, send_announcement
from storage.enums import Channel
from storage.models import AnnouncementRecipient, LinkedChat, OutboxMessage, OutboxNotice
from storage.repositories.outbox import claim_due
from tests.reminders.conftest import local
from tests.web.conftest import login

FIRST = ("Биринчи кулактандыруу.", "Первое объявление.")
SECOND = ("Экинчи кулактандыруу.", "Второе объявление.")


async def announce(runtime, database, campus, channels, texts):  # type: ignore[no-untyped-def]
    """Send an announcement to everyone in `channels`; return the notices it stored."""
    async with database.session() as s:
        await send_announcement(
            s,
            actor=campus.world.admin,
            campaign=runtime.campaign,
            statuses=set(AUDIENCES),
            text_ky=texts[0],
            text_ru=texts[1],
            channels=channels,
            now=local(3, 1),
        )
        notices = take_notices(s)
    await runtime.outbox.publish(notices)
    return notices


def telegram_chats(campus) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """The Telegram chat ids of the applicants an announcement reaches there, by language."""
    return {
        p.telegram: "ru" if p.name == "D" else "ky" for p in campus.people.values() if p.telegram
    }


def said(texts: tuple[str, str], message: str) -> bool:
    """Whether `message` carries the announcement `texts` (in either language)."""
    return texts[0] in message or texts[1] in message


def whatsapp_texts(fake_twilio, phone: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What `phone` received on WhatsApp, free text or the notification template's text."""
    texts = []
    for message in fake_twilio.messages:
        if message.get("To") != f"whatsapp:{phone}":
            continue
        if "Body" in message:
            texts.append(message["Body"])
        else:
            texts.append(json.loads(message["ContentVariables"])["1"])
    return texts


@pytest.fixture(autouse=True)
def quick_backoff(runtime):  # type: ignore[no-untyped-def]
    runtime.outbox.backoff = 0.05  # a 5xx waits this long first (2 s in production)


async def test_telegram_429_and_5xx_each_message_arrives_once_in_order(
    runtime, database, campus, fake_telegram
):
    await announce(runtime, database, campus, {Channel.TELEGRAM}, FIRST)
    await announce(runtime, database, campus, {Channel.TELEGRAM}, SECOND)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    fake_telegram.fail_next("sendMessage", status=500)
    fake_telegram.fail_next("sendMessage", status=502)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    await runtime.outbox.drain(within=15)
    async with database.session() as s:
        recipients = list(await s.scalars(select(AnnouncementRecipient)))
    reached = [chat_id for chat_id in telegram_chats(campus) if fake_telegram.texts_to(chat_id)]
    assert len(reached) >= 5  # B, C, D, E, H (G is under review, I said STOP)
    for chat_id in reached:
        texts = fake_telegram.texts_to(chat_id)
        assert len(texts) == 2, texts
        assert said(FIRST, texts[0]) and said(SECOND, texts[1])
    assert len(fake_telegram.calls_of("sendMessage")) == 2 * len(reached) + 4
    assert {r.status for r in recipients} == {"sent"}
    async with database.session() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    assert {r.status for r in rows} == {"sent"}
    assert max(r.attempts for r in rows) >= 2


async def test_whatsapp_429_with_retry_after_and_5xx_each_message_once_in_order(
    runtime, database, campus, fake_twilio
):
    await announce(runtime, database, campus, {Channel.WHATSAPP}, FIRST)
    await announce(runtime, database, campus, {Channel.WHATSAPP}, SECOND)
    fake_twilio.fail_next(2, status=429, code=20429, retry_after=1)
    fake_twilio.fail_next(2, status=503, code=None)
    await runtime.outbox.drain(within=15)
    phones = [p.phone for p in campus.people.values() if whatsapp_texts(fake_twilio, p.phone)]
    assert len(phones) >= 3  # A (no chat: the granted phone), D (WhatsApp used last), F
    for phone in phones:
        texts = whatsapp_texts(fake_twilio, phone)
        assert len(texts) == 2, texts
        assert said(FIRST, texts[0]) and said(SECOND, texts[1])
    assert len(fake_twilio.messages) == 2 * len(phones)
    async with database.session() as s:
        recipients = list(await s.scalars(select(AnnouncementRecipient)))
    assert {r.status for r in recipients} == {"sent"}


async def test_a_later_message_waits_for_the_earlier_one_of_its_chat(
    runtime, database, campus, fake_telegram
):
    await announce(runtime, database, campus, {Channel.TELEGRAM}, FIRST)
    await announce(runtime, database, campus, {Channel.TELEGRAM}, SECOND)
    # The first first message is refused for a minute: B's second must not overtake it.
    fake_telegram.fail_next("sendMessage", status=429, retry_after=60)
    await runtime.outbox.drain()
    async with database.session() as s:
        pending = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        )
    assert len(pending) == 2 and {r.chat_id for r in pending} == {pending[0].chat_id}
    waiting_chat = int(pending[0].chat_id)
    assert fake_telegram.texts_to(waiting_chat) == []
    others = [c for c in telegram_chats(campus) if c != waiting_chat]
    assert all(len(fake_telegram.texts_to(c)) in (0, 2) for c in others)
    # A minute later: both, in order.
    runtime.outbox._clock = lambda: _later(minutes=2)  # noqa: SLF001 - the test's clock
    await runtime.outbox.drain()
    texts = fake_telegram.texts_to(waiting_chat)
    assert len(texts) == 2 and said(FIRST, texts[0]) and said(SECOND, texts[1])


def _later(*, minutes: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC) + timedelta(minutes=minutes)


async def test_a_blocked_bot_fails_the_message_marks_the_chat_and_shows_on_the_page(
    served, database, campus, fake_telegram
):
    runtime, app = served
    fake_telegram.fail_next("sendMessage", status=403)
    await announce(runtime, database, campus, {Channel.TELEGRAM}, FIRST)
    await runtime.outbox.drain(within=5)
    async with database.session() as s:
        failed = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        )
        assert len(failed) == 1 and failed[0].error == "telegram:blocked"
        chat = await s.scalar(
            select(LinkedChat).where(
                LinkedChat.channel == Channel.TELEGRAM, LinkedChat.chat_id == failed[0].chat_id
            )
        )
        assert chat is not None and chat.blocked_at is not None
        statuses = sorted(r.status for r in await s.scalars(select(AnnouncementRecipient)))
    assert statuses.count("failed") == 1 and statuses.count("sent") == len(statuses) - 1
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await login(client, campus.world.admin)
        page = await (await client.get("/deliveries")).text()
        await login(client, campus.world.alamudun_coordinator)
        elsewhere = await (await client.get("/deliveries")).text()
    finally:
        await client.close()
    section = page.split('data-testid="failed-notices"')[1].split("</section>")[0]
    assert "telegram:blocked" in section
    assert "Пользователь заблокировал бота" in section or "Колдонуучу ботту бөгөттөгөн" in section
    other = elsewhere.split('data-testid="failed-notices"')[1].split("</section>")[0]
    assert "telegram:blocked" not in other  # another district's coordinator does not see it


async def test_an_invalid_whatsapp_number_fails_for_good_and_marks_the_chat(
    runtime, database, campus, fake_twilio
):
    fake_twilio.fail_next(1, status=400, code=63024)
    await announce(runtime, database, campus, {Channel.WHATSAPP}, FIRST)
    await runtime.outbox.drain(within=5)
    async with database.session() as s:
        failed = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        )
        assert [r.error for r in failed] == ["twilio:63024"]
        blocked = await s.scalar(
            select(func.count())
            .select_from(LinkedChat)
            .where(LinkedChat.channel == Channel.WHATSAPP, LinkedChat.blocked_at.is_not(None))
        )
    reached = [p for p in campus.people.values() if whatsapp_texts(fake_twilio, p.phone)]
    assert len(fake_twilio.messages) == len(reached) >= 2  # the others went, once each
    # The refused one was the first recipient's: A, who has no chat row to mark, or D or F.
    assert blocked in (0, 1)


async def test_a_rolled_back_transaction_stores_and_sends_nothing(
    runtime, database, campus, fake_telegram, fake_twilio
):
    with pytest.raises(RuntimeError):
        async with database.session() as s:
            await send_announcement(
                s,
                actor=campus.world.admin,
                campaign=runtime.campaign,
                statuses=set(AUDIENCES),
                text_ky=FIRST[0],
                text_ru=FIRST[1],
                channels={Channel.TELEGRAM, Channel.WHATSAPP},
                now=local(3, 1),
            )
            await s.flush()
            raise RuntimeError("the officer's request failed after queuing")
    await runtime.outbox.drain()
    async with database.session() as s:
        stored = await s.scalar(select(func.count()).select_from(OutboxNotice))
        messages = await s.scalar(select(func.count()).select_from(OutboxMessage))
    assert stored == messages == 0
    assert fake_telegram.calls_of("sendMessage") == [] and fake_twilio.messages == []


async def test_a_notice_committed_before_a_stop_is_sent_by_the_next_process(
    both_channels, campaign_2026, database, campus, fake_telegram
):
    first = Runtime.from_settings(both_channels, campaign=campaign_2026)
    create_app(first)
    await announce(first, database, campus, {Channel.TELEGRAM}, FIRST)
    await first.close()  # stopped before its sender ran
    assert fake_telegram.calls_of("sendMessage") == []
    second = Runtime.from_settings(both_channels, campaign=campaign_2026)
    create_app(second)
    try:
        second.outbox.start()  # as `ortbot serve` does
        async with database.session() as s:
            recipients = await s.scalar(select(func.count()).select_from(AnnouncementRecipient))
        await fake_telegram.wait_until(
            lambda: len(fake_telegram.calls_of("sendMessage")) >= recipients, within=15
        )
    finally:
        await second.close()
    chats = [c for c in telegram_chats(campus) if fake_telegram.texts_to(c)]
    assert len(chats) == recipients >= 5
    assert all(len(fake_telegram.texts_to(c)) == 1 for c in chats)


async def test_a_message_claimed_by_a_sender_that_died_is_sent_after_its_lease(
    runtime, database, campus, fake_telegram
):
    await announce(runtime, database, campus, {Channel.TELEGRAM}, FIRST)
    await runtime.outbox.send_due()  # expands and sends
    sent_before = len(fake_telegram.calls_of("sendMessage"))
    await announce(runtime, database, campus, {Channel.TELEGRAM}, SECOND)
    await runtime.outbox._expand()  # noqa: SLF001 - stored as messages, not yet claimed
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    async with database.session() as s:  # a replica claims them and dies before sending
        claimed = await claim_due(s, now=now, lease_until=now + timedelta(minutes=2), limit=50)
    assert claimed
    await runtime.outbox.drain()
    assert len(fake_telegram.calls_of("sendMessage")) == sent_before  # leased: not yet
    runtime.outbox._clock = lambda: _later(minutes=3)  # noqa: SLF001 - the test's clock
    await runtime.outbox.drain()
    assert len(fake_telegram.calls_of("sendMessage")) == sent_before + len(claimed)


async def test_a_notice_to_a_chat_on_a_channel_this_process_does_not_run_shows_as_failed(
    served, database, campus, fake_telegram, fake_twilio
):
    runtime, app = served
    # This process runs Telegram only (WhatsApp's credentials were taken away, say).
    runtime.outbox.channels = {Channel.TELEGRAM: runtime.channels[Channel.TELEGRAM]}
    await announce(runtime, database, campus, {Channel.TELEGRAM, Channel.WHATSAPP}, FIRST)
    await runtime.outbox.drain(within=5)
    async with database.session() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    off = [r for r in rows if r.channel is Channel.WHATSAPP]
    assert off and {(r.status, r.error) for r in off} == {("failed", "channel_off")}
    assert {r.status for r in rows if r.channel is Channel.TELEGRAM} == {"sent"}
    assert fake_twilio.messages == []
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await login(client, campus.world.admin)
        page = await (await client.get("/deliveries")).text()
    finally:
        await client.close()
    section = page.split('data-testid="failed-notices"')[1].split("</section>")[0]
    assert section.count("channel_off") == len(off)
