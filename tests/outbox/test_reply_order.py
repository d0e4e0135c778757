"""While a chat has a reply waiting in the outbox, its later replies go behind it, in order.

The applicant's first answer is refused by the provider for longer than the channel waits and
handed to the outbox; the next answer comes while the outbox still waits. The phone must get
the first turn's reply first, then the second's, each once; once the outbox has sent them, the
next reply goes direct again.
"""

from __future__ import annotations

import asyncio
import uuid

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.whatsapp import INBOUND_PATH
from bot.whatsapp.webhooks import WHATSAPP_CHANNEL
from flows.replies import Reply
from storage.enums import Channel
from storage.models import OutboxMessage
from tests.reminders.conftest import ACCOUNT_SID, AUTH_TOKEN


async def outbox_rows(database) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_telegram_a_later_turn_waits_behind_a_reply_in_the_outbox(
    runtime, database, campus, fake_telegram
):
    from fakes.telegram_user import TelegramUser

    runtime.outbox.backoff = 0.05
    user = TelegramUser(
        fake_telegram, runtime.telegram.feed_raw_update, user_id=campus["B"].telegram
    )
    fake_telegram.fail_next("sendMessage", status=429, retry_after=61)
    await user.send_text("/status")  # turn 1: refused longer than the sender waits
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    await runtime.outbox.send_due()  # the outbox tries too and is told to wait a second
    assert fake_telegram.texts_to(user.chat_id) == []
    first = await outbox_rows(database)
    assert first and {r.status for r in first} == {"pending"}

    await user.send_text("/help")  # turn 2, while the outbox still waits
    assert fake_telegram.texts_to(user.chat_id) == []  # nothing overtakes the waiting reply
    await runtime.outbox.drain(within=5)
    texts = fake_telegram.texts_to(user.chat_id)
    rows = await outbox_rows(database)
    assert {r.status for r in rows} == {"sent"} and len(rows) > len(first)
    assert len(texts) == len(rows) and len(set(texts)) == len(texts)  # each once

    await user.send_text("/status")  # turn 3: nothing waits any more, it goes direct
    again = fake_telegram.texts_to(user.chat_id)[len(texts) :]
    assert again and again == texts[: len(first)]  # the same status, at once, directly
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == len(rows)


async def test_whatsapp_a_later_turn_waits_behind_a_reply_in_the_outbox(
    served, database, campus, fake_twilio
):
    runtime, app = served
    runtime.outbox.backoff = 0.05
    channel = app[WHATSAPP_CHANNEL]
    client = TestClient(TestServer(app))
    await client.start_server()
    phone = f"whatsapp:{campus['D'].phone}"

    async def say(body: str) -> None:
        params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": ACCOUNT_SID, "From": phone}
        params |= {"To": "whatsapp:+996700000001", "Body": body, "NumMedia": "0"}
        url = str(client.make_url(INBOUND_PATH))
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
        response = await client.post(
            INBOUND_PATH, data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status == 200
        await asyncio.wait_for(channel.drain(), timeout=30)

    try:
        # Every try of the channel's sender is refused: turn 1's reply goes to the outbox.
        fake_twilio.fail_next(4, status=429, code=20429, retry_after=1)
        await say("/status")
        fake_twilio.fail_next(1, status=429, code=20429, retry_after=1)
        await runtime.outbox.send_due()  # the outbox tries too and is told to wait a second
        assert fake_twilio.bodies_to(phone) == []
        first = await outbox_rows(database)
        assert first and {r.status for r in first} == {"pending"}

        await say("/help")  # turn 2, while the outbox still waits
        assert fake_twilio.bodies_to(phone) == []  # nothing overtakes the waiting reply
        await runtime.outbox.drain(within=5)
        bodies = fake_twilio.bodies_to(phone)
        rows = await outbox_rows(database)
        assert {r.status for r in rows} == {"sent"} and len(rows) > len(first)
        assert len(bodies) == len(rows) and len(set(bodies)) == len(bodies)  # each once

        await say("/status")  # turn 3: nothing waits any more, it goes direct
        again = fake_twilio.bodies_to(phone)[len(bodies) :]
        assert again and again == bodies[: len(first)]  # the same status, at once, directly
        assert len(await outbox_rows(database)) == len(rows)
    finally:
        await client.close()


async def test_telegram_a_redelivered_update_is_answered_behind_a_reply_in_the_outbox(
    runtime, database, campus, fake_telegram
):
    from fakes.telegram_user import TelegramUser

    user = TelegramUser(
        fake_telegram, runtime.telegram.feed_raw_update, user_id=campus["B"].telegram
    )
    earlier = await user.send_text("/help")  # answered directly
    answered = fake_telegram.texts_to(user.chat_id)
    assert answered
    fake_telegram.fail_next("sendMessage", status=429, retry_after=61)
    await user.send_text("/status")  # refused longer than the sender waits: in the outbox
    assert await outbox_rows(database)
    # Telegram delivers the earlier update again (another replica missed its acknowledgement):
    # it is not applied twice, and the current question it shows goes behind the waiting reply.
    await runtime.telegram.feed_raw_update(earlier)
    assert fake_telegram.texts_to(user.chat_id) == answered
    await runtime.outbox.drain(within=5)
    texts = fake_telegram.texts_to(user.chat_id)[len(answered) :]
    rows = await outbox_rows(database)
    assert {r.status for r in rows} == {"sent"} and len(texts) == len(rows) >= 2
    status = runtime.bot_texts.gettext("ky", "status.title")
    assert texts[0].startswith(status)  # the waiting reply first, then the redelivery's


async def test_telegram_a_refused_file_is_answered_behind_a_reply_in_the_outbox(
    runtime, database, campus, fake_telegram
):
    from fakes.telegram_user import TelegramUser

    user = TelegramUser(
        fake_telegram, runtime.telegram.feed_raw_update, user_id=campus["B"].telegram
    )
    fake_telegram.fail_next("sendMessage", status=429, retry_after=61)
    await user.send_text("/status")  # refused longer than the sender waits: in the outbox
    await user.send_document(b"x" * 100, declared_size=25 * 1024 * 1024)  # over 20 MB
    assert fake_telegram.texts_to(user.chat_id) == []  # the refusal does not overtake
    await runtime.outbox.drain(within=5)
    texts = fake_telegram.texts_to(user.chat_id)
    status = runtime.bot_texts.gettext("ky", "status.title")
    too_large = runtime.telegram.texts.gettext("ky", "file.too_large")
    assert len(texts) == 2 and texts[0].startswith(status) and texts[1] == too_large


async def test_telegram_a_contact_request_sent_by_the_outbox_keeps_its_button(
    runtime, database, campus, fake_telegram
):
    chat = campus["B"].telegram
    asked = Reply("Телефонуңузду бөлүшүңүз.", request_contact=True)
    # Refused by Telegram for longer than the sender waits: handed to the outbox.
    await runtime.outbox.hand_over(
        Channel.TELEGRAM, str(chat), [asked], key="reply:contact", language="ky"
    )
    await runtime.outbox.drain(within=5)
    [message] = fake_telegram.chat_messages(chat)
    [[button]] = message.reply_markup["keyboard"]  # the applicant can still share the contact
    assert button["request_contact"] is True
    assert button["text"] == runtime.telegram.texts.gettext("ky", "button.share_contact")
